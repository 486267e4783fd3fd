// The tool's own connection to the database of a configuration: same
// conninfo, password variable and application name (with `-cli` appended,
// so operators can tell it apart in pg_stat_activity).
#pragma once

#include <caf/expected.hpp>

#include "libwatch/pg/connection.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::cli {

/// Connects as `cfg` says. Errors carry libpq's message, never a password.
caf::expected<pg::connection> connect(const watch_config& cfg);

/// Prints `libwatch: TEXT` to stderr, TEXT being the error's description
/// (for a failed connection: `cannot connect to PostgreSQL: ` and libpq's
/// message).
void report(const caf::error& err);

} // namespace libwatch::cli
