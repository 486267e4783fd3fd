// A column of a watched table as the catalog describes it: part of what
// `watcher_details` tells users.
#pragma once

#include <string>

#include <caf/meta/type_name.hpp>

namespace libwatch {

/// One column as pg_attribute/pg_type describe it.
struct column_info {
  std::string name;
  /// `format_type()` output, e.g. `character varying(20)`.
  std::string type;
  /// `pg_type.typname`, e.g. `varchar`, `_json` for json[].
  std::string type_name;
  /// `pg_type.typcategory`, e.g. `N` for numeric types, `A` for arrays.
  char category = 'U';
  /// For arrays, the element's `typname`; empty otherwise.
  std::string element_type_name;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, column_info& x) {
  return f(caf::meta::type_name("libwatch::column_info"), x.name, x.type,
           x.type_name, x.category, x.element_type_name);
}

} // namespace libwatch
