// The JSON that `tail` prints, one object per received message, and the
// helpers `status --json` shares. Column values keep their types: integers
// stay numbers, JSON columns are embedded as JSON, numeric stays a string.
#pragma once

#include <string>

#include <caf/timestamp.hpp>
#include <nlohmann/json.hpp>

#include "libwatch/change.hpp"
#include "libwatch/signals.hpp"
#include "libwatch/value.hpp"

namespace libwatch::cli {

/// Keeps keys in the order they are written, so every line reads the same.
using json = nlohmann::ordered_json;

/// `2024-05-01T12:34:56.123456Z`: ISO 8601, UTC, microseconds.
std::string iso8601(caf::timestamp x);

/// null, true/false, an integer, a float, a string, or the embedded JSON
/// array/object of a json/jsonb/array column.
json to_json(const value& x);

/// `{"type":"change","watcher":..,"event":..,"schema":..,"table":..,
/// "values":{column: value, ...}}`, values in the change's column order.
json to_json(const change& x);

/// `{"type":"ready","watcher":..,"at":..}`
json to_json(const ready_msg& x);

/// `{"type":"disconnected","watcher":..,"reason":..,"since":..}`
json to_json(const disconnected_msg& x);

/// `{"type":"resumed","watcher":..,"missed_from":..,"missed_until":..}`
json to_json(const resumed_msg& x);
json to_json(const truncated_msg& x);

/// `{"type":"overflow","watcher":..,"missed":N,"missed_from":..,
/// "missed_until":..,"cut_off":false}`
json to_json(const overflow_msg& x);

/// One line of JSON without the newline. Invalid UTF-8 in strings is
/// replaced (U+FFFD) rather than failing the whole line.
std::string to_line(const json& x);

} // namespace libwatch::cli
