// Atoms of the messages libwatch's actors exchange (at most 10 characters).
#pragma once

#include <caf/atom.hpp>

namespace libwatch {

/// Request to the supervisor: reply once every watcher is installed and
/// listening, or with the first error that prevents it.
using ready_atom = caf::atom_constant<caf::atom("lw_ready")>;
/// Request to the supervisor: reply with the names of all watchers.
using watchers_atom = caf::atom_constant<caf::atom("lw_names")>;
/// Request to the listener: LISTEN on a channel and route it to the sender.
using listen_atom = caf::atom_constant<caf::atom("lw_listen")>;
/// Request to the database worker: check a spec and install its trigger.
using install_atom = caf::atom_constant<caf::atom("lw_install")>;
/// Watcher to supervisor: installed and listening.
using started_atom = caf::atom_constant<caf::atom("lw_started")>;
/// Pump thread to listener: a LISTEN finished (request id, error).
using listened_atom = caf::atom_constant<caf::atom("lw_listend")>;
/// Pump thread to listener: the connection is gone (error).
using lost_atom = caf::atom_constant<caf::atom("lw_lost")>;

} // namespace libwatch
