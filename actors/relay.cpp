#include "actors/relay.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/remote_core.hpp"
#include "actors/remote_instance.hpp"
#include "libwatch/backoff.hpp"
#include "libwatch/error.hpp"
#include "libwatch/log.hpp"

namespace libwatch {

namespace {

struct relay_state {
  std::shared_ptr<detail::remote_core> core;
  remote_options options;
  gateway_actor gateway;
  bool connected = false;
  uint32_t failures = 0;
  std::vector<forwarder_actor> forwarders;
  std::minstd_rand rng{std::random_device{}()};
  static inline const char* name = "libwatch.relay";
};

using relay_ptr = relay_actor::stateful_pointer<relay_state>;

void retry_later(relay_ptr self) {
  auto& st = self->state;
  std::uniform_real_distribution<double> unit{-1.0, 1.0};
  auto delay = backoff_delay(st.options.reconnect, ++st.failures, unit(st.rng));
  self->delayed_send(self, delay, reconnect_atom::value);
}

void attach(relay_ptr self, gateway_actor gateway) {
  auto& st = self->state;
  st.gateway = std::move(gateway);
  st.connected = true;
  st.failures = 0;
  self->monitor(st.gateway);
  for (auto& f : st.forwarders)
    self->send(f, resub_atom::value, st.gateway);
}

relay_actor::behavior_type relay(relay_ptr self,
                                 std::shared_ptr<detail::remote_core> core,
                                 remote_options options,
                                 gateway_actor gateway) {
  auto& st = self->state;
  st.core = std::move(core);
  st.options = options;
  attach(self, std::move(gateway));
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& state = self->state;
    auto& fs = state.forwarders;
    // A retired forwarder.
    fs.erase(std::remove_if(fs.begin(), fs.end(),
                            [&](const forwarder_actor& f) {
                              return f.address() == dm.source;
                            }),
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
    [self](rjoin_atom, forwarder_actor& f) {
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
                 const std::set<std::string>& ifs) {
            auto gw = as_gateway(self->system(), ptr, ifs);
            if (!gw) {
              log(log_level::warning, "relay", describe(gw.error()));
              retry_later(self);
              return;
            }
            log(log_level::warning, "relay",
                "reconnected to watcher node " + self->state.core->address());
            attach(self, std::move(*gw));
          },
          [self](caf::error&) { retry_later(self); });
    },
  };
}

} // namespace

caf::expected<gateway_actor> as_gateway(caf::actor_system& sys,
                                        const caf::strong_actor_ptr& ptr,
                                        const std::set<std::string>& ifs) {
  if (!ptr)
    return make_error(errc::connection_failed,
                      "no libwatch gateway is published there");
  if (ifs != sys.message_types<gateway_actor>())
    return make_error(errc::connection_failed,
                      "the actor published there is not a libwatch gateway "
                      "of this version");
  return caf::actor_cast<gateway_actor>(ptr);
}

relay_actor spawn_relay(caf::actor_system& sys,
                        std::shared_ptr<detail::remote_core> core,
                        const remote_options& options, gateway_actor gateway) {
  return sys.spawn(relay, std::move(core), options, std::move(gateway));
}

} // namespace libwatch
