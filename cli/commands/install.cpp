// `libwatch install CONFIG`: what libwatch does at start-up, without starting:
// create or replace every watcher's function and trigger, then exit.
#include <iostream>
#include <memory>

#include "cli/commands/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/database.hpp"
#include "cli/exit_code.hpp"
#include "libwatch/error.hpp"
#include "libwatch/object_display.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/inventory.hpp"

namespace libwatch::cli {

namespace {

constexpr const char* examples = R"(Examples:
  libwatch install libwatch.toml
  libwatch check app.toml && libwatch install app.toml && libwatch status app.toml

Creates or replaces each watcher's trigger function and trigger (in one
transaction per watcher, under libwatch's advisory lock, exactly as libwatch
does at start-up) and prints one line per watcher:
  installed WATCHER: function SCHEMA.FUNC, trigger TRIGGER on SCHEMA.TABLE, channel CHANNEL
or `not installed: REASON`. An existing function or trigger of the same name that is not libwatch's (a
function without libwatch's ownership comment, a trigger calling no such
function) is never replaced; that watcher is reported instead.

Exit codes: 0 all installed; 1 some watcher could not be installed (the
others were); 2 usage error or invalid configuration file; 3 database
unreachable or other runtime failure.)";

int run_install(const std::string& path) {
  int code = exit_code::ok;
  auto session = open_session(path, code);
  if (!session)
    return code;
  auto& cfg = session->config;
  auto& conn = session->conn;
  int result = exit_code::ok;
  for (auto& spec : cfg.watchers) {
    resolved_watcher named;
    named.spec = spec;
    named.names = derive_names(spec);
    auto state = pg::inspect(conn, named);
    if (!state) {
      report(state.error());
      return exit_code::runtime_failure;
    }
    // Checked before install() so a watcher whose table is gone still
    // reports an object it must not replace.
    if (auto err = pg::foreign_object_error(named, *state)) {
      std::cout << "not installed: " << describe(err) << std::endl;
      result = exit_code::problems_found;
      continue;
    }
    auto w = pg::install(conn, spec);
    if (!w) {
      if (is(w.error(), errc::connection_failed)) {
        report(w.error());
        return exit_code::runtime_failure;
      }
      std::cout << "not installed: " << describe(w.error()) << std::endl;
      result = exit_code::problems_found;
      continue;
    }
    std::cout << "installed " << watcher_name(spec) << ": " << function_of(*w)
              << ", " << trigger_of(*w) << ", channel " << w->names.channel
              << std::endl;
  }
  return result;
}

} // namespace

command add_install_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
    "install", "Create or replace the function and trigger of every watcher");
  auto path = std::make_shared<std::string>();
  add_config_argument(*app, *path);
  app->footer(examples);
  return {app, [path] { return run_install(*path); }};
}

} // namespace libwatch::cli
