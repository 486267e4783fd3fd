// The one place where text becomes SQL: identifier and literal quoting, and
// the rules a name from a configuration must satisfy. Every statement libwatch
// builds quotes names through these functions; values travel as parameters.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace libwatch {

/// PostgreSQL's NAMEDATALEN - 1: longer names are silently truncated by the
/// server, so libwatch rejects them instead.
constexpr size_t max_identifier_bytes = 63;

/// Returns `name` as a double-quoted SQL identifier (`"` doubled), which keeps
/// its case and any character. Precondition: `identifier_problem(name)` is
/// empty.
std::string quote_identifier(std::string_view name);

/// Returns `"schema"."name"`, both parts as `quote_identifier` writes them.
std::string quote_qualified(std::string_view schema, std::string_view name);

/// Returns `text` as a SQL string literal that is correct whatever the
/// server's `standard_conforming_strings` (quotes doubled; backslashes doubled
/// inside an `E'...'` literal), like libpq's PQescapeLiteral.
std::string quote_literal(std::string_view text);

/// Returns why `name` cannot name a PostgreSQL object (empty, longer than 63
/// bytes, contains a NUL byte or invalid UTF-8), or nothing when it can.
std::optional<std::string> identifier_problem(std::string_view name);

/// Returns whether `label` matches `[a-z_][a-z0-9_]*`: labels name channels,
/// functions and triggers and appear in command lines, so they stay plain.
bool is_valid_label(std::string_view label) noexcept;

/// Returns whether `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text) noexcept;

} // namespace libwatch
