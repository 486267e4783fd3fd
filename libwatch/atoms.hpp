// The atoms of the requests users send to an instance's root actor
// (actors/instance_actor.hpp); internal ones: actors/internal_atoms.hpp.
#pragma once

#include <caf/atom.hpp>

namespace libwatch {

// -- requests users send to the supervisor ---------------------------------

/// Reply `()` once every watcher has been ready once (trigger installed,
/// LISTEN confirmed), or the error that prevents it.
using ready_atom = caf::atom_constant<caf::atom("lw_ready")>;
/// Reply with the names of all watchers (`std::vector<std::string>`).
using watchers_atom = caf::atom_constant<caf::atom("lw_names")>;
/// Reply with an `instance_status`.
using status_atom = caf::atom_constant<caf::atom("lw_status")>;
/// (details_atom, watcher name) -> `watcher_details`, or an error.
using details_atom = caf::atom_constant<caf::atom("lw_details")>;

} // namespace libwatch
