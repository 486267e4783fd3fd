// The catalog side of the WAL source: everything about a consumer's
// replication slot and publications that runs as ordinary SQL on a normal
// connection (docs/wal-design.md). Blocking; runs on the catalog worker.
//
// Order matters (WAL-NOTES pitfall 4): publications first, then the slot. The
// main publication's COMMENT records whether the slot is still to be created
// (`slot=pending`) or was created (`slot=created`), so a slot that vanished
// later is reported as lost instead of being re-created silently, which would
// hide the changes made while it was gone.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "libwatch/error.hpp"
#include "libwatch/pg/connection.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch::pg {

/// Longest consumer name: `lw_<consumer>_ins` must fit in 63 bytes.
constexpr size_t max_consumer_bytes
  = 63 - (sizeof("lw_") - 1) - (sizeof("_ins") - 1);

/// The objects a consumer owns.
struct replication_names {
  std::string consumer;
  /// `lw_<consumer>`: the logical replication slot (pgoutput).
  std::string slot;
  /// `lw_<consumer>`: publishes inserts, updates, deletes and truncates of
  /// every table an `updated` or `deleted` watcher watches; its COMMENT
  /// carries the slot marker.
  std::string publication;
  /// `lw_<consumer>_ins`: publishes only inserts and truncates, for tables
  /// only `inserted` watchers watch. Such a table needs no replica identity,
  /// and publishing only inserts can never make an UPDATE or DELETE of it
  /// fail.
  std::string insert_publication;
};

/// Names for `consumer`, which must match `[a-z_][a-z0-9_]*`, be at most
/// `max_consumer_bytes` long and not end in `_ins` (that would collide with
/// another consumer's insert publication); `errc::invalid_spec` otherwise.
caf::expected<replication_names>
replication_names_for(std::string_view consumer);

/// Creates the publications of `names` if missing and adds the watched
/// tables they lack, in one transaction under libwatch's advisory lock.
/// Add-only: other nodes of the same consumer may watch more tables.
/// Partitioned tables are published via their root. Never creates a shape
/// that makes a writer fail: no row filters, no column lists, and a table
/// with an error from `check_tables` is refused
/// (`catalog_mismatch`, or `missing_privilege` when only ownership is
/// missing) with every fix in the text, and nothing changes. A publication
/// of that name without libwatch's COMMENT is not touched
/// (`catalog_mismatch`). Returns the publication names to pass to
/// START_REPLICATION (the main one, and the insert-only one if it exists).
caf::expected<std::vector<std::string>>
ensure_publications(connection& conn, const replication_names& names,
                    const std::vector<resolved_watcher>& watchers,
                    caf::timespan timeout = caf::timespan{0});

/// What `ensure_slot` did.
enum class slot_outcome : uint8_t { existed, created };

/// Makes sure the slot exists, after `ensure_publications`. Creates it when
/// the publication's marker says `slot=pending` and records `slot=created`.
/// A slot that is missing although the marker says it was created, or that
/// PostgreSQL invalidated (`wal_status = lost`), is `errc::slot_lost`: the
/// changes since are gone, and only `recreate_slot` (or `libwatch install`)
/// starts afresh. Must run outside a transaction: creating a logical slot
/// waits for every writing transaction in the cluster (bound it with
/// `timeout`). A slot of that name in another database, or a missing
/// publication, is `catalog_mismatch`.
caf::expected<slot_outcome>
ensure_slot(connection& conn, const replication_names& names,
            caf::timespan timeout = caf::timespan{0});

/// The operator's answer to `errc::slot_lost`: drops an invalidated slot
/// (`in_use` while a walsender holds it), creates a fresh one starting now
/// and records `slot=created`. Changes between the loss and now are not
/// delivered; the caller signals that gap. Does nothing to a healthy slot
/// (returns `existed`).
caf::expected<slot_outcome>
recreate_slot(connection& conn, const replication_names& names,
              caf::timespan timeout = caf::timespan{0});

/// `ensure_publications`, then `ensure_slot`: the publication names.
caf::expected<std::vector<std::string>>
setup_replication(connection& conn, const replication_names& names,
                  const std::vector<resolved_watcher>& watchers,
                  caf::timespan timeout = caf::timespan{0});

/// A publication and the tables added to it (`schema.table`, quoted where
/// needed).
struct publication_tables {
  std::string name;
  std::vector<std::string> tables;
};

/// The slot's state as `pg_replication_slots` shows it. Byte counts are -1
/// when unknown (no slot, or an invalidated one without restart_lsn).
struct replication_status {
  std::string slot;
  bool exists = false;
  bool active = false;
  /// The walsender streaming from it, 0 when none.
  int active_pid = 0;
  /// `reserved`, `extended`, `unreserved` or `lost`; empty without a slot.
  std::string wal_status;
  /// The marker in the publication's COMMENT: `pending`, `created` or empty.
  std::string marker;
  std::string confirmed_flush_lsn;
  std::string restart_lsn;
  /// `pg_current_wal_lsn() - restart_lsn`: WAL the slot keeps on disk.
  int64_t retained_bytes = -1;
  /// `pg_current_wal_lsn() - confirmed_flush_lsn`: how far the consumer
  /// lags.
  int64_t flush_lag_bytes = -1;
  /// Bytes that may still be written before the slot is invalidated; -1
  /// when unknown or unlimited (`max_slot_wal_keep_size = -1`).
  int64_t safe_wal_size = -1;
  std::vector<publication_tables> publications;
};

/// Reads the status of the slot and publications of `names`.
caf::expected<replication_status>
replication_status_of(connection& conn, const replication_names& names,
                      caf::timespan timeout = caf::timespan{0});

/// Drops the slot, then the publications that carry libwatch's COMMENT. A
/// slot that a walsender holds is `errc::in_use` naming its PID, and then
/// nothing is dropped (the stream would fail without its publications).
caf::error uninstall_replication(connection& conn,
                                 const replication_names& names,
                                 caf::timespan timeout = caf::timespan{0});

/// A libwatch slot or publication in this database that belongs to another
/// consumer, e.g. one abandoned after renaming `[wal] slot`.
struct replication_orphan {
  enum class kind_t : uint8_t { slot, publication };
  kind_t kind = kind_t::slot;
  std::string name;
  std::string consumer;
  /// Slots: whether a walsender streams from it.
  bool active = false;
  /// Slots: WAL it keeps on disk (-1 when unknown).
  int64_t retained_bytes = -1;
};

/// Lists the slots named `lw_%` (pgoutput, this database) and the
/// publications with libwatch's COMMENT whose consumer is not `consumer`.
caf::expected<std::vector<replication_orphan>>
replication_orphans(connection& conn, std::string_view consumer,
                    caf::timespan timeout = caf::timespan{0});

} // namespace libwatch::pg
