#include "actors/watcher_state.hpp"

#include <algorithm>

#include "actors/internal_atoms.hpp"
#include "libwatch/backoff.hpp"
#include "libwatch/error.hpp"

namespace libwatch {

void watcher_actor_state::pull(watcher_ptr self) {
  // The replication stream feeds a WAL watcher: there is no log to read.
  if (!decoder || current != watcher_phase::live || wal())
    return;
  if (pulling) {
    pull_again = true;
    return;
  }
  auto& flow = *rt().flow;
  auto in_flight = tracker().in_flight();
  auto max_in_flight = ctx.durable.max_in_flight;
  // Nobody to deliver to, or the subscribers are behind: the log keeps the
  // changes; a join or an acknowledgement wakes us (acked_atom).
  if (flow.subscribers() == 0 || in_flight >= max_in_flight) {
    pull_again = true;
    return;
  }
  pulling = true;
  pull_again = false;
  read_epoch = tracker().epoch();
  auto limit = static_cast<uint32_t>(
    std::min<size_t>(ctx.durable.batch_limit, max_in_flight - in_flight));
  self
    ->request(ctx.log, ctx.request_timeout, read_log_atom::value,
              log_read_request{ctx.durable.consumer, channel,
                               !cursor.has_value(),
                               cursor.value_or(log_cursor{}), limit})
    .then([this, self](log_batch& batch) { publish_logged(self, batch); },
          [this, self](caf::error& err) { pull_failed(self, err); });
}

void watcher_actor_state::publish_logged(watcher_ptr self, log_batch& batch) {
  pulling = false;
  pull_failures = 0;
  auto& t = tracker();
  auto acks = t.epoch();
  // A subscriber left with unprocessed changes meanwhile: this read started
  // from a position that no longer holds; read again from the new one.
  if (acks != read_epoch) {
    pull(self);
    return;
  }
  auto now = caf::make_timestamp();
  for (auto& entry : batch.entries) {
    ++rt().received;
    stream_position pos{batch.batch, entry.entry};
    t.published(pos, now);
    if (auto err = decoder->decode(entry.payload, rows)) {
      drop(entry.payload, describe(err));
      continue;
    }
    for (auto& row : rows)
      publish(self, make_change(row, pos), delivery_info{1, {pos, pos}, acks});
  }
  flush_batch(self);
  if (batch.complete) {
    t.batch_finished(batch.batch);
    cursor = log_cursor{batch.batch, 0};
  } else {
    cursor = log_cursor{batch.batch - 1, batch.entries.back().entry};
  }
  // A complete batch ending at a fresh snapshot leaves nothing older to
  // read; later commits wake the watcher (notify) or the timer does (poll).
  if (!(batch.complete && batch.fresh))
    pull_again = true;
  settle(self);
  if (pull_again)
    pull(self);
}

void watcher_actor_state::settle(watcher_ptr self) {
  if (wal()) {
    settle_wal(self);
    return;
  }
  auto& flow = *rt().flow;
  // One wake-up at the next acknowledgement, join or leave. Armed before
  // settling: one that comes in between must not go unnoticed.
  tracker().notify_once([f = &flow] { f->wake_watcher(); });
  auto s = tracker().settle();
  if (s.rewind) {
    log(log_level::info, who,
        "a durable subscriber left before processing every change it "
        "received; reading them again for the others");
    cursor = s.read_from;
    pull_again = true;
  }
  if (s.stored) {
    to_store = s.stored;
    store(self);
  }
  flow.set_in_flight(s.in_flight, s.oldest);
}

void watcher_actor_state::store(watcher_ptr self) {
  if (storing || !to_store)
    return;
  storing = true;
  auto at = *to_store;
  to_store.reset();
  self
    ->request(ctx.log, ctx.request_timeout, advance_atom::value,
              ctx.durable.consumer, channel, at)
    .then(
      [this, self] {
        storing = false;
        store(self);
      },
      [this, self, at](caf::error& err) {
        storing = false;
        if (!to_store)
          to_store = at;
        log(log_level::warning, who,
            "cannot store the durable consumer's position, retrying: "
              + describe(err));
        auto delay = backoff_delay(ctx.retry, ++pull_failures, 0.0);
        self->delayed_send(self, delay, acked_atom::value);
      });
}

void watcher_actor_state::pull_failed(watcher_ptr self, const caf::error& err) {
  pulling = false;
  log(log_level::warning, who,
      "cannot read the change log, retrying: " + describe(err));
  auto delay = backoff_delay(ctx.retry, ++pull_failures, 0.0);
  self->delayed_send(self, delay, pull_atom::value);
}

} // namespace libwatch
