// Where a watcher's changes come from: a trigger that notifies (works on any
// PostgreSQL and needs no server settings), or the write-ahead log through
// logical replication (no cost to writers; needs wal_level = logical).
// Subscribers receive the same messages either way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace libwatch {

enum class watch_source : uint8_t {
  /// A PL/pgSQL trigger on the table that calls pg_notify.
  trigger,
  /// The table's changes decoded from the WAL (pgoutput) at commit.
  wal,
};

/// Every source, in declaration order.
inline constexpr watch_source all_watch_sources[]
  = {watch_source::trigger, watch_source::wal};

/// `"trigger"` or `"wal"`: the spelling used in configuration files.
std::string_view to_string_view(watch_source x) noexcept;

/// Same as `to_string_view`; lets CAF print the value.
std::string to_string(watch_source x);

/// Parses the spelling produced by `to_string_view`; nothing else.
std::optional<watch_source> parse_watch_source(std::string_view) noexcept;

} // namespace libwatch
