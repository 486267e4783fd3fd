#include "actors/remote_instance.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/delivery_flow.hpp"
#include "actors/topic.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/atoms.hpp"
#include "libwatch/backoff.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/type_ids.hpp"

namespace libwatch {

namespace detail {

struct remote_core {
  caf::actor_system* sys = nullptr;
  std::string host;
  uint16_t port = 0;
  std::vector<watcher_spec> specs;
  subscriber_policy subscribers;
  std::shared_ptr<topic_module> module;
  caf::actor relay;
  std::mutex mtx;
  bool stopped = false;
  std::map<std::string, std::pair<topic_ptr, caf::actor>> topics;
  size_t sweep_threshold = 64;

  // Called with mtx held. Retires the forwarders of topics that only the map
  // and the forwarder hold and nobody subscribes to, so by_key subscriptions
  // to ever new keys do not pile up here or on the watcher node (whose
  // gateway unsubscribes a forwarder when it ends).
  void sweep() {
    for (auto i = topics.begin(); i != topics.end();) {
      auto& [t, f] = i->second;
      if (t->get_reference_count() <= 2 && t->subscriber_count() == 0) {
        caf::anon_send(f, rdone_atom::value);
        i = topics.erase(i);
      } else {
        ++i;
      }
    }
    sweep_threshold = std::max<size_t>(64, topics.size() * 2);
  }

  std::string address() const {
    return host + ":" + std::to_string(port);
  }
};

} // namespace detail

namespace {

// -- forwarder: one per requested topic
// ----------------------------------------

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
  caf::actor gateway;
  uint64_t uncredited = 0;
  bool credit_scheduled = false;
  static inline const char* name = "libwatch.forwarder";
};

using forwarder_actor = caf::stateful_actor<forwarder_state>;

// Credits go back in steps, not per change: one message per this many.
constexpr uint64_t credit_step = 64;
constexpr auto credit_delay = std::chrono::milliseconds(10);

void send_credit(forwarder_actor* self) {
  auto& st = self->state;
  st.credit_scheduled = false;
  if (st.uncredited > 0 && st.gateway)
    self->send(st.gateway, rack_atom::value, st.uncredited);
  st.uncredited = 0;
}

// Changes go out within each local subscriber's bound; anything else is a
// signal.
void publish(forwarder_actor* self, const caf::message& msg) {
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

void ready_again(forwarder_actor* self, caf::timestamp from) {
  auto& st = self->state;
  auto now = caf::make_timestamp();
  st.board->set(watcher_state::live,
                caf::make_message(ready_msg{st.req.watcher, now}));
  publish(self, caf::make_message(resumed_msg{st.req.watcher, from, now}));
}

// A message from the watcher node's topic: a change or a signal.
void upstream(forwarder_actor* self, caf::message msg) {
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
    st.board->set(watcher_state::live, msg);
  } else if (msg.match_elements<disconnected_msg>()) {
    st.board->set(watcher_state::down, msg,
                  msg.get_as<disconnected_msg>(0).reason);
  } else if (msg.match_elements<resumed_msg>()) {
    st.board->set(watcher_state::live,
                  caf::make_message(ready_msg{
                    st.req.watcher, msg.get_as<resumed_msg>(0).missed_until}));
  }
  publish(self, msg);
}

caf::behavior forwarder(forwarder_actor* self, topic_ptr topic,
                        std::shared_ptr<status_board> board,
                        topic_request req) {
  auto& st = self->state;
  st.topic = std::move(topic);
  st.board = std::move(board);
  st.req = std::move(req);
  self->set_default_handler(
    [self](caf::scheduled_actor*,
           caf::message_view& x) -> caf::result<caf::message> {
      upstream(self, x.move_content_to_message());
      return caf::message{};
    });
  return {
    [self](rack_atom) { send_credit(self); },
    [self](resub_atom, const caf::actor& gateway) {
      // A new subscription starts with a clean slate on the watcher node.
      self->state.gateway = gateway;
      self->state.uncredited = 0;
      auto& r = self->state.req;
      self
        ->request(gateway, caf::infinite, rsub_atom::value,
                  static_cast<uint8_t>(r.kind), r.watcher, r.column,
                  r.x.is_null(), r.x.is_null() ? std::string{} : r.x.to_text())
        .then([] {},
              [self](caf::error& err) {
                // The relay re-subscribes after the next reconnect.
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
      state.board->set(watcher_state::down, msg, reason);
      publish(self, msg);
    },
  };
}

// -- relay: one per remote node ---------------------------------------------

struct relay_state {
  std::shared_ptr<detail::remote_core> core;
  remote_options options;
  caf::actor gateway;
  bool connected = false;
  uint32_t failures = 0;
  std::vector<caf::actor> forwarders;
  std::minstd_rand rng{std::random_device{}()};
  static inline const char* name = "libwatch.relay";
};

using relay_actor = caf::stateful_actor<relay_state>;

void retry_later(relay_actor* self) {
  auto& st = self->state;
  std::uniform_real_distribution<double> unit{-1.0, 1.0};
  auto delay = backoff_delay(st.options.reconnect, ++st.failures, unit(st.rng));
  self->delayed_send(self, delay, reconnect_atom::value);
}

void attach(relay_actor* self, caf::actor gateway) {
  auto& st = self->state;
  st.gateway = std::move(gateway);
  st.connected = true;
  st.failures = 0;
  self->monitor(st.gateway);
  for (auto& f : st.forwarders)
    self->send(f, resub_atom::value, st.gateway);
}

caf::behavior relay(relay_actor* self,
                    std::shared_ptr<detail::remote_core> core,
                    remote_options options, caf::actor gateway) {
  auto& st = self->state;
  st.core = std::move(core);
  st.options = options;
  attach(self, std::move(gateway));
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& state = self->state;
    auto& fs = state.forwarders;
    // A retired forwarder.
    fs.erase(std::remove_if(
               fs.begin(), fs.end(),
               [&](const caf::actor& f) { return f.address() == dm.source; }),
             fs.end());
    if (!state.connected || dm.source != state.gateway.address())
      return;
    state.connected = false;
    state.gateway = nullptr;
    auto since = caf::make_timestamp();
    std::string reason = "lost the link to watcher node "
                         + state.core->address() + " ("
                         + self->system().render(dm.reason) + ")";
    log(log_level::warning, "relay", reason);
    for (auto& f : state.forwarders)
      self->send(f, rlost_atom::value, reason, since);
    retry_later(self);
  });
  return {
    [self](rjoin_atom, caf::actor& f) {
      auto& state = self->state;
      // Linked: stopping the relay stops them; monitored: a forwarder
      // retired by the sweep leaves the list.
      self->link_to(f);
      self->monitor(f);
      state.forwarders.push_back(f);
      if (state.connected)
        self->send(f, resub_atom::value, state.gateway);
    },
    [self](reconnect_atom) {
      auto& state = self->state;
      if (state.connected)
        return;
      auto mm = self->system().middleman().actor_handle();
      self
        ->request(mm, state.options.connect_timeout, caf::connect_atom::value,
                  state.core->host, state.core->port)
        .then(
          [self](const caf::node_id&, caf::strong_actor_ptr& ptr,
                 const std::set<std::string>&) {
            if (!ptr) {
              retry_later(self);
              return;
            }
            log(log_level::warning, "relay",
                "reconnected to watcher node " + self->state.core->address());
            attach(self, caf::actor_cast<caf::actor>(ptr));
          },
          [self](caf::error&) { retry_later(self); });
    },
  };
}

std::string key_of(const topic_request& req) {
  std::string key{static_cast<char>('0' + static_cast<int>(req.kind))};
  key += '\x1f';
  key += req.watcher;
  key += '\x1f';
  key += topic_table::key_of(req.column, req.x);
  return key;
}

} // namespace

// -- remote_instance
// ------------------------------------------------------------

caf::expected<caf::group>
remote_instance::subscribe(const topic_request& req) const {
  if (!core_)
    return make_error(errc::stopped, "libwatch remote is not connected");
  auto index = check_request(core_->specs, req);
  if (!index)
    return index.error();
  auto key = key_of(req);
  std::lock_guard<std::mutex> guard{core_->mtx};
  if (auto i = core_->topics.find(key); i != core_->topics.end())
    return caf::group{i->second.first};
  if (core_->topics.size() + 1 >= core_->sweep_threshold)
    core_->sweep();
  auto id = req.watcher + "|remote|" + key;
  auto board = std::make_shared<status_board>();
  auto flow
    = std::make_shared<delivery_flow>(req.watcher, core_->subscribers, false);
  auto t = caf::make_counted<topic>(core_->module, id, board, flow);
  if (core_->stopped) {
    // Like instance after stop(): a subscriber would keep the system alive.
    t->stop();
    return caf::group{t};
  }
  auto f = core_->sys->spawn(forwarder, t, board, req);
  core_->topics.emplace(key, std::make_pair(t, f));
  caf::anon_send(core_->relay, rjoin_atom::value, f);
  return caf::group{t};
}

caf::expected<caf::group>
remote_instance::all(const watcher_ref& watcher) const {
  return subscribe({topic_kind::all, watcher.name(), {}, {}});
}

caf::expected<caf::group>
remote_instance::all_batched(const watcher_ref& watcher) const {
  return subscribe({topic_kind::batched, watcher.name(), {}, {}});
}

caf::expected<caf::group> remote_instance::by_key(const watcher_ref& watcher,
                                                  const value& key) const {
  return subscribe({topic_kind::key, watcher.name(), {}, key});
}

caf::expected<caf::group> remote_instance::by_column(const watcher_ref& watcher,
                                                     std::string_view column,
                                                     const value& x) const {
  return subscribe(
    {topic_kind::column, watcher.name(), std::string{column}, x});
}

const std::vector<watcher_spec>& remote_instance::watchers() const {
  static const std::vector<watcher_spec> none;
  return core_ ? core_->specs : none;
}

void remote_instance::stop() const {
  if (!core_)
    return;
  std::map<std::string, std::pair<topic_ptr, caf::actor>> topics;
  {
    std::lock_guard<std::mutex> guard{core_->mtx};
    if (core_->stopped)
      return;
    core_->stopped = true;
    topics.swap(core_->topics);
  }
  caf::anon_send_exit(core_->relay, caf::exit_reason::user_shutdown);
  for (auto& kvp : topics) {
    // Forwarders were sent to the watcher node, which puts them in this
    // system's registry: they must be told to exit.
    caf::anon_send_exit(kvp.second.second, caf::exit_reason::user_shutdown);
    kvp.second.first->stop();
  }
}

caf::expected<remote_instance> connect_remote(caf::actor_system& sys,
                                              std::string host, uint16_t port,
                                              remote_options options) {
  if (!sys.has_middleman())
    return make_error(errc::invalid_spec,
                      "connect_remote needs CAF's network layer: call "
                      "cfg.load<caf::io::middleman>() on the "
                      "actor_system_config");
  auto core = std::make_shared<detail::remote_core>();
  core->sys = &sys;
  core->host = std::move(host);
  core->port = port;
  core->module = std::make_shared<topic_module>(sys);
  core->subscribers = options.subscribers;
  caf::scoped_actor self{sys};
  caf::error err;
  caf::actor gateway;
  self
    ->request(sys.middleman().actor_handle(), options.connect_timeout,
              caf::connect_atom::value, core->host, core->port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>&) {
        gateway = caf::actor_cast<caf::actor>(ptr);
      },
      [&](caf::error& e) { err = std::move(e); });
  if (!err && !gateway)
    err = make_error(errc::connection_failed,
                     "no libwatch gateway is published there");
  for (uint32_t i = 0; !err; ++i) {
    bool done = false;
    self->request(gateway, options.connect_timeout, rspec_atom::value, i)
      .receive([&](watcher_spec& spec) { core->specs.push_back(spec); },
               [&](caf::error& e) {
                 if (is(e, errc::unknown_watcher))
                   done = true;
                 else
                   err = std::move(e);
               });
    if (done)
      break;
  }
  if (err)
    return make_error(errc::connection_failed,
                      "cannot reach the libwatch watcher node at "
                        + core->address() + ": " + describe(err));
  core->relay = sys.spawn(relay, core, options, gateway);
  remote_instance result;
  result.core_ = std::move(core);
  return result;
}

} // namespace libwatch
