// One subscriber of one topic, and the bound on what libwatch holds for it.
//
// CAF 0.17 groups have no backpressure: a publisher enqueues into mailboxes
// without limit. A slot wraps every change it enqueues in a mailbox element
// of its own whose destructor runs when the subscriber's handler has
// returned (CAF destroys a mailbox element right after processing it), so
// the slot always knows how many changes the subscriber has waiting, and a
// durable watcher learns exactly which changes were processed.
//
// Kinds of slot:
// - bounded: at most `max_queued` changes waiting; beyond that the overflow
//   policy applies and the subscriber gets an `overflow_msg` (never silent);
// - durable (ack on return / manual ack): never drops; each delivery is
//   recorded with the watcher's `ack_tracker`, which bounds what is in
//   flight by reading less from the change log;
// - remote: a subscriber on another node (a forwarder's proxy). Its mailbox
//   element ends when the middleman has serialized it, so the forwarder
//   reports what it processed (`credit`) instead. Bounded like the first.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include <caf/actor_control_block.hpp>
#include <caf/fwd.hpp>
#include <caf/ref_counted.hpp>
#include <caf/timestamp.hpp>

#include "actors/ack_tracker.hpp"

namespace libwatch {

class delivery_flow;

/// What one published message carries: how many changes (a batch counts
/// each), and for durable watchers their positions and the tracker epoch.
struct delivery_info {
  uint32_t changes = 1;
  position_range positions;
  uint64_t epoch = 0;
};

class delivery_slot final : public caf::ref_counted {
public:
  enum class kind : uint8_t { bounded, durable, durable_manual, remote };

  delivery_slot(caf::strong_actor_ptr who, std::shared_ptr<delivery_flow> flow,
                kind k);

  const caf::strong_actor_ptr& who() const noexcept {
    return who_;
  }

  /// Enqueues `msg` (a change or change batch) to the subscriber unless the
  /// bound says otherwise. Returns false when the policy cut the subscriber
  /// off: the topic must remove this slot.
  bool deliver(const caf::strong_actor_ptr& sender, const caf::message& msg,
               const delivery_info& info, caf::execution_unit* host);

  /// Enqueues a signal (ready, disconnected, ...): not counted, never
  /// dropped.
  void signal(const caf::strong_actor_ptr& sender, const caf::message& msg,
              caf::execution_unit* host);

  /// The subscriber processed a delivery (its mailbox element ended).
  void processed(const delivery_info& info);

  /// A remote subscriber processed `changes` more.
  void credit(uint64_t changes);

  /// The subscriber left: later deliveries and acknowledgements are void.
  void close();

  /// Changes sent and not yet processed.
  uint64_t depth() const noexcept {
    return in_flight_.load(std::memory_order_relaxed);
  }

private:
  void dequeue(uint64_t changes);
  void enqueue_tracked(const caf::strong_actor_ptr& sender,
                       const caf::message& msg, const delivery_info& info,
                       caf::execution_unit* host);
  // Both with mtx_ held.
  void flush_overflow(caf::execution_unit* host);
  bool overflow(const delivery_info& info, caf::execution_unit* host);

  caf::strong_actor_ptr who_;
  std::shared_ptr<delivery_flow> flow_;
  kind kind_;
  ack_tracker::slot_id tracker_slot_ = 0;
  uint64_t limit_;
  std::atomic<uint64_t> in_flight_{0};
  std::atomic<bool> overflowing_{false};
  std::atomic<bool> closed_{false};
  // Recursive: enqueueing to a subscriber that already ended destroys the
  // element at once, and its destructor comes back here.
  std::recursive_mutex mtx_;
  uint64_t missed_ = 0;
  caf::timestamp missed_from_;
  caf::timestamp missed_until_;
};

using delivery_slot_ptr = caf::intrusive_ptr<delivery_slot>;

} // namespace libwatch
