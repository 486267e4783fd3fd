#include "config/section_readers.hpp"

#include <algorithm>

#include "config/conninfo_check.hpp"
#include "config/table_reader.hpp"

namespace libwatch::config {

namespace {

// A string that libpq would cut at its first NUL byte.
std::optional<std::string> string_without_nul(table_reader& in,
                                              std::string_view key) {
  auto value = in.string(key);
  if (value && value->find('\0') != std::string::npos) {
    in.fail(*in.find(key), in.path(key), "must not contain a NUL byte");
    return std::nullopt;
  }
  return value;
}

bool is_env_name(std::string_view name) {
  auto letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (name.empty() || !letter(name.front()))
    return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return letter(c) || (c >= '0' && c <= '9');
  });
}

} // namespace

void reject_password(table_reader& in) {
  if (in.find("password") != nullptr)
    in.fail_key("password", "passwords do not belong in configuration files; "
                              + std::string{password_advice});
}

void read_conninfo(table_reader& in, const key_def& key, watch_config& out) {
  if (auto x = string_without_nul(in, key.name)) {
    if (auto problem = conninfo_problem(*x))
      in.fail(*in.find(key.name), in.path(key.name), *problem);
    out.conninfo = *x;
  }
}

void read_password_env(table_reader& in, const key_def& key,
                       watch_config& out) {
  if (auto x = in.string(key.name)) {
    if (!is_env_name(*x))
      in.fail(*in.find(key.name), in.path(key.name),
              "is " + in_quotes(*x)
                + "; must be the name of an environment variable: letters, "
                  "digits and underscores, not starting with a digit");
    out.password_env = *x;
  }
}

void read_application_name(table_reader& in, const key_def& key,
                           watch_config& out) {
  if (auto x = string_without_nul(in, key.name))
    out.application_name = *x;
}

void read_listen(table_reader& in, const key_def& key, watch_config& out) {
  auto x = in.string(key.name);
  if (!x)
    return;
  std::string host = "127.0.0.1";
  std::string port = *x;
  auto colon = x->rfind(':');
  if (colon != std::string::npos) {
    host = x->substr(0, colon);
    port = x->substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    if (host.empty())
      host = "127.0.0.1";
  }
  bool digits = !port.empty() && port.size() <= 5
                && port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoul(port) > 65535) {
    in.fail(*in.find(key.name), in.path(key.name),
            "is " + in_quotes(*x)
              + "; must be \"HOST:PORT\" with a port from 0 to 65535, e.g. "
                "\"127.0.0.1:4242\"");
    return;
  }
  out.cluster.enabled = true;
  out.cluster.host = host;
  out.cluster.port = static_cast<uint16_t>(std::stoul(port));
}

} // namespace libwatch::config
