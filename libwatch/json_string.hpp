// Writing a string as a JSON string literal: shared by `value::to_json` and
// the WAL source's rendering of values as PostgreSQL's to_json does.
#pragma once

#include <string>
#include <string_view>

namespace libwatch {

/// How backspace and form feed are written (everything else is fixed: `"`,
/// `\` and \n \r \t get their short escapes, other control characters
/// `\u00XX`).
enum class json_escapes {
  /// `\u0008`, `\u000c`.
  unicode,
  /// `\b`, `\f`, as PostgreSQL's escape_json writes them.
  postgres,
};

/// Appends `text`, quoted and escaped, to `out`.
void append_json_string(std::string_view text, std::string& out,
                        json_escapes style = json_escapes::unicode);

} // namespace libwatch
