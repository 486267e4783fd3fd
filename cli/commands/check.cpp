// `libwatch check CONFIG`: everything `install` and libwatch's start-up need
// from the database, checked without changing anything, every problem listed.
#include <iostream>
#include <memory>

#include "cli/commands/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/database.hpp"
#include "cli/exit_code.hpp"
#include "cli/privileges.hpp"
#include "cli/replication.hpp"
#include "libwatch/error.hpp"
#include "libwatch/identifiers.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/replication_check.hpp"
#include "libwatch/pg/server_features.hpp"

namespace libwatch::cli {

namespace {

constexpr const char* examples = R"(Examples:
  libwatch check libwatch.toml
  PGPASSWORD=secret libwatch check /etc/myapp/libwatch.toml && libwatch install /etc/myapp/libwatch.toml

Checks, for every watcher, without changing anything: the table exists, every
named column exists, the primary key can be determined, and the role has
TRIGGER on the table, CREATE on the schema and CONNECT on the database.
For watchers with source = "wal", instead of the trigger privileges: what
logical replication needs (wal_level, the REPLICATION attribute, a free slot,
ownership and replica identity of each table), each problem followed by the
exact fix. Prints one line per problem (naming the watcher), or one OK line
per watcher; warnings (e.g. an unlimited max_slot_wal_keep_size) are printed
but do not fail the check.

Exit codes: 0 no problems; 1 problems found; 2 usage error or invalid
configuration file; 3 database unreachable or other runtime failure.)";

std::string qualified(const table_info& t) {
  return quote_qualified(t.schema, t.table);
}

std::string columns_of(const table_info& t) {
  std::string out;
  for (auto& c : t.columns)
    out += (out.empty() ? "" : ", ") + c.name;
  return out;
}

// Every missing column (resolve() stops at the first), worded like resolve().
// Returns `spec` without them, so resolve() can still find other problems.
watcher_spec check_columns(const watcher_spec& spec, const table_info& table,
                           std::vector<std::string>& problems) {
  auto missing = [&](const std::string& option, const std::string& column) {
    if (table.find(column))
      return false;
    problems.push_back("watcher " + watcher_name(spec) + ": " + option
                       + ": column \"" + column + "\" does not exist in "
                       + qualified(table) + " (columns: " + columns_of(table)
                       + ")");
    return true;
  };
  auto keep = [&](const std::string& option, std::vector<std::string>& xs) {
    std::vector<std::string> kept;
    for (auto& x : xs)
      if (!missing(option, x))
        kept.push_back(x);
    xs = std::move(kept);
  };
  auto stripped = spec;
  if (!spec.primary_key.empty() && missing("primary_key", spec.primary_key))
    stripped.primary_key.clear();
  keep("extra_columns", stripped.extra_columns);
  keep("association_columns", stripped.association_columns);
  keep("trigger_columns", stripped.trigger_columns);
  return stripped;
}

// Appends the problems of one watcher; returns a description for its OK line.
// A WAL watcher that resolves is appended to `wal_watchers` for
// check_replication.
caf::expected<std::string>
check_watcher(pg::connection& conn, const watcher_spec& spec,
              std::vector<std::string>& problems,
              std::vector<resolved_watcher>& wal_watchers) {
  auto table = pg::read_table(conn, spec.schema, spec.table);
  if (!table) {
    if (!is(table.error(), errc::catalog_mismatch))
      return table.error();
    problems.push_back("watcher " + watcher_name(spec) + ": "
                       + describe(table.error()));
    return std::string{};
  }
  auto before = problems.size();
  auto stripped = check_columns(spec, *table, problems);
  // A missing configured primary key was reported; resolve() would only
  // guess another one from the catalog.
  bool pk_missing = !spec.primary_key.empty() && stripped.primary_key.empty();
  std::string pk;
  if (!pk_missing) {
    if (auto w = resolve(stripped, *table)) {
      pk = w->primary_key.name;
      if (reads_wal(spec) && problems.size() == before)
        wal_watchers.push_back(std::move(*w));
    } else {
      problems.push_back(describe(w.error()));
    }
  }
  auto description
    = "table " + qualified(*table) + ", primary key " + quote_identifier(pk);
  if (reads_wal(spec)) // no trigger: replication is checked for all at once
    return problems.size() > before ? std::string{} : description;
  auto privileges = watcher_privilege_problems(conn, spec);
  if (!privileges)
    return privileges.error();
  problems.insert(problems.end(), privileges->begin(), privileges->end());
  if (problems.size() > before)
    return std::string{};
  return description + ", privileges in place";
}

// Appends what the WAL watchers of `cfg` lack to `problems` (errors) and
// `warnings`, each followed by its fix.
caf::error check_wal(pg::connection& conn, const watch_config& cfg,
                     const std::vector<resolved_watcher>& wal_watchers,
                     std::vector<std::string>& problems,
                     std::vector<std::string>& warnings) {
  auto names = wal_names(cfg);
  if (!names) {
    problems.push_back("[wal] slot: " + describe(names.error()));
    return caf::none;
  }
  auto found = pg::check_replication(conn, *names, wal_watchers);
  if (!found) {
    if (!is(found.error(), errc::catalog_mismatch))
      return found.error();
    problems.push_back("replication slot " + names->slot + ": "
                       + describe(found.error()));
    return caf::none;
  }
  for (auto& p : *found) {
    auto line = "replication slot " + names->slot + ": " + p.description
                + "\n  fix: " + p.fix;
    if (p.severity == pg::problem_severity::error)
      problems.push_back(std::move(line));
    else
      warnings.push_back("warning: " + line);
  }
  return caf::none;
}

int run_check(const std::string& path) {
  int code = exit_code::ok;
  auto session = open_session(path, code);
  if (!session)
    return code;
  auto& cfg = session->config;
  auto& conn = session->conn;
  std::vector<std::string> problems;
  if (auto why = pg::server_version_problem(conn.server_version()))
    problems.push_back(std::move(*why));
  auto db = database_privilege_problems(conn);
  if (!db) {
    report(db.error());
    return exit_code::runtime_failure;
  }
  problems.insert(problems.end(), db->begin(), db->end());
  std::vector<std::string> ok_lines;
  std::vector<resolved_watcher> wal_watchers;
  for (auto& spec : cfg.watchers) {
    auto fine = check_watcher(conn, spec, problems, wal_watchers);
    if (!fine) {
      report(fine.error());
      return exit_code::runtime_failure;
    }
    if (!fine->empty())
      ok_lines.push_back("OK " + watcher_name(spec) + ": " + *fine);
  }
  std::vector<std::string> warnings;
  if (has_wal_watchers(cfg)) {
    auto before = problems.size();
    if (auto err = check_wal(conn, cfg, wal_watchers, problems, warnings)) {
      report(err);
      return exit_code::runtime_failure;
    }
    if (problems.size() == before)
      ok_lines.push_back("OK replication slot lw_" + cfg.wal.slot
                         + ": publications and slot can be set up for "
                         + std::to_string(wal_watchers.size())
                         + " WAL watcher(s)");
  }
  for (auto& w : warnings)
    std::cout << w << '\n';
  if (!problems.empty()) {
    for (auto& p : problems)
      std::cout << p << '\n';
    std::cout << std::flush;
    return exit_code::problems_found;
  }
  for (auto& line : ok_lines)
    std::cout << line << '\n';
  std::cout << std::flush;
  return exit_code::ok;
}

} // namespace

command add_check_command(CLI::App& parent) {
  auto* app = parent.add_subcommand(
    "check", "Check the configuration against the database without changing "
             "anything");
  auto path = std::make_shared<std::string>();
  add_config_argument(*app, *path);
  app->footer(examples);
  return {app, [path] { return run_check(*path); }};
}

} // namespace libwatch::cli
