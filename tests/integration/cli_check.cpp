// `libwatch check` end to end: it finds every problem of a configuration
// against the database (columns, tables, privileges) without changing
// anything; and the tool's exit codes for configuration file errors, an
// unreachable database and usage errors, and its help. (Suite `cli`, like
// cli.cpp: both test the one tool.)
#define CAF_SUITE cli
#include <caf/test/unit_test.hpp>

#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "integration/cli_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

using fixture = items_fixture;

// A login role without any privilege, dropped again after the test.
struct weak_role {
  test_database& db;
  std::string name;

  explicit weak_role(test_database& database) : db(database) {
    static std::atomic<int> counter{0};
    name = "lw_cli_weak_" + std::to_string(getpid()) + "_"
           + std::to_string(counter++);
    db.exec("CREATE ROLE " + name + " LOGIN");
  }

  ~weak_role() {
    try {
      db.exec("DROP ROLE IF EXISTS " + name);
    } catch (const std::exception& e) {
      CAF_TEST_PRINT_ERROR("cannot drop role " << name << ": " << e.what());
    }
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cli_check_tests, fixture)

CAF_TEST(check_reports_a_missing_column_with_exit_1_and_changes_nothing) {
  auto cfg = config(R"(
[[watcher]]
table = "items"
event = "inserted"
extra_columns = ["name", "colour"]
)");
  auto res = run_cli({"check", cfg});
  CAF_CHECK_EQUAL(res.exit_code, 1);
  CLI_CHECK(contains(res.out, "watcher public.items:inserted: "
                              "extra_columns: column \"colour\" does "
                              "not exist in \"public\".\"items\""),
            res.out);
  CAF_CHECK_EQUAL(count_functions(), 0);
  CAF_CHECK_EQUAL(count_triggers(), 0);
}

CAF_TEST(check_passes_on_a_good_config_and_changes_nothing) {
  auto res = run_cli({"check", config(items_watchers)});
  CAF_CHECK_EQUAL(res.exit_code, 0);
  for (auto* event : {"inserted", "updated", "deleted"})
    CLI_CHECK(contains(res.out, std::string{"OK public.items:"} + event
                                  + ": table \"public\".\"items\", "
                                    "primary key \"id\""),
              res.out);
  CAF_CHECK_EQUAL(count_functions(), 0);
  CAF_CHECK_EQUAL(count_triggers(), 0);
}

CAF_TEST(check_reports_config_file_errors_with_exit_2) {
  auto cfg = config(R"(
[[watcher]]
tabel = "items"
event = "created"
)");
  auto res = run_cli({"check", cfg});
  CAF_CHECK_EQUAL(res.exit_code, 2);
  CLI_CHECK(contains(res.err, "libwatch.toml:7:1: watcher[0].tabel: "
                              "unknown key; did you mean \"table\"?"),
            res.err);
  CLI_CHECK(contains(res.err, "watcher[0].event: is \"created\""), res.err);
  CAF_CHECK(res.out.empty());
  auto missing = run_cli({"check", dir.write("x", "") + ".nope"});
  CAF_CHECK_EQUAL(missing.exit_code, 2);
  CLI_CHECK(contains(missing.err, "cannot read the file"), missing.err);
}

CAF_TEST(check_lists_every_problem_including_missing_privileges) {
  weak_role role{db};
  auto cfg = config_for(db.dsn() + " user=" + role.name, R"(
[[watcher]]
table = "items"
event = "inserted"
extra_columns = ["colour", "size"]

[[watcher]]
table = "nowhere"
event = "deleted"
)");
  auto res = run_cli({"check", cfg});
  CAF_CHECK_EQUAL(res.exit_code, 1);
  auto role_name = "\"" + role.name + "\"";
  for (auto& expected : std::vector<std::string>{
         "watcher public.items:inserted: extra_columns: column \"colour\"",
         "watcher public.items:inserted: extra_columns: column \"size\"",
         "watcher public.items:inserted: role " + role_name
           + " lacks the TRIGGER privilege on table \"public\".\"items\"",
         "watcher public.items:inserted: role " + role_name
           + " lacks the CREATE privilege on schema \"public\"",
         "watcher public.nowhere:deleted: table \"public\".\"nowhere\" does "
         "not exist",
       })
    CLI_CHECK(contains(res.out, expected), "missing '" << expected << "' in:\n"
                                                       << res.out);
}

CAF_TEST(commands_report_an_unreachable_database_with_exit_3) {
  // Port 1 on loopback refuses at once; the password must never be shown.
  setenv("LW_CLI_TEST_PASSWORD", "sekrit-f00", 1);
  auto cfg = config_for("host=127.0.0.1 port=1 dbname=x", R"(
password_env = "LW_CLI_TEST_PASSWORD"
)"
                                                          R"(
[[watcher]]
table = "items"
event = "inserted"
)");
  for (auto* cmd : {"check", "install", "status", "uninstall"}) {
    auto res = run_cli({cmd, cfg});
    CAF_CHECK_EQUAL(res.exit_code, 3);
    CLI_CHECK(contains(res.err, "cannot connect to PostgreSQL"),
              cmd << ": " << res.err);
    CAF_CHECK(!contains(res.out + res.err, "sekrit"));
  }
  unsetenv("LW_CLI_TEST_PASSWORD");
}

CAF_TEST(version_and_help_exit_0_and_usage_errors_exit_2) {
  auto version = run_cli({"--version"});
  CAF_CHECK_EQUAL(version.exit_code, 0);
  CLI_CHECK(contains(version.out, "libwatch 0."), version.out);
  for (auto* cmd : {"check", "install", "status", "tail", "uninstall"}) {
    auto help = run_cli({cmd, "--help"});
    CAF_CHECK_EQUAL(help.exit_code, 0);
    CLI_CHECK(contains(help.out, "Examples:"), cmd << ": " << help.out);
    CLI_CHECK(contains(help.out, "Exit codes:"), cmd << ": " << help.out);
  }
  CAF_CHECK_EQUAL(run_cli({}).exit_code, 2);
  CAF_CHECK_EQUAL(run_cli({"frobnicate"}).exit_code, 2);
  CAF_CHECK_EQUAL(run_cli({"status"}).exit_code, 2);
  CAF_CHECK_EQUAL(run_cli({"status", "a.toml", "--jsn"}).exit_code, 2);
}

CAF_TEST_FIXTURE_SCOPE_END()
