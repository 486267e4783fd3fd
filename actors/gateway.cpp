#include "actors/gateway.hpp"

#include <map>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/instance.hpp"
#include "actors/topic.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"

namespace libwatch {

namespace {

struct gateway_state {
  instance inst;
  // Subscribers (proxies of forwarders on other nodes) and their topics.
  std::map<caf::actor_addr,
           std::pair<caf::strong_actor_ptr, std::vector<caf::group>>>
    subscribers;
  static inline const char* name = "libwatch.gateway";

  ~gateway_state() {
    // Topics hold strong references; a stopped gateway must not keep
    // subscriber proxies alive.
    for (auto& kvp : subscribers)
      for (auto& g : kvp.second.second)
        g.get()->unsubscribe(kvp.second.first.get());
  }
};

using gateway_ptr = gateway_actor::stateful_pointer<gateway_state>;

gateway_actor::behavior_type gateway(gateway_ptr self, instance inst) {
  self->state.inst = std::move(inst);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& subs = self->state.subscribers;
    auto i = subs.find(dm.source);
    if (i == subs.end())
      return;
    for (auto& g : i->second.second)
      g.get()->unsubscribe(i->second.first.get());
    subs.erase(i);
  });
  return {
    [self](rspec_atom, uint32_t index) -> caf::result<watcher_spec> {
      auto& specs = self->state.inst.config().watchers;
      if (index >= specs.size())
        return make_error(errc::unknown_watcher,
                          "no watcher " + std::to_string(index));
      return specs[index];
    },
    [self](rack_atom, uint64_t changes) {
      // A forwarder republished `changes` more: what it may have waiting on
      // this node shrinks by as much (actors/delivery_slot.hpp).
      auto sender = self->current_sender();
      if (!sender)
        return;
      auto i = self->state.subscribers.find(
        caf::actor_cast<caf::actor_addr>(sender));
      if (i == self->state.subscribers.end())
        return;
      for (auto& g : i->second.second)
        static_cast<topic*>(g.get())->credit(sender.get(), changes);
    },
    [self](rsub_atom, const topic_request& req) -> caf::result<void> {
      auto sender = self->current_sender();
      if (!sender || req.kind > topic_kind::column)
        return make_error(errc::invalid_subscription, "bad request");
      auto grp = self->state.inst.subscribe(req);
      if (!grp)
        return grp.error();
      auto addr = caf::actor_cast<caf::actor_addr>(sender);
      auto& entry = self->state.subscribers[addr];
      if (!entry.first) {
        entry.first = sender;
        self->monitor(sender);
      }
      // The topic greets the new subscriber with the watcher's state under
      // its lock, so the greeting travels before any later change.
      if (grp->get()->subscribe(sender))
        entry.second.push_back(*grp);
      return caf::unit;
    },
  };
}

} // namespace

caf::expected<std::pair<gateway_actor, uint16_t>>
publish_gateway(caf::actor_system& sys, const instance& inst,
                const cluster_policy& cfg) {
  if (!sys.has_middleman())
    return make_error(errc::invalid_spec,
                      "[cluster] listen needs CAF's network layer: call "
                      "cfg.load<caf::io::middleman>() on the "
                      "actor_system_config");
  auto gw = sys.spawn(gateway, inst);
  // reuse_addr sets SO_REUSEADDR: a restarted node binds its port again
  // while connections of the previous run linger in TIME_WAIT.
  auto port = sys.middleman().publish(gw, cfg.port, cfg.host.c_str(), true);
  if (!port) {
    caf::anon_send_exit(gw, caf::exit_reason::user_shutdown);
    return make_error(errc::connection_failed,
                      "cannot publish libwatch's groups on " + cfg.host + ":"
                        + std::to_string(cfg.port) + ": "
                        + sys.render(port.error()));
  }
  log(log_level::info, "gateway",
      "publishing libwatch groups on " + cfg.host + ":"
        + std::to_string(*port));
  return std::make_pair(gw, *port);
}

void stop_gateway(caf::actor_system& sys, const gateway_actor& gateway,
                  uint16_t port) {
  if (!gateway)
    return;
  if (sys.has_middleman())
    caf::anon_send(sys.middleman().actor_handle(), caf::close_atom::value,
                   port);
  caf::anon_send_exit(gateway, caf::exit_reason::user_shutdown);
}

} // namespace libwatch
