// `libwatch install CONFIG`: what libwatch does at start-up, without starting:
// create or replace every watcher's function and trigger, then exit.
#include <iostream>
#include <memory>

#include "cli/commands/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/database.hpp"
#include "cli/exit_code.hpp"
#include "cli/replication.hpp"
#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/object_display.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/inventory.hpp"
#include "libwatch/pg/replication_setup.hpp"
#include "libwatch/pg/wal_install.hpp"

namespace libwatch::cli {

namespace {

constexpr const char* examples = R"(Examples:
  libwatch install libwatch.toml
  libwatch check app.toml && libwatch install app.toml && libwatch status app.toml

Creates or replaces each watcher's trigger function and trigger (in one
transaction per watcher, under libwatch's advisory lock, exactly as libwatch
does at start-up) and prints one line per watcher:
  installed WATCHER: function SCHEMA.FUNC, trigger TRIGGER on SCHEMA.TABLE, channel CHANNEL
or, for a watcher with source = "wal", after adding its table to the
consumer's publication and creating the replication slot if needed:
  installed WATCHER: table SCHEMA.TABLE in publication lw_SLOT, slot lw_SLOT
or `not installed: REASON`. A replication slot that was lost (dropped or
invalidated by PostgreSQL) is created afresh, and install says so: the
changes made between the loss and now were not delivered. An existing function or trigger of the same name that is not libwatch's (a
function without libwatch's ownership comment, a trigger calling no such
function) is never replaced; that watcher is reported instead.

Exit codes: 0 all installed; 1 some watcher could not be installed (the
others were); 2 usage error or invalid configuration file; 3 database
unreachable or other runtime failure.)";

// Recreates a lost slot and says what was lost; false when it cannot.
bool recover_slot(pg::connection& conn, const pg::replication_names& names) {
  auto outcome = pg::recreate_slot(conn, names);
  if (!outcome) {
    std::cout << "not installed: replication slot " << names.slot
              << " was lost and cannot be recreated: "
              << describe(outcome.error()) << std::endl;
    return false;
  }
  if (*outcome == pg::slot_outcome::created)
    std::cout << "recreated replication slot " << names.slot
              << ": it was lost (dropped or invalidated); changes between "
                 "the loss and now were NOT delivered to its watchers"
              << std::endl;
  return true;
}

// Installs a `source = "wal"` watcher; returns an exit code.
int install_wal(pg::connection& conn, const watch_config& cfg,
                const watcher_spec& spec) {
  auto names = wal_names(cfg);
  if (!names) {
    std::cout << "not installed: " << describe(names.error()) << std::endl;
    return exit_code::problems_found;
  }
  auto w = pg::install_watcher(conn, spec, cfg.wal.slot);
  if (!w && is(w.error(), errc::slot_lost)) {
    if (!recover_slot(conn, *names))
      return exit_code::problems_found;
    w = pg::install_watcher(conn, spec, cfg.wal.slot);
  }
  if (!w) {
    if (is(w.error(), errc::connection_failed)) {
      report(w.error());
      return exit_code::runtime_failure;
    }
    std::cout << "not installed: " << describe(w.error()) << std::endl;
    return exit_code::problems_found;
  }
  auto st = pg::replication_status_of(conn, *names);
  if (!st) {
    report(st.error());
    return exit_code::runtime_failure;
  }
  auto pub = publication_of(*st, *names, spec);
  std::cout << "installed " << watcher_name(spec) << ": table "
            << quote_qualified(spec.schema, spec.table) << " in publication "
            << (pub.empty() ? names->publication : pub) << ", slot "
            << names->slot << std::endl;
  return exit_code::ok;
}

int run_install(const std::string& path) {
  int code = exit_code::ok;
  auto session = open_session(path, code);
  if (!session)
    return code;
  auto& cfg = session->config;
  auto& conn = session->conn;
  int result = exit_code::ok;
  for (auto& spec : cfg.watchers) {
    if (reads_wal(spec)) {
      auto rc = install_wal(conn, cfg, spec);
      if (rc == exit_code::runtime_failure)
        return rc;
      if (rc != exit_code::ok)
        result = rc;
      continue;
    }
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
    "install", "Create or replace the function and trigger of every watcher "
               "(WAL watchers: publication and replication slot)");
  auto path = std::make_shared<std::string>();
  add_config_argument(*app, *path);
  app->footer(examples);
  return {app, [path] { return run_install(*path); }};
}

} // namespace libwatch::cli
