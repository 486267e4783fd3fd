#include "cli/database.hpp"

#include <iostream>

#include "libwatch/error.hpp"

namespace libwatch::cli {

caf::expected<pg::connection> connect(const watch_config& cfg) {
  pg::connect_options opts;
  opts.conninfo = cfg.conninfo;
  opts.application_name = cfg.application_name + "-cli";
  opts.password_env = cfg.password_env;
  return pg::connection::open(opts);
}

void report(const caf::error& err) {
  std::cerr << "libwatch: " << describe(err) << std::endl;
}

} // namespace libwatch::cli
