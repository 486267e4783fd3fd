// What one watcher's topics share about flow control: the bound on what
// libwatch holds for each subscriber, the overflow policy, the counters
// `instance::status()` reports, and for durable watchers the acknowledgement
// tracker and how to wake the watcher when subscribers make progress.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <caf/timestamp.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "actors/ack_tracker.hpp"
#include "libwatch/status.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch {

class delivery_flow {
public:
  delivery_flow(std::string watcher, subscriber_policy policy, bool durable);

  const std::string& watcher() const noexcept {
    return watcher_;
  }

  const subscriber_policy& policy() const noexcept {
    return policy_;
  }

  /// Null unless the watcher is durable.
  ack_tracker* tracker() noexcept {
    return tracker_.get();
  }

  /// The actor to wake when a subscriber joins or acknowledges (the
  /// current watcher actor; replaced after a restart).
  void set_watcher(caf::strong_actor_ptr watcher);
  void wake_watcher();

  /// Every topic of the watcher counts its subscribers here: a durable
  /// watcher reads its log only while somebody subscribes.
  void joined();
  void left();
  size_t subscribers() const noexcept {
    return subscribers_.load(std::memory_order_relaxed);
  }

  /// Bookkeeping of slots (all relaxed: counters for status, not control).
  void queued(uint64_t n, uint64_t slot_depth);
  void dequeued(uint64_t n);
  void dropped(uint64_t n, bool new_episode);
  void cut_off();

  /// Durable watchers: after each settlement, how many published changes
  /// await acknowledgement and when the oldest of them was published.
  void set_in_flight(uint64_t changes, std::optional<caf::timestamp> oldest);

  /// Fills the flow fields of `out`.
  void fill(watcher_status& out) const;

private:
  std::string watcher_;
  subscriber_policy policy_;
  std::unique_ptr<ack_tracker> tracker_;
  std::atomic<size_t> subscribers_{0};
  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> high_water_{0};
  std::atomic<uint64_t> overflow_dropped_{0};
  std::atomic<uint64_t> overflows_{0};
  std::atomic<uint64_t> cut_offs_{0};
  mutable std::mutex watcher_mtx_;
  caf::weak_actor_ptr watcher_actor_;
  std::atomic<uint64_t> durable_in_flight_{0};
  // Nanoseconds since the epoch; 0: nothing in flight.
  std::atomic<int64_t> oldest_unacked_ns_{0};
};

} // namespace libwatch
