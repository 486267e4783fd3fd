#include "config/conninfo_check.hpp"

#include <memory>

#include <libpq-fe.h>

namespace libwatch::config {

namespace {

struct conninfo_deleter {
  void operator()(PQconninfoOption* ptr) const noexcept {
    PQconninfoFree(ptr);
  }
};

struct pq_memory_deleter {
  void operator()(char* ptr) const noexcept {
    PQfreemem(ptr);
  }
};

} // namespace

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
  char* raw_message = nullptr;
  std::unique_ptr<PQconninfoOption, conninfo_deleter> options{
    PQconninfoParse(conninfo.c_str(), &raw_message)};
  std::unique_ptr<char, pq_memory_deleter> message{raw_message};
  if (!options)
    return "cannot be parsed by libpq: "
           + (message ? redact(message.get(), conninfo) : "out of memory");
  for (auto* opt = options.get(); opt->keyword != nullptr; ++opt)
    if (std::string_view{opt->keyword} == "password" && opt->val != nullptr)
      return "contains a password; remove it and "
             + std::string{password_advice};
  return std::nullopt;
}

} // namespace libwatch::config
