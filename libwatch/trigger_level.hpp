// How often a watcher's trigger runs: once per changed row, or once per
// statement over all the rows it changed. Subscribers receive the same
// per-row change messages either way; the level only moves cost around.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace libwatch {

enum class trigger_level : uint8_t {
  /// `FOR EACH ROW`: one notification per row. Cheapest for statements that
  /// change one or a few rows (single-row autocommit writes).
  row,
  /// `FOR EACH STATEMENT` with transition tables: one notification per chunk
  /// of rows (each under 8000 bytes). Much cheaper for bulk statements.
  statement,
};

/// Every level, in declaration order.
inline constexpr trigger_level all_trigger_levels[]
  = {trigger_level::row, trigger_level::statement};

/// `"row"` or `"statement"`: the spelling used in configuration files.
std::string_view to_string_view(trigger_level x) noexcept;

/// Same as `to_string_view`; lets CAF print the value.
std::string to_string(trigger_level x);

/// Parses the spelling produced by `to_string_view`; nothing else.
std::optional<trigger_level> parse_trigger_level(std::string_view) noexcept;

} // namespace libwatch
