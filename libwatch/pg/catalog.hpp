// Catalog reads and the DDL transaction behind a watcher. Blocking; runs on
// the catalog worker's own thread.
#pragma once

#include <string>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "libwatch/pg/connection.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch::pg {

struct owned_object;

/// Reads table, columns and primary key of `schema.table`. A missing schema
/// or table is `errc::catalog_mismatch` naming it.
caf::expected<table_info> read_table(connection& conn,
                                     const std::string& schema,
                                     const std::string& table,
                                     caf::timespan timeout = caf::timespan{0});

/// Checks the server and reads the table of `spec`, then checks the spec
/// against it: what every installation starts with.
caf::expected<resolved_watcher>
read_resolved(connection& conn, const watcher_spec& spec,
              caf::timespan timeout = caf::timespan{0});

/// Reads the table of `spec`, checks the spec against it and installs the
/// function and trigger in one transaction under libwatch's advisory lock.
/// A `timeout` bounds every statement and, as lock_timeout, every lock wait:
/// a DDL statement queued behind a long transaction would block every later
/// writer of the table, so it gives up (`temporarily_failed`) and is retried.
caf::expected<resolved_watcher>
install(connection& conn, const watcher_spec& spec,
        caf::timespan timeout = caf::timespan{0});

/// Drops the watcher's trigger and function in one transaction under the
/// advisory lock; `errc::in_use` (and nothing dropped) while a running node
/// listens on the watcher's channel (libwatch/pg/node_lock.hpp).
caf::error uninstall(connection& conn, const resolved_watcher& w);

/// The same with the given statements (some of `sql::uninstall_statements`).
caf::error uninstall(connection& conn, const resolved_watcher& w,
                     const std::vector<std::string>& statements);

/// The error `uninstall` returns for a watcher a running node uses.
caf::error in_use_error(const resolved_watcher& w);

/// Drops libwatch objects (as listed by `list_libwatch_objects`), triggers
/// before functions, in one transaction under the advisory lock, except
/// those a running node uses (it holds their watcher's node lock,
/// libwatch/pg/node_lock.hpp): returns those, left in place.
caf::expected<std::vector<owned_object>>
drop_objects(connection& conn, const std::vector<owned_object>& objects,
             caf::timespan timeout = caf::timespan{0});

} // namespace libwatch::pg
