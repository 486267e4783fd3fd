#include "actors/remote_instance.hpp"

#include <set>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/delivery_flow.hpp"
#include "actors/remote_core.hpp"
#include "actors/watcher_runtime.hpp"
#include "libwatch/error.hpp"

namespace libwatch {

namespace {

// One forwarder per topic and acknowledgement mode (the watcher node treats
// an acknowledging subscription and a plain view differently).
std::string key_of(const topic_request& req) {
  std::string key{static_cast<char>('0' + static_cast<int>(req.kind))};
  key += static_cast<char>('0' + static_cast<int>(req.ack));
  key += '\x1f';
  key += req.watcher;
  key += '\x1f';
  key += topic_table::key_of(req.column, req.x);
  return key;
}

} // namespace

// -- remote_instance --------------------------------------------------------

caf::expected<caf::group>
remote_instance::subscribe(const topic_request& req) const {
  if (!core_)
    return make_error(errc::stopped, "libwatch remote is not connected");
  auto index = check_request(core_->specs, req);
  if (!index)
    return index.error();
  if (req.ack == ack_mode::manual)
    return make_error(errc::invalid_subscription,
                      "manual acknowledgement is not available through "
                      "connect_remote: subscribe on the watcher node to "
                      "acknowledge changes of watcher "
                        + req.watcher);
  auto key = key_of(req);
  std::lock_guard<std::mutex> guard{core_->mtx};
  if (auto i = core_->topics.find(key); i != core_->topics.end())
    return caf::group{i->second.first};
  // Retires the forwarders of topics that only the map and the forwarder
  // hold and nobody subscribes to; the watcher node's gateway then
  // unsubscribes them.
  core_->sweeper.before_insert(
    core_->topics,
    [](auto& kvp) {
      auto& t = kvp.second.first;
      return t->get_reference_count() <= 2 && t->subscriber_count() == 0;
    },
    [](auto& kvp) { caf::anon_send(kvp.second.second, rdone_atom::value); });
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
  auto f = spawn_forwarder(*core_->sys, t, board, req);
  core_->topics.emplace(key, std::make_pair(t, f));
  caf::anon_send(core_->relay, rjoin_atom::value, f);
  return caf::group{t};
}

const std::vector<watcher_spec>& remote_instance::watchers() const {
  static const std::vector<watcher_spec> none;
  return core_ ? core_->specs : none;
}

void remote_instance::stop() const {
  if (!core_)
    return;
  decltype(core_->topics) topics;
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
  gateway_actor gateway;
  self
    ->request(sys.middleman().actor_handle(), options.connect_timeout,
              caf::connect_atom::value, core->host, core->port)
    .receive(
      [&](const caf::node_id&, caf::strong_actor_ptr& ptr,
          const std::set<std::string>& ifs) {
        if (auto gw = as_gateway(sys, ptr, ifs))
          gateway = std::move(*gw);
        else
          err = std::move(gw.error());
      },
      [&](caf::error& e) { err = std::move(e); });
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
  core->relay = spawn_relay(sys, core, options, gateway);
  remote_instance result;
  result.core_ = std::move(core);
  return result;
}

} // namespace libwatch
