// Durable WAL watchers: the replication stream hands every change on at
// once, so what subscribers cannot take now is dropped here and asked for
// again later (a replay from the slot, which this watcher held back); what
// they took is reported processed to the stream only once every durable
// subscriber acknowledged it (wal_feedback).
#include "actors/watcher_state.hpp"

#include "libwatch/log.hpp"
#include "libwatch/signals.hpp"

namespace libwatch {

namespace {

std::string text(stream_position p) {
  return std::to_string(p.batch) + "/" + std::to_string(p.entry);
}

} // namespace

void watcher_actor_state::take_wal(watcher_ptr self,
                                   notification_batch& batch) {
  // A restarted actor asks for a replay from what its predecessor left
  // unprocessed once its route is its own (listening_atom); what the stream
  // hands on before that comes again with the replay, in order.
  if (wal_restarted)
    return;
  if (!wal_replay && !wal_held) {
    auto& t = tracker();
    auto acks = t.epoch();
    auto now = caf::make_timestamp();
    auto in_flight = t.in_flight();
    for (size_t i = 0; i < batch.size(); ++i) {
      auto pos = batch.position(i);
      if (rt().flow->subscribers() == 0
          || in_flight >= ctx.durable.max_in_flight) {
        hold(pos, in_flight);
        break;
      }
      // Rows come in commit order: a later transaction ends this one.
      if (wal_open != 0 && wal_open != pos.batch)
        finish_wal_txn(wal_open);
      t.published(pos, now);
      ++in_flight;
      wal_open = pos.batch;
      take_payload(self, batch[i], pos, delivery_info{1, {pos, pos}, acks});
    }
    flush_batch(self);
  }
  // What was dropped comes again with the replay. A transaction that ends
  // before where the replay starts is complete, though: none of its
  // changes comes again.
  auto next = wal_replay ? wal_replay : wal_held;
  if (!next || batch.complete_through < next->batch)
    finish_wal_txn(batch.complete_through);
  settle_wal(self);
}

void watcher_actor_state::hold(stream_position from, size_t in_flight) {
  wal_held = from;
  wal_held_at = caf::make_timestamp();
  feedback().hold();
  log(log_level::info, who,
      rt().flow->subscribers() == 0
        ? "nobody subscribes: holding the replication slot from " + text(from)
            + " until somebody does"
        : "durable subscribers have " + std::to_string(in_flight)
            + " changes to process: holding the replication slot from "
            + text(from) + " until they catch up");
}

void watcher_actor_state::finish_wal_txn(int64_t through) {
  if (wal_open == 0 || wal_open > through)
    return;
  tracker().batch_finished(wal_open);
  wal_open = 0;
}

void watcher_actor_state::wal_replay_announced(stream_position from) {
  // The announcement of a replay asked for before a later, lower one.
  if (!wal_replay || *wal_replay < from)
    return;
  finish_wal_txn(from.batch - 1);
  // A later transaction comes again whole with the replay; the one it
  // starts in goes on (its end finishes it).
  if (wal_open > from.batch)
    wal_open = 0;
  wal_replay.reset();
  log(log_level::info, who, "replaying from " + text(from));
}

void watcher_actor_state::replay_wal(std::optional<stream_position> from) {
  auto at = from ? *from : feedback().unprocessed_start();
  if (wal_held && *wal_held < at)
    at = *wal_held;
  if (wal_replay && *wal_replay < at)
    at = *wal_replay;
  wal_held.reset();
  wal_held_at.reset();
  wal_replay = at;
  feedback().replay(at);
}

void watcher_actor_state::wal_released(watcher_ptr self, uint64_t held_bytes) {
  auto now = caf::make_timestamp();
  auto since = wal_held_at.value_or(now);
  // What was dropped while holding is not replayed; what arrives from now
  // on is taken again.
  wal_held.reset();
  wal_held_at.reset();
  wal_replay.reset();
  auto reason = "the replication slot would have retained "
                + std::to_string(held_bytes >> 20)
                + " MiB of WAL for changes not yet processed, more than [wal] "
                  "max_retained_mb allows: it no longer holds them, and "
                  "changes committed since the gap began may be missing";
  log(log_level::warning, who, reason);
  broadcast(self, caf::make_message(disconnected_msg{who, reason, since}));
  broadcast(self, caf::make_message(resumed_msg{who, since, now}));
}

void watcher_actor_state::settle_wal(watcher_ptr) {
  auto& flow = *rt().flow;
  // As in `settle`: armed before settling.
  tracker().notify_once([f = &flow] { f->wake_watcher(); });
  auto s = tracker().settle();
  // A position {tick, entry} covers transactions up to `tick` (with entry
  // 0, transaction `tick` itself; otherwise `tick` is the LSN before it).
  if (s.stored)
    feedback().processed_through(s.stored->tick);
  if (s.rewind) {
    log(log_level::info, who,
        "a durable subscriber left before processing every change it "
        "received; asking the stream for them again for the others");
    replay_wal(s.read_from ? std::optional<stream_position>{stream_position{
                 s.read_from->tick + 1, s.read_from->entry + 1}}
                           : std::nullopt);
  }
  flow.set_in_flight(s.in_flight, s.oldest);
  if (wal_held && rt().flow->subscribers() > 0
      && s.in_flight <= ctx.durable.max_in_flight / 2) {
    // Half the bound worked off: one replay per hold, not one per change.
    replay_wal(*wal_held);
  }
}

} // namespace libwatch
