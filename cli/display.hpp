// How the tool writes database object names for humans: plain names as they
// are, anything else double-quoted, so unusual names stay unambiguous.
#pragma once

#include <string>

#include "libwatch/pg/inventory.hpp"
#include "libwatch/table_info.hpp"

namespace libwatch::cli {

/// `name`, or `"Name"` (quote_identifier) when it is not a plain lower-case
/// identifier.
std::string display_name(const std::string& name);

/// `schema.name`, each part as `display_name` writes it.
std::string display_name(const std::string& schema, const std::string& name);

/// `function SCHEMA.NAME`, the watcher's trigger function.
std::string function_of(const resolved_watcher& w);

/// `trigger NAME on SCHEMA.TABLE`, the watcher's trigger.
std::string trigger_of(const resolved_watcher& w);

/// Why an existing object of that kind is not libwatch's, e.g. `its comment
/// lacks the libwatch:v1 marker`.
std::string not_libwatchs(pg::object_kind kind);

} // namespace libwatch::cli
