// The relay: one actor per connection to a watcher node. It holds the link
// to the node's gateway, tells every forwarder when the link drops,
// reconnects with backoff and has every forwarder subscribe again.
#pragma once

#include <memory>

#include <caf/fwd.hpp>
#include <caf/typed_actor.hpp>

#include "actors/forwarder.hpp"
#include "actors/gateway.hpp"
#include "actors/internal_atoms.hpp"

namespace libwatch {

namespace detail {
struct remote_core;
} // namespace detail

struct remote_options;

/// Messages (none is answered):
/// - `(rjoin_atom, forwarder)` from the handle: adopt a new forwarder
///   (linked, monitored, subscribed when connected).
/// - `(reconnect_atom)` from itself: the backoff delay is over.
using relay_actor
  = caf::typed_actor<caf::reacts_to<rjoin_atom, forwarder_actor>,
                     caf::reacts_to<reconnect_atom>>;

relay_actor spawn_relay(caf::actor_system& sys,
                        std::shared_ptr<detail::remote_core> core,
                        const remote_options& options, gateway_actor gateway);

} // namespace libwatch
