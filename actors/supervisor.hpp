// The supervisor actor: root of one libwatch instance. It spawns and links
// the listener, the database worker and one watcher per spec, answers
// readiness requests and, when it exits, takes every child down and releases
// every topic subscriber so the actor system can shut down.
//
// Messages:
//   (ready_atom) -> ()                once all watchers started, or the first
//                                     error that prevents it
//   (watchers_atom) -> vector<string> the watchers' names
//   (started_atom, index)             from a watcher
// Restart policy: none yet. A failing watcher or listener stays down and its
// error answers every readiness request.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace libwatch {

namespace detail {
struct instance_core;
} // namespace detail

caf::actor spawn_supervisor(caf::actor_system& sys,
                            std::shared_ptr<detail::instance_core> core);

} // namespace libwatch
