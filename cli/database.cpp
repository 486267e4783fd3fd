#include "cli/database.hpp"

#include <iostream>

#include "cli/config_file.hpp"
#include "cli/exit_code.hpp"
#include "libwatch/error.hpp"

namespace libwatch::cli {

caf::expected<pg::connection> connect(const watch_config& cfg) {
  pg::connect_options opts;
  opts.conninfo = cfg.conninfo;
  opts.application_name = cfg.application_name + "-cli";
  opts.password_env = cfg.password_env;
  return pg::connection::open(opts);
}

std::optional<session> open_session(const std::string& path, int& code) {
  auto cfg = load_config(path);
  if (!cfg) {
    code = exit_code::usage_error;
    return std::nullopt;
  }
  auto conn = connect(*cfg);
  if (!conn) {
    report(conn.error());
    code = exit_code::runtime_failure;
    return std::nullopt;
  }
  return session{std::move(*cfg), std::move(*conn)};
}

void report(const caf::error& err) {
  std::cerr << "libwatch: " << describe(err) << std::endl;
}

} // namespace libwatch::cli
