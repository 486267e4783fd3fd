#include "actors/forwarder.hpp"

#include <algorithm>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/watcher_runtime.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"

namespace libwatch {

namespace {

// Owns one local topic and its greeting; the only actor that publishes to it,
// so signals and changes reach local subscribers in the order they happened.
struct forwarder_state {
  topic_ptr topic;
  std::shared_ptr<status_board> board;
  topic_request req;
  // Set while the link to the watcher node is down: since when.
  std::optional<caf::timestamp> gap;
  // The gateway we subscribed with, and how many changes we republished
  // since we last told it (it bounds what it sends us by these credits).
  gateway_actor gateway;
  uint64_t uncredited = 0;
  bool credit_scheduled = false;
  static inline const char* name = "libwatch.forwarder";
};

using forwarder_ptr = forwarder_actor::stateful_pointer<forwarder_state>;

// Credits go back in steps, not per change: one message per this many.
constexpr uint64_t credit_step = 64;
constexpr auto credit_delay = std::chrono::milliseconds(10);
// A subscription the watcher node does not confirm in this time failed.
constexpr auto subscribe_timeout = std::chrono::seconds(30);

void send_credit(forwarder_ptr self) {
  auto& st = self->state;
  st.credit_scheduled = false;
  if (st.uncredited > 0 && st.gateway)
    self->send(st.gateway, rack_atom::value, st.uncredited);
  st.uncredited = 0;
}

// Changes go out within each local subscriber's bound; anything else is a
// signal.
void publish(forwarder_ptr self, const caf::message& msg) {
  auto& st = self->state;
  uint32_t changes = 0;
  if (msg.match_elements<change>())
    changes = 1;
  else if (msg.match_elements<change_batch>())
    changes = static_cast<uint32_t>(msg.get_as<change_batch>(0).changes.size());
  if (changes == 0) {
    st.topic->enqueue(nullptr, caf::make_message_id(), msg, self->context());
    return;
  }
  st.topic->publish(nullptr, msg, delivery_info{changes, {}, 0},
                    self->context());
  st.uncredited += changes;
  if (st.uncredited >= credit_step) {
    send_credit(self);
  } else if (!st.credit_scheduled) {
    st.credit_scheduled = true;
    self->delayed_send(self, credit_delay, rack_atom::value);
  }
}

// Updates what new local subscribers are greeted with and tells the current
// ones `news`, as one step (see status_board::set).
void announce(forwarder_ptr self, watcher_state state, caf::message greeting,
              std::string error, const caf::message& news) {
  self->state.board->set(state, std::move(greeting), std::move(error),
                         [&] { publish(self, news); });
}

void ready_again(forwarder_ptr self, caf::timestamp from) {
  auto& st = self->state;
  auto now = caf::make_timestamp();
  announce(self, watcher_state::live,
           caf::make_message(ready_msg{st.req.watcher, now}), {},
           caf::make_message(resumed_msg{st.req.watcher, from, now}));
}

// A message from the watcher node's topic: a change or a signal.
void upstream(forwarder_ptr self, caf::message msg) {
  auto& st = self->state;
  if (st.gap) {
    // The first word after re-subscribing says whether the watcher is up.
    if (msg.match_elements<disconnected_msg>()) {
      st.board->set(watcher_state::down, msg,
                    msg.get_as<disconnected_msg>(0).reason);
      return; // subscribers were told already
    }
    auto from = *st.gap;
    st.gap.reset();
    if (msg.match_elements<resumed_msg>())
      from = std::min(from, msg.get_as<resumed_msg>(0).missed_from);
    ready_again(self, from);
    if (msg.match_elements<ready_msg>() || msg.match_elements<resumed_msg>())
      return;
  } else if (msg.match_elements<ready_msg>()) {
    announce(self, watcher_state::live, msg, {}, msg);
    return;
  } else if (msg.match_elements<disconnected_msg>()) {
    announce(self, watcher_state::down, msg,
             msg.get_as<disconnected_msg>(0).reason, msg);
    return;
  } else if (msg.match_elements<resumed_msg>()) {
    announce(self, watcher_state::live,
             caf::make_message(ready_msg{
               st.req.watcher, msg.get_as<resumed_msg>(0).missed_until}),
             {}, msg);
    return;
  }
  publish(self, msg);
}

// The message being handled, taken whole (no copy of its changes).
caf::message take_current(forwarder_ptr self) {
  return self->current_mailbox_element()->move_content_to_message();
}

forwarder_actor::behavior_type forwarder(forwarder_ptr self, topic_ptr topic,
                                         std::shared_ptr<status_board> board,
                                         topic_request req) {
  auto& st = self->state;
  st.topic = std::move(topic);
  st.board = std::move(board);
  st.req = std::move(req);
  return {
    [self](const change&) { upstream(self, take_current(self)); },
    [self](const change_batch&) { upstream(self, take_current(self)); },
    [self](const ready_msg&) { upstream(self, take_current(self)); },
    [self](const disconnected_msg&) { upstream(self, take_current(self)); },
    [self](const resumed_msg&) { upstream(self, take_current(self)); },
    [self](const overflow_msg&) { upstream(self, take_current(self)); },
    [self](const truncated_msg&) { upstream(self, take_current(self)); },
    [self](rack_atom) { send_credit(self); },
    [self](resub_atom, const gateway_actor& gateway) {
      // A new subscription starts with a clean slate on the watcher node.
      self->state.gateway = gateway;
      self->state.uncredited = 0;
      auto& r = self->state.req;
      self->request(gateway, subscribe_timeout, rsub_atom::value, r)
        .then([] {},
              [self](caf::error& err) {
                // The relay re-subscribes after the next reconnect; a
                // timeout means the link is about to be reported lost.
                log(log_level::warning, self->state.req.watcher,
                    "cannot subscribe on the watcher node: " + describe(err));
              });
    },
    [self](rdone_atom) {
      // A normal exit: the linked relay ignores it.
      self->quit();
    },
    [self](rlost_atom, const std::string& reason, caf::timestamp since) {
      auto& state = self->state;
      if (state.gap)
        return;
      state.gap = since;
      auto msg
        = caf::make_message(disconnected_msg{state.req.watcher, reason, since});
      announce(self, watcher_state::down, msg, reason, msg);
    },
  };
}

} // namespace

forwarder_actor spawn_forwarder(caf::actor_system& sys, topic_ptr local,
                                std::shared_ptr<status_board> board,
                                topic_request req) {
  return sys.spawn(forwarder, std::move(local), std::move(board),
                   std::move(req));
}

} // namespace libwatch
