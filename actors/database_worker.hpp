// The database worker: a detached actor (its own thread) that runs libwatch's
// blocking catalog reads and DDL on a connection of its own, so neither the
// scheduler's threads nor the LISTEN connection ever wait on a table lock.
//
// Messages:
//   (install_atom, watcher_spec) -> resolved_watcher
//       reads the table from the catalog, checks the spec against it and
//       creates or replaces function + trigger in one transaction under
//       libwatch's advisory lock.
//   (orphans_atom, vector<watcher_spec>, drop) -> vector<string>
//       lists (and with drop, drops) libwatch objects none of the specs
//       would create; one description per object, starting with
//       `in_use_prefix` for objects another running node uses (never
//       dropped, libwatch/pg/node_lock.hpp).
//   (fetch_atom, sql, key) -> std::string
//       runs a watcher's fetch statement (sql::fetch_statement) for one key:
//       the row's payload JSON, or "" when the row is gone.
//   (register_atom, consumer, channel) -> ()
//   (read_log_atom, consumer, channel, from_stored, log_cursor, limit)
//       -> log_batch   (after the stored position, or after the cursor)
//   (advance_atom, consumer, channel, log_cursor) -> ()
//   (prune_atom, channel, retention, limit) -> uint64_t
//       a durable watcher's change-log reads, position updates and pruning
//       (libwatch/pg/change_log.hpp).
#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "libwatch/pg/connection.hpp"

namespace libwatch {

/// Starts the description of an orphan that a running node still uses.
inline const std::string in_use_prefix = "in use by another node: ";

/// Spawns a database worker. It connects lazily and reconnects after a
/// broken connection on its next request. `timeout` bounds each statement
/// and lock wait (0: unbounded).
caf::actor spawn_database_worker(caf::actor_system& sys,
                                 pg::connect_options options,
                                 caf::timespan timeout);

} // namespace libwatch
