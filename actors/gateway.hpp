// The cluster gateway: the actor a watcher node publishes over caf::io
// (`[cluster] listen`) so that nodes without a database can subscribe to its
// libwatch groups (`connect_remote`, actors/remote_instance.hpp). It
// monitors every subscriber and unsubscribes it when it or its node goes
// away, so topics never hold dead proxies.
#pragma once

#include <cstdint>
#include <utility>

#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/internal_atoms.hpp"
#include "actors/subscription.hpp"
#include "libwatch/watch_config.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// What other nodes ask the gateway:
/// - `(rspec_atom, index)` -> `watcher_spec` of watcher `index` (an error
///   past the last), so the remote handle checks requests as `instance`
///   does.
/// - `(rsub_atom, topic_request)` -> `()`: subscribes the sender (a
///   forwarder on the other node) to that topic; it then gets the topic's
///   greeting and every message published to it, once per topic and node.
/// - `(rack_atom, n)`, no reply: the forwarder republished `n` more changes,
///   so this node may send it that many more (actors/delivery_slot.hpp).
using gateway_actor
  = caf::typed_actor<caf::replies_to<rspec_atom, uint32_t>::with<watcher_spec>,
                     caf::reacts_to<rsub_atom, topic_request>,
                     caf::reacts_to<rack_atom, uint64_t>>;

class instance;

/// Spawns the gateway for `inst` and publishes it on `cfg.host:cfg.port`
/// with the actor system's middleman; returns the gateway and the port.
/// Error when the middleman is not loaded or the address cannot be bound.
caf::expected<std::pair<gateway_actor, uint16_t>>
publish_gateway(caf::actor_system& sys, const instance& inst,
                const cluster_policy& cfg);

/// Closes the gateway's port and stops it. Asynchronous.
void stop_gateway(caf::actor_system& sys, const gateway_actor& gateway,
                  uint16_t port);

} // namespace libwatch
