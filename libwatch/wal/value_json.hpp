// One column value as JSON, rendered from the value's text output exactly as
// PostgreSQL 15's `to_json` renders the datum (json.c `json_categorize_type`,
// `datum_to_json`, `escape_json`), for the types where the text output
// decides the JSON. The text must come from a session with `DateStyle =
// ISO` (timestamps are rewritten from ISO to to_json's XSD form).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libwatch/column_info.hpp"

namespace libwatch::wal {

/// How to_json renders a type's values, seen from their text output.
enum class json_rendering : uint8_t {
  /// Not known to follow from the text: callers must not render it.
  inexact,
  /// `t`/`f` become true/false.
  boolean,
  /// The text when it is a valid JSON number, else a string (NaN,
  /// Infinity): int2/4/8, float4/8, numeric array elements.
  number,
  /// The text as a JSON string: dates and the types to_json has no rule
  /// for, and numeric columns, which the trigger casts to text first.
  string,
  /// The text itself: json, jsonb.
  verbatim,
  /// ISO `YYYY-MM-DD HH:MM:SS[.f][ BC]` to `"YYYY-MM-DDTHH:MM:SS[.f][ BC]"`.
  timestamp,
  /// Like `timestamp`, the offset always with minutes (`+00` -> `+00:00`).
  timestamptz,
};

/// How one column's values are rendered.
struct column_rendering {
  /// For arrays: how each element is rendered.
  json_rendering how = json_rendering::inexact;
  /// Rendered as (nested) JSON arrays from array_out's text.
  bool is_array = false;
  /// The column's type OID this rendering holds for; 0 for any
  /// user-defined type (enums, whose OIDs differ per database).
  uint32_t type_oid = 0;

  bool exact() const noexcept {
    return how != json_rendering::inexact;
  }

  /// Whether a column of type `oid` may use this rendering: a type named
  /// like a builtin one can live in another schema, and a column's type can
  /// change after the catalog was read.
  bool accepts(uint32_t oid) const noexcept;
};

/// The rendering of `column` by its catalog type name (`inexact` for
/// domains, composites, ranges, geometric types, enum arrays and types
/// not listed in value_json.cpp).
column_rendering rendering_of(const column_info& column);

/// Appends `text` as a JSON string, escaped as json.c's escape_json does
/// (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other bytes below 0x20 as
/// `\u00xx`; everything else, UTF-8 included, as is).
void escape_json(std::string_view text, std::string& out);

/// Appends the JSON for the non-NULL value whose text output is `text`.
/// Returns false when the text does not have the shape the rendering
/// expects (`out` then holds a partial value), or when `how` is inexact.
bool render_json(const column_rendering& how, std::string_view text,
                 std::string& out);

} // namespace libwatch::wal
