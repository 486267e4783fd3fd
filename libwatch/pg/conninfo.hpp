// libpq's reading of a connection string, for checks that must agree with
// the way libwatch connects, without any caller touching libpq itself.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace libwatch::pg {

/// What libpq makes of a connection string.
struct parsed_conninfo {
  /// The keywords the string sets, with their values, in libpq's order.
  std::vector<std::pair<std::string, std::string>> settings;
  /// libpq's message when the string does not parse. It may quote parts of
  /// the string, a password included: redact it before showing it.
  std::optional<std::string> error;
};

/// Parses `conninfo` (`key=value` text or a URI) as PQconninfoParse does;
/// reads no environment and contacts no server.
parsed_conninfo parse_conninfo(const std::string& conninfo);

} // namespace libwatch::pg
