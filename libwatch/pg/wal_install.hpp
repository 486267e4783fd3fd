// Installing a watcher whatever its source: a trigger, or its table in the
// consumer's publication and the consumer's replication slot.
#pragma once

#include <string>

#include <caf/expected.hpp>
#include <caf/timespan.hpp>

#include "libwatch/pg/connection.hpp"
#include "libwatch/table_info.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch::pg {

/// A `source = "wal"` watcher: resolves it, then makes sure the
/// publications of `wal_slot` carry its table and the slot exists
/// (`setup_replication`). Refuses, with the fix in the message, a table
/// whose writers the publication would break or whose replica identity does
/// not give the watcher the old values it needs; a lost slot is
/// `errc::slot_lost` and is never re-created here.
caf::expected<resolved_watcher>
install_from_wal(connection& conn, const watcher_spec& spec,
                 const std::string& wal_slot,
                 caf::timespan timeout = caf::timespan{0});

/// `install` or `install_from_wal`, as `spec.source` says.
caf::expected<resolved_watcher>
install_watcher(connection& conn, const watcher_spec& spec,
                const std::string& wal_slot,
                caf::timespan timeout = caf::timespan{0});

} // namespace libwatch::pg
