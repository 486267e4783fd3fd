// The argument of `tail --watch`: TARGET[:COLUMN=VALUE]. TARGET is what
// `watcher_ref` accepts (a label, `table:event`, `schema.table:event`); the
// optional `:COLUMN=VALUE` narrows it to one primary key or association
// column value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <caf/expected.hpp>

namespace libwatch::cli {

struct watch_target {
  /// The watcher, as `watcher_ref` reads it.
  std::string target;
  /// The primary-key or association column, if narrowed.
  std::optional<std::string> column;
  /// The value to match, as text (topics match integers by their text, so
  /// "7" finds 7).
  std::string value;
};

/// Splits `text`: at the first `=` outside double quotes, the part after the
/// last `:` before it is the column, the rest after `=` the value. Without
/// such an `=` (or without a `:` before it) the whole text is the target.
/// Errors (`errc::invalid_subscription`) for an empty target or column.
caf::expected<watch_target> parse_watch_target(std::string_view text);

} // namespace libwatch::cli
