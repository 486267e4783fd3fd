// The forwarder: one actor per topic a subscriber node requested from a
// watcher node (actors/remote_instance.hpp). It subscribes to the real topic
// through the watcher node's gateway and republishes what arrives to a local
// topic, so each change crosses the network once per topic and node. It is
// the only actor that publishes to its local topic, so signals and changes
// reach local subscribers in the order they happened.
#pragma once

#include <memory>
#include <string>

#include <caf/fwd.hpp>
#include <caf/timestamp.hpp>
#include <caf/typed_actor.hpp>

#include "actors/gateway.hpp"
#include "actors/internal_atoms.hpp"
#include "actors/subscription.hpp"
#include "actors/topic.hpp"
#include "libwatch/change.hpp"
#include "libwatch/signals.hpp"

namespace libwatch {

class status_board;

/// Messages (none is answered):
/// - `change`, `change_batch`, `ready_msg`, `disconnected_msg`,
///   `resumed_msg`, `overflow_msg`, `truncated_msg` from the watcher node's
///   topic.
/// - `(resub_atom, gateway)` from the relay: (re)subscribe through it.
/// - `(rlost_atom, reason, since)` from the relay: the link is down.
/// - `(rdone_atom)` from the handle: nobody uses the topic any more, quit.
/// - `(rack_atom)` from itself: time to return credits to the gateway.
using forwarder_actor = caf::typed_actor<
  caf::reacts_to<change>, caf::reacts_to<change_batch>,
  caf::reacts_to<ready_msg>, caf::reacts_to<disconnected_msg>,
  caf::reacts_to<resumed_msg>, caf::reacts_to<overflow_msg>,
  caf::reacts_to<truncated_msg>, caf::reacts_to<resub_atom, gateway_actor>,
  caf::reacts_to<rlost_atom, std::string, caf::timestamp>,
  caf::reacts_to<rdone_atom>, caf::reacts_to<rack_atom>>;

/// Spawns the forwarder of `req`, publishing to `local` and keeping `board`
/// (the watcher's state as local subscribers see it) up to date.
forwarder_actor spawn_forwarder(caf::actor_system& sys, topic_ptr local,
                                std::shared_ptr<status_board> board,
                                topic_request req);

} // namespace libwatch
