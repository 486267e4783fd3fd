// The state of a watcher actor and the steps of its work: decoding
// notifications and publishing changes (watcher_state.cpp), reading a
// durable watcher's change log (watcher_durable.cpp). The behaviour that
// drives them is in watcher.cpp. Internal to the watcher actor.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/expected.hpp>
#include <caf/message.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/ack_tracker.hpp"
#include "actors/delivery_flow.hpp"
#include "actors/wal_feedback.hpp"
#include "actors/watcher.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/change.hpp"
#include "libwatch/log.hpp"
#include "libwatch/log_batch.hpp"
#include "libwatch/notification_batch.hpp"
#include "libwatch/payload_decoder.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch {

enum class watcher_phase { starting, verifying, live, down };

struct watcher_actor_state;
using watcher_ptr = watcher_actor::stateful_pointer<watcher_actor_state>;

struct watcher_actor_state {
  watcher_context ctx;
  std::string who;
  watcher_phase current = watcher_phase::starting;
  // Since when the watcher is down (set with `current = down`).
  std::optional<caf::timestamp> down_since;
  bool ever_live = false;
  uint64_t epoch = 0;
  uint32_t install_failures = 0;
  std::optional<payload_decoder> decoder;
  // The rows of the payload being processed (reused between payloads).
  std::vector<decoded_row> rows;
  std::string fetch_sql;
  // Changes behind one whose values are still being fetched wait here, so
  // subscribers see every change in commit order.
  struct pending {
    uint64_t id;
    bool waiting;
    change ch;
    delivery_info info;
  };
  std::deque<pending> queue;
  uint64_t next_fetch = 0;
  // Changes for batch subscribers, sent after each burst, and what they
  // cover.
  std::vector<change> batch_buffer;
  delivery_info batch_info;
  std::vector<notification_batch> early;
  size_t early_count = 0;
  // Durable watchers: a change-log read is in flight; `pull_again` makes
  // another follow (a wake-up meanwhile, more to read, or a read that had to
  // wait for subscribers or acknowledgements).
  bool pulling = false;
  bool pull_again = false;
  uint32_t pull_failures = 0;
  // Where the next read starts (nothing: the stored position) and the
  // tracker epoch of the read in flight.
  std::optional<log_cursor> cursor;
  uint64_t read_epoch = 0;
  // A position update in flight, and the next one to write.
  bool storing = false;
  std::optional<log_cursor> to_store;
  // Durable WAL watchers: the stream hands changes on whether or not they
  // can be taken. From `wal_held` on they could not (nobody subscribed, or
  // too many awaited acknowledgement) and were dropped; `wal_replay` is the
  // replay asked for since, and until the stream announces it what arrives
  // was handed on before and is dropped too (it comes again).
  std::optional<stream_position> wal_held;
  std::optional<caf::timestamp> wal_held_at;
  std::optional<stream_position> wal_replay;
  // The transaction whose changes were published last, until the ledger
  // marks it finished.
  int64_t wal_open = 0;
  // A restarted actor: what its predecessor published may be unprocessed.
  bool wal_restarted = false;
  std::string channel;
  // Position in `values` and name of every association column.
  std::vector<std::pair<size_t, std::string>> associations;
  static inline const char* name = "libwatch.watcher";

  watcher_runtime& rt() {
    return *ctx.runtime;
  }

  bool debug() const {
    return ctx.spec.debug || log_enabled(log_level::debug);
  }

  void on_installed(const resolved_watcher& w);

  void drop(const std::string& payload, const std::string& why);

  void broadcast(watcher_ptr self, const caf::message& msg);

  void publish(watcher_ptr self, change&& ch, const delivery_info& info = {});

  // Sends the changes published since the last flush as one change_batch.
  void flush_batch(watcher_ptr self);

  void process(watcher_ptr self, notification_batch& batch);

  // Moves a decoded row into the message subscribers receive.
  change make_change(decoded_row& row, stream_position position = {});

  static change with_source(change ch, value_source source) {
    ch.source = source;
    return ch;
  }

  void enqueue(watcher_ptr self, change&& ch, const delivery_info& info = {});

  // The notification carried the key alone: read the row for the rest.
  void fetch(watcher_ptr self, change&& ch, const delivery_info& info = {});

  // Decodes one payload and publishes its change, reading the row when the
  // payload carries the key alone.
  void take_payload(watcher_ptr self, std::string_view payload,
                    stream_position position, const delivery_info& info);

  /// Fed by the replication stream rather than by its own trigger.
  bool wal() const {
    return ctx.spec.source == watch_source::wal;
  }

  bool durable() const {
    return ctx.spec.delivery == delivery_mode::at_least_once;
  }

  ack_tracker& tracker() {
    return *rt().flow->tracker();
  }

  // Durable watchers: reads the next entries after the cursor from the
  // change log and publishes them, while somebody subscribes and fewer than
  // `max_in_flight` changes await acknowledgement. Woken by notifications,
  // the poll timer, going live, its own incomplete reads and subscribers'
  // progress (`acked_atom`).
  void pull(watcher_ptr self);
  void publish_logged(watcher_ptr self, log_batch& batch);
  void pull_failed(watcher_ptr self, const caf::error& err);
  // Moves the stored position past what every durable subscriber
  // acknowledged, and reads again what a departed one left unprocessed.
  void settle(watcher_ptr self);
  void store(watcher_ptr self);

  // Durable WAL watchers (watcher_wal.cpp): publishes what the stream hands
  // on while subscribers can take it, holds otherwise, and asks for replays
  // (after a hold, or when a subscriber left with unprocessed changes).
  void settle_wal(watcher_ptr self);
  void take_wal(watcher_ptr self, notification_batch& batch);
  void finish_wal_txn(int64_t through);
  void wal_replay_announced(stream_position from);
  void replay_wal(std::optional<stream_position> from);
  void hold(stream_position from, size_t in_flight);
  // The slot no longer holds what this watcher had not processed (it would
  // retain more than `[wal] max_retained_mb`): a gap for its subscribers.
  void wal_released(watcher_ptr self, uint64_t held_bytes);
  wal_feedback& feedback() {
    return *rt().wal;
  }

  void fetched(watcher_ptr self, uint64_t id, caf::expected<std::string> row);

  void go_live(watcher_ptr self);

  void go_down(watcher_ptr self, const caf::error& err, caf::timestamp since);
};

} // namespace libwatch
