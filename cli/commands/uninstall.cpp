// `libwatch uninstall CONFIG`: drop the functions and triggers `install`
// created for the configured watchers, and nothing else: an object with a
// watcher's derived name that is not libwatch's (pg::object_state) stays.
#include <iostream>
#include <memory>

#include "cli/commands/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/database.hpp"
#include "cli/exit_code.hpp"
#include "cli/replication.hpp"
#include "libwatch/error.hpp"
#include "libwatch/object_display.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/inventory.hpp"
#include "libwatch/pg/replication_setup.hpp"
#include "libwatch/sql/trigger_sql.hpp"

namespace libwatch::cli {

namespace {

constexpr const char* examples = R"(Examples:
  libwatch uninstall libwatch.toml
  libwatch uninstall old.toml && libwatch status old.toml

Drops each configured watcher's trigger and trigger function, but only
libwatch's own: a function whose comment carries libwatch's ownership marker,
a trigger that calls such a function. Prints one line per object:
  dropped trigger TRIGGER on SCHEMA.TABLE (watcher WATCHER)
  dropped function SCHEMA.FUNC (watcher WATCHER)
  absent  ... : nothing to drop
  skipped ... : exists but is not libwatch's
  in use  ... : a running libwatch node still listens for this watcher
                (it holds the watcher's node lock); nothing of it is dropped
Watchers with source = "wal" have no trigger: their consumer's replication
slot and publications (lw_SLOT, lw_SLOT_ins; only those carrying libwatch's
comment) are dropped once for the whole configuration:
  dropped slot lw_SLOT
  dropped publication lw_SLOT
  in use  slot lw_SLOT: a running libwatch node streams from it; nothing of
          it is dropped
Objects that no configured watcher owns (see `libwatch status`) are left alone.

Exit codes: 0 done; 1 an object was skipped, in use or could not be dropped;
2 usage error or invalid configuration file; 3 database unreachable or other
runtime failure.)";

// What happens to one object.
enum class fate { absent, skipped, dropped };

fate fate_of(bool exists, bool marked) {
  if (!exists)
    return fate::absent;
  return marked ? fate::dropped : fate::skipped;
}

void print(fate f, pg::object_kind kind, const std::string& object,
           const resolved_watcher& w) {
  auto owner = " (watcher " + watcher_name(w.spec) + ")";
  switch (f) {
    case fate::absent:
      std::cout << "absent " << object << owner << ": nothing to drop\n";
      break;
    case fate::skipped:
      std::cout << "skipped " << object << owner
                << ": exists but is not libwatch's (" << pg::not_libwatchs(kind)
                << ")\n";
      break;
    case fate::dropped:
      std::cout << "dropped " << object << owner << '\n';
      break;
  }
}

// Drops what is libwatch's of one watcher; returns an exit code.
int uninstall_one(pg::connection& conn, const watcher_spec& spec) {
  // Finding and dropping the objects needs their names only, so watchers
  // whose table or columns are gone can still be cleaned up.
  resolved_watcher w;
  w.spec = spec;
  w.names = derive_names(spec);
  auto state = pg::inspect(conn, w);
  if (!state) {
    report(state.error());
    return exit_code::runtime_failure;
  }
  auto trigger = fate_of(state->trigger_exists, state->trigger_marked);
  auto function = fate_of(state->function_exists, state->function_marked);
  auto statements = sql::uninstall_statements(w); // trigger, then function
  caf::error err;
  if (trigger == fate::dropped && function != fate::skipped) {
    // The usual case: both objects are libwatch's (or one is gone already).
    err = pg::uninstall(conn, w, statements);
  } else if (function == fate::dropped) {
    // No trigger to drop on this table (or not ours, or the table is gone):
    // DROP TRIGGER would fail on a missing table, so drop the function alone.
    err = pg::uninstall(conn, w, {statements[1]});
  } else if (trigger == fate::dropped) {
    err = pg::uninstall(conn, w, {statements[0]});
  }
  if (err) {
    if (is(err, errc::connection_failed)) {
      report(err);
      return exit_code::runtime_failure;
    }
    if (is(err, errc::in_use)) {
      // A running node listens for this watcher (a rolling deploy not yet
      // finished): dropping its trigger would silently stop its delivery.
      std::cout << "in use " << trigger_of(w) << " (watcher "
                << watcher_name(w.spec)
                << "): a running libwatch node listens on channel "
                << w.names.channel
                << " (it holds the watcher's node lock); stop it first"
                << std::endl;
      return exit_code::problems_found;
    }
    std::cout << "failed to drop the objects of watcher "
              << watcher_name(w.spec) << ": " << describe(err) << std::endl;
    return exit_code::problems_found;
  }
  print(trigger, pg::object_kind::trigger, trigger_of(w), w);
  print(function, pg::object_kind::function, function_of(w), w);
  std::cout << std::flush;
  bool skipped = trigger == fate::skipped || function == fate::skipped;
  return skipped ? exit_code::problems_found : exit_code::ok;
}

// Drops the slot and publications of the WAL watchers' consumer; returns an
// exit code.
int uninstall_wal(pg::connection& conn, const watch_config& cfg) {
  auto names = wal_names(cfg);
  if (!names) {
    std::cout << "failed to drop the replication objects: "
              << describe(names.error()) << std::endl;
    return exit_code::problems_found;
  }
  auto before = pg::replication_status_of(conn, *names);
  if (!before) {
    report(before.error());
    return exit_code::runtime_failure;
  }
  if (auto err = pg::uninstall_replication(conn, *names)) {
    if (is(err, errc::connection_failed)) {
      report(err);
      return exit_code::runtime_failure;
    }
    if (is(err, errc::in_use)) {
      // Dropping the publications under a streaming walsender would break
      // its stream; dropping the slot would lose its position.
      std::cout << "in use slot " << names->slot << ": " << describe(err)
                << "; stop it first" << std::endl;
      return exit_code::problems_found;
    }
    std::cout << "failed to drop replication slot " << names->slot
              << " and its publications: " << describe(err) << std::endl;
    return exit_code::problems_found;
  }
  auto after = pg::replication_status_of(conn, *names);
  if (!after) {
    report(after.error());
    return exit_code::runtime_failure;
  }
  std::cout << (before->exists ? "dropped slot " : "absent slot ")
            << names->slot << (before->exists ? "\n" : ": nothing to drop\n");
  int result = exit_code::ok;
  for (auto* pub : {&names->publication, &names->insert_publication}) {
    auto has = [&](const pg::replication_status& st) {
      for (auto& p : st.publications)
        if (p.name == *pub)
          return true;
      return false;
    };
    if (!has(*before)) {
      if (pub == &names->publication)
        std::cout << "absent publication " << *pub << ": nothing to drop\n";
    } else if (has(*after)) {
      std::cout << "skipped publication " << *pub
                << ": exists but is not libwatch's (no libwatch comment)\n";
      result = exit_code::problems_found;
    } else {
      std::cout << "dropped publication " << *pub << '\n';
    }
  }
  std::cout << std::flush;
  return result;
}

int run_uninstall(const std::string& path) {
  int code = exit_code::ok;
  auto session = open_session(path, code);
  if (!session)
    return code;
  auto& cfg = session->config;
  auto& conn = session->conn;
  int result = exit_code::ok;
  for (auto& spec : cfg.watchers) {
    if (reads_wal(spec))
      continue; // no trigger; the consumer's objects are dropped below
    auto rc = uninstall_one(conn, spec);
    if (rc == exit_code::runtime_failure)
      return rc;
    if (rc != exit_code::ok)
      result = rc;
  }
  if (has_wal_watchers(cfg)) {
    auto rc = uninstall_wal(conn, cfg);
    if (rc == exit_code::runtime_failure)
      return rc;
    if (rc != exit_code::ok)
      result = rc;
  }
  return result;
}

} // namespace

command add_uninstall_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
    "uninstall", "Drop the functions and triggers (WAL watchers: slot and "
                 "publications) install created (only libwatch's own objects)");
  auto path = std::make_shared<std::string>();
  add_config_argument(*app, *path);
  app->footer(examples);
  return {app, [path] { return run_uninstall(*path); }};
}

} // namespace libwatch::cli
