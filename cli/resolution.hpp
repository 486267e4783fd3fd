// Every configured watcher checked against the catalog, the first step of
// `status` and `uninstall`: a watcher whose table or columns are gone still
// has its derived object names, so its leftovers can be found and dropped.
#pragma once

#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "libwatch/pg/connection.hpp"
#include "libwatch/table_info.hpp"
#include "libwatch/watch_config.hpp"

namespace libwatch::cli {

/// One configured watcher as the catalog sees it.
struct resolution {
  /// Complete when `error` is empty; otherwise only `spec` and `names` are
  /// set.
  resolved_watcher watcher;
  /// Why the spec does not fit the catalog (`errc::catalog_mismatch`, text
  /// starting with `watcher NAME: `).
  caf::error error;

  bool resolved() const noexcept {
    return !error;
  }
};

/// Resolves every watcher of `cfg`. Catalog mismatches end up in the
/// resolutions; any other failure (a broken connection) is returned.
caf::expected<std::vector<resolution>>
resolve_watchers(pg::connection& conn, const watch_config& cfg);

/// The resolved watchers of `xs` with complete or partial data, for
/// `pg::orphans`, which needs only spec and names.
std::vector<resolved_watcher> watchers_of(const std::vector<resolution>& xs);

} // namespace libwatch::cli
