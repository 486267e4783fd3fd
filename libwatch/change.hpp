// The message subscribers receive for every committed row change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "libwatch/event.hpp"
#include "libwatch/value.hpp"

namespace libwatch {

/// One column of a change: its name and value.
struct field {
  std::string column;
  libwatch::value value;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, field& x) {
  return f(caf::meta::type_name("libwatch::field"), x.column, x.value);
}

/// A committed change of one row, as seen by one watcher. For `inserted` and
/// `updated` the values come from the new row, for `deleted` from the old
/// row. `values` holds the primary key first, then the extra columns, then
/// the association columns not already listed, in configuration order.
struct change {
  /// The watcher's name: its label, or `schema.table:event`.
  std::string watcher;
  event_kind event = event_kind::inserted;
  std::string schema;
  std::string table;
  std::vector<field> values;
  /// The notification payload exactly as received, for debugging.
  std::string raw;

  /// The primary-key value. Precondition: `values` is not empty (always true
  /// for changes libwatch publishes).
  const libwatch::value& key() const {
    return values.front().value;
  }

  /// Returns the value of `column`, or nullptr if the change does not carry
  /// that column.
  const libwatch::value* find(std::string_view column) const noexcept;

  /// Returns the value of `column`; throws `std::out_of_range` naming the
  /// column if the change does not carry it.
  const libwatch::value& at(std::string_view column) const;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, change& x) {
  return f(caf::meta::type_name("libwatch::change"), x.watcher, x.event,
           x.schema, x.table, x.values, x.raw);
}

} // namespace libwatch
