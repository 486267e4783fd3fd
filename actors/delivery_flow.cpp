#include "actors/delivery_flow.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_control_block.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/timestamp.hpp>

#include "actors/internal_atoms.hpp"

namespace libwatch {

delivery_flow::delivery_flow(std::string watcher, subscriber_policy policy,
                             bool durable)
    : watcher_(std::move(watcher)), policy_(policy) {
  if (durable)
    tracker_ = std::make_unique<ack_tracker>();
}

void delivery_flow::set_watcher(caf::strong_actor_ptr watcher) {
  std::lock_guard<std::mutex> guard{watcher_mtx_};
  watcher_actor_ = caf::actor_cast<caf::weak_actor_ptr>(watcher);
}

void delivery_flow::wake_watcher() {
  caf::strong_actor_ptr target;
  {
    std::lock_guard<std::mutex> guard{watcher_mtx_};
    target = watcher_actor_.lock();
  }
  if (target)
    target->enqueue(nullptr, caf::make_message_id(),
                    caf::make_message(acked_atom::value), nullptr);
}

void delivery_flow::joined() {
  subscribers_.fetch_add(1, std::memory_order_relaxed);
  if (tracker_)
    wake_watcher();
}

void delivery_flow::left() {
  subscribers_.fetch_sub(1, std::memory_order_relaxed);
}

void delivery_flow::queued(uint64_t n, uint64_t slot_depth) {
  queued_.fetch_add(n, std::memory_order_relaxed);
  auto seen = high_water_.load(std::memory_order_relaxed);
  while (slot_depth > seen
         && !high_water_.compare_exchange_weak(seen, slot_depth,
                                               std::memory_order_relaxed)) {
    // retry with the value another thread stored
  }
}

void delivery_flow::dequeued(uint64_t n) {
  queued_.fetch_sub(n, std::memory_order_relaxed);
}

void delivery_flow::dropped(uint64_t n, bool new_episode) {
  overflow_dropped_.fetch_add(n, std::memory_order_relaxed);
  if (new_episode)
    overflows_.fetch_add(1, std::memory_order_relaxed);
}

void delivery_flow::cut_off() {
  cut_offs_.fetch_add(1, std::memory_order_relaxed);
}

void delivery_flow::set_in_flight(uint64_t changes,
                                  std::optional<caf::timestamp> oldest) {
  durable_in_flight_.store(changes, std::memory_order_relaxed);
  oldest_unacked_ns_.store(oldest ? oldest->time_since_epoch().count() : 0,
                           std::memory_order_relaxed);
}

void delivery_flow::fill(watcher_status& out) const {
  out.queued = queued_.load(std::memory_order_relaxed);
  out.queue_high_water = high_water_.load(std::memory_order_relaxed);
  out.overflow_dropped = overflow_dropped_.load(std::memory_order_relaxed);
  out.overflows = overflows_.load(std::memory_order_relaxed);
  out.cut_offs = cut_offs_.load(std::memory_order_relaxed);
  out.durable_in_flight = durable_in_flight_.load(std::memory_order_relaxed);
  auto oldest = oldest_unacked_ns_.load(std::memory_order_relaxed);
  if (oldest != 0) {
    auto now = caf::make_timestamp().time_since_epoch();
    out.oldest_unacked_age
      = std::max(caf::timespan{0}, now - caf::timespan{oldest});
  }
}

} // namespace libwatch
