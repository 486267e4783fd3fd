// The protocol of a libwatch instance's root actor, for actors that ask it
// instead of calling `instance`'s blocking methods.
#pragma once

#include <string>
#include <vector>

#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "libwatch/atoms.hpp"
#include "libwatch/details.hpp"
#include "libwatch/status.hpp"

namespace libwatch {

/// Requests and replies:
/// - `(ready_atom)` -> `()` once every watcher has been ready (trigger
///   installed, LISTEN confirmed), or the first error that prevents it.
/// - `(status_atom)` -> `instance_status`: the connection's and every
///   watcher's state and counters.
/// - `(details_atom, watcher)` -> `watcher_details`: what a watcher resolved
///   and created, or an error.
/// - `(watchers_atom)` -> `vector<string>`: the watchers' names.
///
/// The actor's exit reason tells why the instance ended:
/// `errc::reconnect_limit` (the listener gave up), `errc::connection_failed`
/// (unreachable at start with `reconnect.fail_fast`), `errc::restart_limit`
/// (a watcher crashed too often) or `user_shutdown` (`instance::stop()`).
using instance_actor = caf::typed_actor<
  caf::reacts_to<ready_atom>,
  caf::replies_to<status_atom>::with<instance_status>,
  caf::replies_to<details_atom, std::string>::with<watcher_details>,
  caf::replies_to<watchers_atom>::with<std::vector<std::string>>>;

} // namespace libwatch
