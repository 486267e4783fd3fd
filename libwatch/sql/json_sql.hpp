// SQL fragments that render row values as the JSON libwatch payloads carry.
// Shared by the row-level and statement-level trigger functions and by the
// fetch statement, so every path renders a value the same way.
#pragma once

#include <string>
#include <vector>

#include "libwatch/table_info.hpp"

namespace libwatch::sql {

/// `REC."col"`, cast to text for numeric columns so no digit is lost.
std::string column_value(const std::string& rec, const column_info& column);

/// `'col', REC."col", ...` for json_build_object, in column order.
std::string value_pairs(const std::string& rec,
                        const std::vector<column_info>& columns);

/// `'col', REC.c1, 'col2', REC.c2, ...`: the same object built from a
/// subquery whose i-th payload column is aliased `c<i>` (already rendered
/// by `column_value`).
std::string aliased_value_pairs(const std::string& rec,
                                const std::vector<column_info>& columns);

/// `OLD_VALUE IS DISTINCT FROM NEW_VALUE`, compared as text for types
/// without an equality operator (json, xml, geometric types).
std::string changed_condition(const std::string& old_value,
                              const std::string& new_value,
                              const column_info& column);

/// The event's payload spelling as an SQL literal (`'inserted'`).
std::string type_literal(const resolved_watcher& w);

} // namespace libwatch::sql
