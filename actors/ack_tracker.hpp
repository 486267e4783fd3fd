// The bookkeeping of a durable watcher's acknowledgements: which changes it
// has published from the change log, which of them each durable subscriber
// still has to process, and therefore how far the consumer's stored position
// may move. The position moves only past changes that every durable
// subscriber present when they were published has processed, so a crash at
// any instant loses nothing: the restart reads again from there.
//
// Thread-safe: the watcher actor publishes and settles, subscribers'
// threads acknowledge (a mailbox element destroyed after its handler ran, or
// an explicit `instance::ack`).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <caf/fwd.hpp>
#include <caf/timestamp.hpp>

#include "libwatch/change.hpp"
#include "libwatch/log_batch.hpp"

namespace libwatch {

/// The positions one delivery covers: a change (`first == last`) or a
/// change batch.
struct position_range {
  stream_position first;
  stream_position last;
};

class ack_tracker {
public:
  using slot_id = uint64_t;

  /// What `settle` found.
  struct settlement {
    /// The position to store, when it moved since the last settlement.
    std::optional<log_cursor> stored;
    /// A durable subscriber left with changes it had not processed: the
    /// watcher must read again from `read_from` (nothing: from the stored
    /// position in the database), discarding reads in flight.
    bool rewind = false;
    std::optional<log_cursor> read_from;
    /// Changes published but not yet processed by every durable subscriber.
    size_t in_flight = 0;
    /// When the oldest of them was published.
    std::optional<caf::timestamp> oldest;
  };

  /// Starts over from `from` (nothing: the stored position): forgets what
  /// was published and what subscribers hold, and begins a new epoch, so
  /// acknowledgements of older deliveries are ignored.
  void restart(std::optional<log_cursor> from);

  /// The current epoch (see `restart`).
  uint64_t epoch() const;

  /// The watcher read and is about to publish the change at `p`.
  void published(stream_position p, caf::timestamp at);

  /// Every entry of batch `batch` has been published.
  void batch_finished(int64_t batch);

  /// A durable subscriber joined. `who` identifies it for `ack`; `manual`
  /// subscribers acknowledge only through `ack`.
  slot_id join(const caf::actor_control_block* who, bool manual);

  /// A durable subscriber left (or died). What it had not processed is read
  /// again (a rewind), since nobody can tell whether it was handled.
  void leave(slot_id slot);

  /// The delivery of `r` to `slot`, made in epoch `epoch`.
  void sent(slot_id slot, position_range r, uint64_t epoch);

  /// `slot` processed the delivery of `r` (its handler returned).
  void processed(slot_id slot, position_range r, uint64_t epoch);

  /// Every manual slot of `who` processed everything up to `upto`. Returns
  /// whether `who` has a manual slot here.
  bool ack(const caf::actor_control_block* who, stream_position upto);

  /// Computes how far the stored position may move. Call from the watcher.
  settlement settle();

  /// Published changes not yet processed by every durable subscriber.
  size_t in_flight() const;

  /// Calls `f` (outside the lock) at the next acknowledgement, join or
  /// leave after this call; once per call.
  void notify_once(std::function<void()> f);

private:
  struct slot {
    const caf::actor_control_block* who = nullptr;
    bool manual = false;
    std::deque<position_range> outstanding;
  };

  struct ledger_item {
    stream_position position;
    // A marker that batch `position.batch` is finished (no entry).
    bool batch_end = false;
    caf::timestamp at;
  };

  // Moves the wake-up out for calling outside the lock.
  std::function<void()> take_wakeup();

  mutable std::mutex mtx_;
  uint64_t epoch_ = 0;
  slot_id next_slot_ = 0;
  std::unordered_map<slot_id, slot> slots_;
  std::deque<ledger_item> ledger_;
  size_t ledger_entries_ = 0;
  std::optional<log_cursor> safe_;
  bool moved_ = false;
  // Lowest position a departed subscriber left unprocessed.
  std::optional<stream_position> rewind_bound_;
  std::function<void()> wakeup_;
};

} // namespace libwatch
