// The supervisor actor: root of one libwatch instance. It spawns and links
// the listener, the workers and one watcher per spec, restarts a crashed
// watcher alone (one-for-one, within `restarts` limits), answers the
// instance's requests (actors/instance_actor.hpp) and, when it exits, takes
// every child down and releases every topic subscriber so the actor system
// can shut down.
#pragma once

#include <memory>

#include <caf/fwd.hpp>

#include "actors/instance_actor.hpp"
#include "actors/watcher.hpp"

namespace libwatch {

/// The instance's protocol, and `started_atom` from its watchers.
using supervisor_actor = instance_actor::extend_with<watcher_parent_actor>;

namespace detail {
struct instance_core;
} // namespace detail

supervisor_actor spawn_supervisor(caf::actor_system& sys,
                                  std::shared_ptr<detail::instance_core> core);

} // namespace libwatch
