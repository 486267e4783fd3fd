// Checks of the connection string in a configuration file: it must parse,
// and it must not carry a password. Messages never repeat the string itself,
// which could hold one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace libwatch::config {

/// How to supply a password instead, for error messages.
constexpr std::string_view password_advice
  = "set password_env to the name of an environment variable holding it, or "
    "use PGPASSWORD or PGPASSFILE";

/// The test libpq applies to `dbname` with expand_dbname (which is how
/// libwatch connects): a URI or `key=value` text; anything else is a plain
/// database name.
bool is_connection_string(std::string_view text);

/// libpq quotes parts of the connection string in its messages, which could
/// be a password. Keeps only quoted words the user wrote as keywords
/// (followed by `=`) and single characters; replaces everything else by
/// `...`.
std::string redact(std::string_view message, std::string_view conninfo);

/// Why `conninfo` cannot be used (unparsable, or it contains a password),
/// or nothing.
std::optional<std::string> conninfo_problem(const std::string& conninfo);

} // namespace libwatch::config
