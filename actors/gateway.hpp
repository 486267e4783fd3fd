// The cluster gateway: the actor a watcher node publishes over caf::io
// (`[cluster] listen`) so that nodes without a database can subscribe to its
// libwatch groups (`connect_remote`, actors/remote_instance.hpp).
//
// Messages (from other nodes):
//   (rspec_atom, uint32_t i) -> watcher_spec
//       the spec of watcher `i` (an error past the last), so the remote
//       handle validates requests exactly as `instance` does
//   (rsub_atom, uint8_t kind, watcher, column, bool null, text) -> ()
//       subscribes the sender (a forwarder on the other node, here a proxy)
//       to that topic; it then gets the topic's greeting and every message
//       published to it, over the network, once per topic and node
// The gateway monitors every subscriber and unsubscribes it when it or its
// node goes away, so topics never hold dead proxies.
#pragma once

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "actors/instance.hpp"

namespace libwatch {

/// Spawns the gateway for `inst` and publishes it on `cfg.host:cfg.port`
/// with the actor system's middleman; returns the gateway and the port.
/// Error when the middleman is not loaded or the address cannot be bound.
caf::expected<std::pair<caf::actor, uint16_t>>
publish_gateway(caf::actor_system& sys, const instance& inst,
                const cluster_policy& cfg);

/// Closes the gateway's port and stops it. Asynchronous.
void stop_gateway(caf::actor_system& sys, const caf::actor& gateway,
                  uint16_t port);

} // namespace libwatch
