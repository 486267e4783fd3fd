// What the catalog says about a watched table, and the watcher that results
// from checking a spec against it. The queries live in pg/catalog.cpp; the
// checking here is pure so it is unit-tested without a server.
#pragma once

#include <string>
#include <vector>

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

#include "libwatch/column_info.hpp"
#include "libwatch/object_names.hpp"
#include "libwatch/watcher_spec.hpp"

namespace libwatch {

/// A table (or partitioned table) and its columns, from the catalog.
struct table_info {
  std::string schema;
  std::string table;
  /// `pg_class.relkind`: `r` (table) or `p` (partitioned table) are
  /// watchable.
  char kind = 'r';
  std::vector<column_info> columns;
  /// Columns of the primary key in key order; empty if there is none.
  std::vector<std::string> primary_key;

  const column_info* find(const std::string& column) const noexcept;
};

/// A watcher whose spec was checked against the catalog: everything needed to
/// generate its SQL and decode its payloads.
struct resolved_watcher {
  watcher_spec spec;
  object_names names;
  /// The primary key column (from the spec or the catalog).
  column_info primary_key;
  /// Columns in the payload: primary key, extra columns, then association
  /// columns not already listed.
  std::vector<column_info> payload_columns;
  /// `updated` watchers: columns whose change fires the trigger.
  std::vector<column_info> trigger_columns;
  /// Set by installation: how the function and trigger found in the
  /// database differed from this watcher's before they were replaced (empty
  /// when they matched or did not exist).
  std::vector<std::string> replaced_drift;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resolved_watcher& x) {
  return f(caf::meta::type_name("libwatch::resolved_watcher"), x.spec,
           x.names.channel, x.names.function, x.names.trigger, x.primary_key,
           x.payload_columns, x.trigger_columns, x.replaced_drift);
}

/// Most payload columns a watcher may carry: json_build_object takes at most
/// 100 arguments, two per column.
constexpr size_t max_payload_columns = 50;

/// Checks `spec` against `table`: the table kind, every named column, the
/// primary key. Errors (`errc::catalog_mismatch`) name the missing piece.
caf::expected<resolved_watcher> resolve(const watcher_spec& spec,
                                        const table_info& table);

} // namespace libwatch
