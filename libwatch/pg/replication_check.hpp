// The WAL source's prerequisites, each with the exact fix to print
// (`libwatch check`): server settings, the role's attributes and privileges,
// and the replica identity of every watched table. `ensure_publications`
// refuses a table on the same table checks (libwatch/pg/replication_setup.hpp).
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "libwatch/error.hpp"
#include "libwatch/pg/connection.hpp"
#include "libwatch/pg/replication_setup.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch::pg {

/// Whether a problem stops the WAL source or only deserves a warning.
enum class problem_severity : uint8_t { error, warning };

/// One unmet prerequisite, as `libwatch check` prints it.
struct replication_problem {
  problem_severity severity = problem_severity::error;
  /// The error code a refusal for this problem carries.
  errc code = errc::catalog_mismatch;
  /// One line: what is wrong and where.
  std::string description;
  /// What to run to fix it, exactly (SQL, or a step such as a restart).
  std::string fix;
};

/// Checks what the WAL source of `names` needs for `watchers`: `wal_level =
/// logical`; the REPLICATION attribute (or superuser); a free replication
/// slot and walsender while the slot does not exist yet; ownership of each
/// table not yet published (ADD TABLE needs it); a replica identity for every
/// table watched for updates or deletes (publishing one without would make
/// every UPDATE/DELETE of it fail, 55000); `REPLICA IDENTITY FULL` where a
/// watcher needs old values (an `updated` watcher with trigger columns, a
/// `deleted` watcher with payload columns outside the identity, or whose key
/// the identity does not cover). Partitioned tables are checked leaf by leaf:
/// writes are checked against the partition they hit. Warns when
/// `max_slot_wal_keep_size = -1`. An empty list means all is well.
caf::expected<std::vector<replication_problem>>
check_replication(connection& conn, const replication_names& names,
                  const std::vector<resolved_watcher>& watchers,
                  caf::timespan timeout = caf::timespan{0});

/// A watched table as `ensure_publications` places it.
struct table_placement {
  /// `"schema"."table"`.
  std::string table;
  /// Only `inserted` watchers watch it: it goes to the insert-only
  /// publication.
  bool inserts_only = false;
  /// Already in a publication that covers its watchers.
  bool published = false;
};

/// The table part of `check_replication`: reads the tables of `watchers`,
/// appends their problems (ownership, replica identity) to `problems` and
/// says where each goes. A missing table is `catalog_mismatch`.
caf::expected<std::vector<table_placement>>
check_tables(connection& conn, const replication_names& names,
             const std::vector<resolved_watcher>& watchers,
             std::vector<replication_problem>& problems,
             caf::timespan timeout = caf::timespan{0});

/// Reads, for `$1` = publication and `$2` = slot: has_publication, comment,
/// has_slot, slot_database, plugin, wal_status, active, active_pid,
/// database. Shared by the check and the setup.
extern const std::string replication_state_query;

} // namespace libwatch::pg
