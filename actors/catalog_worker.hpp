// The catalog worker: a detached actor (a thread of its own) that runs
// libwatch's blocking catalog reads and DDL on a connection of its own, so
// neither the scheduler's threads, the LISTEN connection nor the durable log
// (actors/log_worker.hpp) ever wait on a table lock.
#pragma once

#include <string>
#include <vector>

#include <caf/fwd.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include "actors/internal_atoms.hpp"
#include "libwatch/pg/connection.hpp"
#include "libwatch/table_info.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// A libwatch object in the database that no configured watcher owns.
struct orphan_report {
  /// "trigger \"t\" on \"public\".\"posts\" (watcher w)" and the like.
  std::string object;
  /// Another running node uses it (a rolling deploy): never dropped.
  bool in_use = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, orphan_report& x) {
  return f(caf::meta::type_name("libwatch::orphan_report"), x.object, x.in_use);
}

/// Requests and replies:
/// - `(install_atom, watcher_spec)` -> `resolved_watcher`: reads the table
///   from the catalog, checks the spec against it and creates or replaces
///   function + trigger in one transaction under libwatch's advisory lock;
///   for `source = "wal"` it puts the table in the slot's publication
///   and makes sure the slot exists instead (pg/wal_install.hpp).
/// - `(orphans_atom, specs, drop)` -> `vector<orphan_report>`: libwatch
///   objects none of `specs` would create (with `drop`, dropped unless
///   another node uses them).
/// - `(fetch_atom, sql, key)` -> `string`: runs a watcher's fetch statement
///   (sql::fetch_statement) for one key: the row's payload JSON, or "" when
///   the row is gone.
using catalog_worker_actor = caf::typed_actor<
  caf::replies_to<install_atom, watcher_spec>::with<resolved_watcher>,
  caf::replies_to<orphans_atom, std::vector<watcher_spec>,
                  bool>::with<std::vector<orphan_report>>,
  caf::replies_to<fetch_atom, std::string, std::string>::with<std::string>>;

/// Spawns a catalog worker. It connects lazily and reconnects after a
/// broken connection on its next request. `timeout` bounds each statement
/// and lock wait (0: unbounded). `wal_slot` names the publications and
/// slot of `source = "wal"` watchers.
catalog_worker_actor spawn_catalog_worker(caf::actor_system& sys,
                                          pg::connect_options options,
                                          caf::timespan timeout,
                                          std::string wal_slot = {});

} // namespace libwatch
