// What a durable WAL watcher and the replication stream tell each other, so
// that the slot is confirmed only past changes every durable subscriber
// processed (at least once), and a watcher that could not take changes gets
// them again from the slot instead of losing them.
//
// The watcher reports how far its changes are processed and when it stops
// taking changes (nobody subscribes, or too many await acknowledgement);
// later it asks for a replay from the first position it did not publish. The
// stream keeps, per durable watcher, the transactions it handed on that are not
// processed yet: the slot is never confirmed past the start of the oldest, so a
// crash or a replay finds them in the slot.
//
// Shared by the watcher actor (and its restarted successors) and every
// connection attempt of the replication pump. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "libwatch/change.hpp"
#include "libwatch/wal/lsn.hpp"

namespace libwatch {

class wal_feedback {
public:
  // -- the watcher's side -----------------------------------------------------

  /// Every change of transactions committed at or before `commit` (an LSN)
  /// was processed by every durable subscriber that received it.
  void processed_through(int64_t commit);

  /// The watcher drops what the stream hands on from now on (it cannot
  /// take changes now) and will ask for them again with `replay`.
  void hold();

  /// Asks the stream to hand on again every change from `from` on (a
  /// restart of the stream, quiet for everyone else) and ends a hold. The
  /// stream sends `replay_atom` before the replay. Replaces an earlier
  /// request: the watcher asks for the lowest position it needs.
  void replay(stream_position from);

  /// Where a replay of everything not reported processed starts.
  stream_position unprocessed_start();

  // -- the stream's side ------------------------------------------------------

  /// Called with the stream's wake-up while a stream serves this watcher
  /// (nothing: none does); `replay`, and progress that frees the oldest
  /// transaction held back, wake it.
  void attach(std::function<void()> wake);

  /// The stream handed on a change of the transaction committed at
  /// `commit`, which begins after `begins_after` (the position the slot may
  /// be confirmed to while this transaction is unprocessed).
  void handed(wal::lsn commit, wal::lsn begins_after);

  /// The highest position the slot may be confirmed to for this watcher
  /// (nothing: this watcher holds nothing back).
  std::optional<wal::lsn> confirmable();

  /// The replay in progress, if any; `fresh` says whether it was asked for
  /// since the last call (the stream must restart and announce it). A
  /// replay stays in progress across connection attempts until `replayed`.
  std::optional<stream_position> replay_wanted(bool& fresh);

  /// The stream passed everything it had handed on before: the replay is
  /// over (unless a new one was asked for meanwhile).
  void replayed();

  /// The stream stops holding the slot for this watcher (it would retain
  /// too much): everything handed on so far counts as processed, and holds
  /// and replays end. The watcher is told (`released_atom`).
  void release();

private:
  struct unprocessed {
    wal::lsn commit;
    wal::lsn begins_after;
  };

  // Drops what is processed; wakes nobody. Needs the lock.
  void prune();

  std::mutex mtx_;
  int64_t processed_ = 0;
  bool holding_ = false;
  std::optional<stream_position> replay_;
  bool replay_fresh_ = false;
  // Transactions handed on to this watcher and not processed yet, in
  // commit order.
  std::deque<unprocessed> unprocessed_;
  std::function<void()> wake_;
};

} // namespace libwatch
