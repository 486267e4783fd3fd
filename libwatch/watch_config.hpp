// Everything one libwatch instance needs: where the database is and which
// watchers to run. Built in code or loaded from TOML (config/), one structure.
#pragma once

#include <string>
#include <vector>

#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// Configuration of one libwatch instance.
struct watch_config {
  /// libpq connection string or URI. Empty: libpq's defaults and the `PG*`
  /// environment variables apply, exactly as with psql.
  std::string conninfo;
  /// `application_name` of libwatch's connections (shown in
  /// pg_stat_activity).
  std::string application_name = "libwatch";
  /// The watchers to run; each gets its own actor, trigger and channel.
  std::vector<watcher_spec> watchers;
};

/// One problem found by `validate`.
struct spec_problem {
  /// Index into `watch_config::watchers`.
  size_t watcher;
  /// The offending field, e.g. `"label"` or `"extra_columns"`.
  std::string field;
  /// What is wrong and what would be valid.
  std::string message;
};

/// Checks everything that can be checked without a database: identifiers,
/// labels, name lengths, option combinations and duplicates. Returns every
/// problem, not just the first.
std::vector<spec_problem> validate(const watch_config& cfg);

/// Renders problems one per line as `watcher N (NAME): FIELD: MESSAGE`.
std::string to_string(const std::vector<spec_problem>& problems,
                      const watch_config& cfg);

} // namespace libwatch
