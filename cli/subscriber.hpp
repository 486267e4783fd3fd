// The actor `tail` subscribes with: an ordinary event-based actor that joins
// libwatch's groups and prints every message it receives as one JSON line on
// stdout. It also watches the instance itself, so `tail` ends (exit 3)
// instead of hanging when libwatch cannot run: a watcher that fails for
// good, an unreachable database with fail-fast, the supervisor giving up.
#pragma once

#include <memory>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/group.hpp>

#include "actors/instance_actor.hpp"
#include "cli/termination.hpp"

namespace libwatch::cli {

/// Spawns the subscriber. It joins `groups`, monitors `supervisor` and asks
/// it for readiness; failures and a closed stdout end `tail` through `end`.
caf::actor spawn_subscriber(caf::actor_system& sys,
                            std::vector<caf::group> groups,
                            instance_actor supervisor,
                            std::shared_ptr<termination> end);

} // namespace libwatch::cli
