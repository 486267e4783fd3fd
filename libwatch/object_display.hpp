// How messages write the names of a watcher's database objects. There are
// two styles, each rendered here and nowhere else: `sql` as a statement
// would name the object (every part double-quoted), for the library's own
// errors and drift reports; `plain` for humans reading the command-line
// tool, where lower-case names stay bare so they can be typed into psql.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libwatch/table_info.hpp"

namespace libwatch {

/// How `function_of` and `trigger_of` write names.
enum class name_style : uint8_t {
  /// `function "public"."lw_x_func"()`, `trigger "lw_x_trigger" on
  /// "public"."t"`.
  sql,
  /// `function public.lw_x_func`, `trigger lw_x_trigger on public.t`; a name
  /// that is not a plain lower-case identifier is double-quoted.
  plain,
};

/// `name`, or `"Name"` (quote_identifier) when it is not a plain lower-case
/// identifier.
std::string display_name(std::string_view name);

/// `schema.name`, each part as `display_name` writes it.
std::string display_name(std::string_view schema, std::string_view name);

/// `function SCHEMA.NAME`.
std::string function_named(std::string_view schema, std::string_view name,
                           name_style style);

/// `trigger NAME on SCHEMA.TABLE`.
std::string trigger_named(std::string_view name, std::string_view schema,
                          std::string_view table, name_style style);

/// `function SCHEMA.NAME`, the watcher's trigger function.
std::string function_of(const resolved_watcher& w,
                        name_style style = name_style::plain);

/// `trigger NAME on SCHEMA.TABLE`, the watcher's trigger.
std::string trigger_of(const resolved_watcher& w,
                       name_style style = name_style::plain);

} // namespace libwatch
