// `libwatch status CONFIG [--json]`: whether each watcher's function and
// trigger exist and match the configuration, and which libwatch objects in
// the database no configured watcher owns. Reads only.
#include <iostream>
#include <memory>
#include <optional>

#include "cli/commands/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/database.hpp"
#include "cli/exit_code.hpp"
#include "cli/replication.hpp"
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
STATE unresolved). Watchers with source = "wal" have no function or trigger:
PUBLICATION is ok when their table is in a publication of the consumer, SLOT
is ok, missing or lost (dropped or invalidated: run `libwatch install`, which
says what was lost); the REPLICATION section shows the slot's position, the
WAL it retains and its lag. Orphans are functions and triggers carrying
libwatch's ownership comment that no configured watcher would create, and
libwatch's slots and publications of other consumers.

Exit codes: 0 everything installed and matching, no orphans; 1 something is
missing, differs, lost or orphaned; 2 usage error or invalid configuration file; 3
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
  std::optional<pg::replication_names> names;
  if (has_wal_watchers(cfg)) {
    auto wal = wal_names(cfg);
    if (!wal) {
      report(wal.error());
      return exit_code::usage_error;
    }
    auto st = pg::replication_status_of(conn, *wal);
    if (!st) {
      report(st.error());
      return exit_code::runtime_failure;
    }
    names = std::move(*wal);
    result.replication = std::move(*st);
  }
  std::vector<resolved_watcher> trigger_watchers;
  for (auto& r : *resolutions) {
    if (reads_wal(r.watcher.spec)) {
      watcher_report x{r, {}, {}, slot_state(*result.replication)};
      x.publication
        = publication_of(*result.replication, *names, r.watcher.spec);
      result.watchers.push_back(std::move(x));
      continue;
    }
    trigger_watchers.push_back(r.watcher);
    auto state = pg::inspect(conn, r.watcher);
    if (!state) {
      report(state.error());
      return exit_code::runtime_failure;
    }
    result.watchers.push_back({r, std::move(*state), {}, {}});
  }
  auto objects = pg::list_libwatch_objects(conn);
  if (!objects) {
    report(objects.error());
    return exit_code::runtime_failure;
  }
  // A WAL watcher owns no function or trigger: leftovers from when it had a
  // trigger are orphans (they would still send notifications).
  result.orphans = pg::orphans(*objects, trigger_watchers);
  auto others
    = pg::replication_orphans(conn, names ? names->consumer : std::string{});
  if (!others) {
    report(others.error());
    return exit_code::runtime_failure;
  }
  result.replication_orphans = std::move(*others);
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
    "status", "Show whether each watcher's function and trigger (or "
              "publication and replication slot) are installed and current, "
              "and libwatch objects no watcher owns");
  auto opts = std::make_shared<status_options>();
  add_config_argument(*app, opts->path);
  app->add_flag("--json", opts->json,
                "Print one JSON document instead of a table");
  app->footer(examples);
  return {app, [opts] { return run_status(*opts); }};
}

} // namespace libwatch::cli
