// The tool's own connection to the database of a configuration: same
// conninfo, password variable and application name (with `-cli` appended,
// so operators can tell it apart in pg_stat_activity).
#pragma once

#include <optional>
#include <string>

#include <caf/expected.hpp>

#include "libwatch/pg/connection.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::cli {

/// Connects as `cfg` says. Errors carry libpq's message, never a password.
caf::expected<pg::connection> connect(const watch_config& cfg);

/// A loaded configuration and a connection to its database: what check,
/// install, status and uninstall start from.
struct session {
  watch_config config;
  pg::connection conn;
};

/// Loads the configuration at `path` and connects. On failure it has printed
/// why and `exit_code` holds the code to return (usage error for the file,
/// runtime failure for the connection).
std::optional<session> open_session(const std::string& path, int& exit_code);

/// Prints `libwatch: TEXT` to stderr, TEXT being the error's description
/// (for a failed connection: `cannot connect to PostgreSQL: ` and libpq's
/// message).
void report(const caf::error& err);

} // namespace libwatch::cli
