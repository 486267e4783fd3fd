// The three row events a watcher can cover, and their stable spellings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace libwatch {

/// The kind of row change a watcher reports. One watcher covers one event.
enum class event_kind : uint8_t {
  inserted,
  updated,
  deleted,
};

/// Every event kind, in declaration order: what `parse_event_kind` accepts
/// and what messages list as valid.
inline constexpr event_kind all_event_kinds[]
  = {event_kind::inserted, event_kind::updated, event_kind::deleted};

/// Returns `"inserted"`, `"updated"` or `"deleted"`: the spelling used in
/// payloads, derived names, configuration files and log lines.
std::string_view to_string_view(event_kind x) noexcept;

/// Same as `to_string_view`; lets CAF print the value in messages.
std::string to_string(event_kind x);

/// Parses the spelling produced by `to_string_view`; nothing else.
std::optional<event_kind> parse_event_kind(std::string_view text) noexcept;

/// The SQL keyword of the trigger event: `INSERT`, `UPDATE` or `DELETE`.
std::string_view sql_keyword(event_kind x) noexcept;

} // namespace libwatch
