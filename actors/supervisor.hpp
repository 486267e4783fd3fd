// The supervisor actor: root of one libwatch instance. It spawns and links
// the listener, the database worker and one watcher per spec, restarts a
// crashed watcher alone (one-for-one, within `restarts` limits), answers
// readiness and status requests and, when it exits, takes every child down
// and releases every topic subscriber so the actor system can shut down.
//
// Messages:
//   (ready_atom) -> ()                 once every watcher has been ready, or
//                                      the first error that prevents it
//   (status_atom) -> instance_status   connection and per-watcher state
//   (details_atom, name) -> watcher_details
//                                      what a watcher resolved and created
//   (watchers_atom) -> vector<string>  the watchers' names
//   (started_atom, index)              from a watcher
//
// Exit reasons (for actors that monitor or link to the supervisor):
//   errc::reconnect_limit   the listener gave up (reconnect.max_attempts)
//   errc::connection_failed the database was unreachable at start and
//                           reconnect.fail_fast is set
//   errc::restart_limit     a watcher crashed more than restarts.max_restarts
//                           times within restarts.window
//   user_shutdown           instance::stop()
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
