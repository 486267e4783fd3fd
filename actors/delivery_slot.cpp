#include "actors/delivery_slot.hpp"

#include <caf/abstract_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/message.hpp>

#include "actors/delivery_flow.hpp"
#include "libwatch/signals.hpp"

namespace libwatch {

namespace {

// A mailbox element that tells its slot when the subscriber is done with
// it: CAF destroys an element right after the handler that took it returns
// (or, for a stashed message, after it is finally handled).
class tracked_element final : public caf::mailbox_element {
public:
  tracked_element(caf::strong_actor_ptr from, caf::message msg,
                  delivery_slot_ptr slot, const delivery_info& info)
      : caf::mailbox_element(std::move(from), caf::make_message_id(), {}),
        msg_(std::move(msg)), slot_(std::move(slot)), info_(info) {
    // nop
  }

  ~tracked_element() override {
    slot_->processed(info_);
  }

  // A message is a copy-on-write tuple: handlers taking `const T&` share the
  // one payload every subscriber of the topic got.
  caf::type_erased_tuple& content() override {
    return msg_;
  }

  const caf::type_erased_tuple& content() const override {
    return msg_;
  }

  caf::message move_content_to_message() override {
    return std::move(msg_);
  }

  caf::message copy_content_to_message() const override {
    return msg_;
  }

private:
  caf::message msg_;
  delivery_slot_ptr slot_;
  delivery_info info_;
};

} // namespace

delivery_slot::delivery_slot(caf::strong_actor_ptr who,
                             std::shared_ptr<delivery_flow> flow, kind k)
    : who_(std::move(who)), flow_(std::move(flow)), kind_(k),
      limit_(flow_->policy().max_queued) {
  if (kind_ == kind::durable || kind_ == kind::durable_manual)
    tracker_slot_
      = flow_->tracker()->join(who_.get(), kind_ == kind::durable_manual);
}

bool delivery_slot::deliver(const caf::strong_actor_ptr& sender,
                            const caf::message& msg, const delivery_info& info,
                            caf::execution_unit* host) {
  if (closed_.load(std::memory_order_acquire))
    return true;
  if (kind_ == kind::durable || kind_ == kind::durable_manual) {
    // Never dropped: the tracker bounds what is in flight.
    flow_->tracker()->sent(tracker_slot_, info.positions, info.epoch);
    enqueue_tracked(sender, msg, info, host);
    return true;
  }
  if (!overflowing_.load(std::memory_order_acquire)) {
    auto depth = in_flight_.load(std::memory_order_relaxed);
    // A batch larger than the bound still goes to an idle subscriber.
    if (depth == 0 || depth + info.changes <= limit_) {
      enqueue_tracked(sender, msg, info, host);
      return true;
    }
  }
  std::lock_guard<std::recursive_mutex> guard{mtx_};
  if (!overflowing_.load(std::memory_order_relaxed)) {
    // Another thread may have reported an overflow while we waited for the
    // lock: the change may fit now.
    auto depth = in_flight_.load();
    if (depth == 0 || depth + info.changes <= limit_) {
      enqueue_tracked(sender, msg, info, host);
      return true;
    }
    return overflow(info, host);
  }
  if (in_flight_.load(std::memory_order_relaxed) > limit_ / 2) {
    missed_ += info.changes;
    missed_until_ = caf::make_timestamp();
    flow_->dropped(info.changes, false);
    return true;
  }
  flush_overflow(host);
  enqueue_tracked(sender, msg, info, host);
  return true;
}

void delivery_slot::signal(const caf::strong_actor_ptr& sender,
                           const caf::message& msg, caf::execution_unit* host) {
  if (!closed_.load(std::memory_order_acquire))
    who_->enqueue(sender, caf::make_message_id(), msg, host);
}

void delivery_slot::enqueue_tracked(const caf::strong_actor_ptr& sender,
                                    const caf::message& msg,
                                    const delivery_info& info,
                                    caf::execution_unit* host) {
  auto depth = in_flight_.fetch_add(info.changes, std::memory_order_relaxed)
               + info.changes;
  flow_->queued(info.changes, depth);
  caf::mailbox_element_ptr element{
    new tracked_element(sender, msg, delivery_slot_ptr{this}, info)};
  who_->enqueue(std::move(element), host);
}

bool delivery_slot::overflow(const delivery_info& info,
                             caf::execution_unit* host) {
  auto now = caf::make_timestamp();
  flow_->dropped(info.changes, true);
  if (flow_->policy().overflow == overflow_policy::disconnect) {
    closed_ = true;
    flow_->cut_off();
    who_->enqueue(nullptr, caf::make_message_id(),
                  caf::make_message(overflow_msg{flow_->watcher(), info.changes,
                                                 now, now, true}),
                  host);
    return false;
  }
  missed_ = info.changes;
  missed_from_ = now;
  missed_until_ = now;
  overflowing_ = true;
  // The subscriber may have drained its queue between our check and the
  // flag: it then saw no overflow to report, and nothing else would.
  // Sequentially consistent, paired with dequeue(): flag, then depth.
  if (in_flight_.load() <= limit_ / 2)
    flush_overflow(host);
  return true;
}

void delivery_slot::flush_overflow(caf::execution_unit* host) {
  auto msg = caf::make_message(overflow_msg{
    flow_->watcher(), missed_, missed_from_, missed_until_, false});
  missed_ = 0;
  // The report first, the flag after: the publisher's lock-free path
  // enqueues changes once it sees the flag cleared, and none may overtake
  // the report. (A plain message: it never comes back through processed().)
  who_->enqueue(nullptr, caf::make_message_id(), std::move(msg), host);
  overflowing_ = false;
}

void delivery_slot::processed(const delivery_info& info) {
  if (kind_ == kind::remote)
    return; // serialized for the wire, not processed: see credit()
  // An actor that ended while handling the change (an exception, quit())
  // did not finish it; its slot's departure makes it be read again.
  if (kind_ == kind::durable
      && !who_->get()->getf(caf::abstract_actor::is_terminated_flag))
    flow_->tracker()->processed(tracker_slot_, info.positions, info.epoch);
  dequeue(info.changes);
}

void delivery_slot::credit(uint64_t changes) {
  if (kind_ != kind::remote)
    return;
  auto depth = in_flight_.load(std::memory_order_relaxed);
  dequeue(std::min(depth, changes));
}

void delivery_slot::dequeue(uint64_t changes) {
  // Sequentially consistent, paired with overflow(): depth, then flag.
  auto depth = in_flight_.fetch_sub(changes) - changes;
  flow_->dequeued(changes);
  if (!overflowing_.load() || depth > limit_ / 2)
    return;
  std::lock_guard<std::recursive_mutex> guard{mtx_};
  if (overflowing_.load(std::memory_order_relaxed)
      && !closed_.load(std::memory_order_relaxed)
      && in_flight_.load(std::memory_order_relaxed) <= limit_ / 2)
    flush_overflow(nullptr);
}

void delivery_slot::close() {
  if (closed_.exchange(true))
    return;
  if (kind_ == kind::durable || kind_ == kind::durable_manual)
    flow_->tracker()->leave(tracker_slot_);
  // Nobody will report what a remote subscriber still holds.
  if (kind_ == kind::remote)
    flow_->dequeued(in_flight_.exchange(0));
}

} // namespace libwatch
