// The WAL side of a configuration as the commands see it: which watchers read
// the WAL, the slot and publications their consumer owns, and how the slot's
// state reads (`status`, `install`, `uninstall`).
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>

#include "libwatch/pg/replication_setup.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::cli {

/// Whether `spec` gets its changes from logical replication.
bool reads_wal(const watcher_spec& spec);

/// Whether any watcher of `cfg` reads the WAL.
bool has_wal_watchers(const watch_config& cfg);

/// The slot and publication names of `cfg.wal.slot`.
caf::expected<pg::replication_names> wal_names(const watch_config& cfg);

/// `ok` (exists, not invalidated), `lost` (invalidated, or missing although
/// it was created) or `missing`.
std::string slot_state(const pg::replication_status& x);

/// The publication of `x` that carries the table of `spec`, empty when none
/// does. A watcher for updates or deletes needs the main publication.
std::string publication_of(const pg::replication_status& x,
                           const pg::replication_names& names,
                           const watcher_spec& spec);

} // namespace libwatch::cli
