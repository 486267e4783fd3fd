#include "config/conninfo_check.hpp"

#include "libwatch/pg/conninfo.hpp"

namespace libwatch::config {

bool is_connection_string(std::string_view text) {
  return text.rfind("postgresql://", 0) == 0
         || text.rfind("postgres://", 0) == 0
         || text.find('=') != std::string_view::npos;
}

std::string redact(std::string_view message, std::string_view conninfo) {
  auto is_keyword = [&](std::string_view word) {
    if (word.size() <= 1)
      return true;
    for (auto at = conninfo.find(word); at != std::string_view::npos;
         at = conninfo.find(word, at + 1)) {
      auto rest = conninfo.substr(at + word.size());
      auto next = rest.find_first_not_of(" \t\n\r");
      if (next != std::string_view::npos && rest[next] == '=')
        return true;
    }
    return false;
  };
  std::string out;
  size_t pos = 0;
  while (pos < message.size()) {
    auto open = message.find('"', pos);
    auto close
      = open == std::string_view::npos ? open : message.find('"', open + 1);
    if (close == std::string_view::npos) {
      out += message.substr(pos);
      break;
    }
    auto word = message.substr(open + 1, close - open - 1);
    out += message.substr(pos, open - pos + 1);
    out += is_keyword(word) ? word : "...";
    out += '"';
    pos = close + 1;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

std::optional<std::string> conninfo_problem(const std::string& conninfo) {
  if (!is_connection_string(conninfo))
    return std::nullopt;
  auto parsed = pg::parse_conninfo(conninfo);
  if (parsed.error)
    return "cannot be parsed by libpq: " + redact(*parsed.error, conninfo);
  for (auto& setting : parsed.settings)
    if (setting.first == "password")
      return "contains a password; remove it and "
             + std::string{password_advice};
  return std::nullopt;
}

} // namespace libwatch::config
