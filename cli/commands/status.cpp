// `libwatch status CONFIG [--json]`: whether each watcher's function and
// trigger exist and match the configuration, and which libwatch objects in
// the database no configured watcher owns. Reads only.
#include <iostream>
#include <memory>

#include "cli/commands/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/database.hpp"
#include "cli/exit_code.hpp"
#include "cli/status_report.hpp"

namespace libwatch::cli {

namespace {

constexpr const char* examples = R"(Examples:
  libwatch status libwatch.toml
  libwatch status libwatch.toml --json | jq '.watchers[] | select(.state != "ok")'
  libwatch status libwatch.toml --json | jq '.orphans'

For each watcher: FUNCTION and TRIGGER are ok, missing, differs (exists but
not as the configuration would create it, e.g. after extra_columns changed:
run `libwatch install`), foreign (same name, but not libwatch's), disabled
(trigger only) or unverified (the watcher's table or a column is missing, see
STATE unresolved). Orphans are functions and triggers carrying libwatch's
ownership comment that no configured watcher would create.

Exit codes: 0 everything installed and matching, no orphans; 1 something is
missing, differs or orphaned; 2 usage error or invalid configuration file; 3
database unreachable or other runtime failure.)";

struct status_options {
  std::string path;
  bool json = false;
};

int run_status(const status_options& opts) {
  int code = exit_code::ok;
  auto session = open_session(opts.path, code);
  if (!session)
    return code;
  auto& cfg = session->config;
  auto& conn = session->conn;
  auto resolutions = resolve_watchers(conn, cfg);
  if (!resolutions) {
    report(resolutions.error());
    return exit_code::runtime_failure;
  }
  status_report result;
  for (auto& r : *resolutions) {
    auto state = pg::inspect(conn, r.watcher);
    if (!state) {
      report(state.error());
      return exit_code::runtime_failure;
    }
    result.watchers.push_back({r, std::move(*state)});
  }
  auto objects = pg::list_libwatch_objects(conn);
  if (!objects) {
    report(objects.error());
    return exit_code::runtime_failure;
  }
  result.orphans = pg::orphans(*objects, watchers_of(*resolutions));
  if (opts.json)
    std::cout << to_json(result).dump(2, ' ', false,
                                      json::error_handler_t::replace)
              << std::endl;
  else
    print_text(std::cout, result);
  std::cout << std::flush;
  return result.ok() ? exit_code::ok : exit_code::problems_found;
}

} // namespace

command add_status_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
    "status", "Show whether each watcher's function and trigger are installed "
              "and current, and libwatch objects no watcher owns");
  auto opts = std::make_shared<status_options>();
  add_config_argument(*app, opts->path);
  app->add_flag("--json", opts->json,
                "Print one JSON document instead of a table");
  app->footer(examples);
  return {app, [opts] { return run_status(*opts); }};
}

} // namespace libwatch::cli
