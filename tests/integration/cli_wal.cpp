// The `libwatch` tool for watchers with source = "wal": check names each
// missing prerequisite with its fix, install creates the consumer's
// publication and replication slot (idempotently, and afresh after the slot
// was lost, saying what was lost), status shows the slot and uninstall drops
// it. Slots are cluster-wide, so each test's consumer is named after its own
// database.
#define CAF_SUITE cli_wal
#include <caf/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "integration/cli_fixture.hpp"
#include "libwatch/pg/connection.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct fixture : items_fixture {
  // lw_test_<pid>_<n> is unique per test and process.
  std::string consumer = db.name().substr(3);
  std::string slot = "lw_" + consumer;

  // A configuration whose watchers of `items` read the WAL.
  std::string wal_config(const std::string& watchers = R"(
[[watcher]]
table = "items"
events = ["inserted", "updated", "deleted"]
source = "wal"
)") {
    return config("[wal]\nslot = " + toml_string(consumer) + "\n" + watchers);
  }

  std::string slots() {
    return db.scalar("SELECT count(*) FROM pg_replication_slots WHERE "
                     "slot_name = '"
                     + slot + "'");
  }

  std::string publications() {
    return db.scalar("SELECT count(*) FROM pg_publication WHERE pubname IN ('"
                     + slot + "', '" + slot + "_ins')");
  }

  std::string published_tables() {
    return db.scalar("SELECT string_agg(schemaname || '.' || tablename, ',') "
                     "FROM pg_publication_tables WHERE pubname = '"
                     + slot + "'");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cli_wal_tests, fixture)

CAF_TEST(check_passes_on_a_good_wal_config_and_changes_nothing) {
  auto res = run_cli({"check", wal_config()});
  CLI_CHECK(res.exit_code == 0, res.out << res.err);
  CLI_CHECK(contains(res.out, "OK public.items:updated: table "
                              "\"public\".\"items\", primary key \"id\""),
            res.out);
  CLI_CHECK(contains(res.out, "OK replication slot " + slot), res.out);
  CLI_CHECK(!contains(res.out, "TRIGGER privilege"), res.out);
  CAF_CHECK_EQUAL(slots(), "0");
  CAF_CHECK_EQUAL(publications(), "0");
  CAF_CHECK_EQUAL(count_triggers(), 0);
}

CAF_TEST(check_names_the_fix_for_a_table_without_replica_identity) {
  db.exec("CREATE TABLE plain (id int NOT NULL, name text)");
  auto cfg = wal_config(R"(
[[watcher]]
table = "plain"
event = "updated"
primary_key = "id"
source = "wal"
)");
  auto res = run_cli({"check", cfg});
  CLI_CHECK(res.exit_code == 1, res.out << res.err);
  CLI_CHECK(contains(res.out, "has no usable replica identity"), res.out);
  CLI_CHECK(contains(res.out, "fix: ALTER TABLE \"public\".\"plain\" "
                              "REPLICA IDENTITY FULL"),
            res.out);
  // The printed fix clears the problem.
  db.exec("ALTER TABLE plain REPLICA IDENTITY FULL");
  auto fixed = run_cli({"check", cfg});
  CLI_CHECK(fixed.exit_code == 0, fixed.out << fixed.err);
}

CAF_TEST(
  install_creates_publication_and_slot_and_a_second_install_is_idempotent) {
  auto cfg = wal_config();
  auto res = run_cli({"install", cfg});
  CLI_CHECK(res.exit_code == 0, res.out << res.err);
  CLI_CHECK(contains(res.out, "installed public.items:updated: table "
                              "\"public\".\"items\" in publication "
                                + slot + ", slot " + slot),
            res.out);
  CAF_CHECK_EQUAL(slots(), "1");
  CAF_CHECK_EQUAL(published_tables(), "public.items");
  CAF_CHECK_EQUAL(count_triggers(), 0);
  CAF_CHECK_EQUAL(count_functions(), 0);
  auto lsn = db.scalar("SELECT confirmed_flush_lsn FROM pg_replication_slots "
                       "WHERE slot_name = '"
                       + slot + "'");
  auto again = run_cli({"install", cfg});
  CLI_CHECK(again.exit_code == 0, again.out << again.err);
  CLI_CHECK(!contains(again.out, "recreated"), again.out);
  CAF_CHECK_EQUAL(slots(), "1");
  CAF_CHECK_EQUAL(published_tables(), "public.items");
  // The same slot, not a new one.
  CAF_CHECK_EQUAL(db.scalar("SELECT confirmed_flush_lsn FROM "
                            "pg_replication_slots WHERE slot_name = '"
                            + slot + "'"),
                  lsn);
}

CAF_TEST(status_shows_the_slot_in_text_and_json) {
  auto cfg = wal_config();
  auto before = run_cli({"status", cfg});
  CLI_CHECK(before.exit_code == 1, before.out << before.err);
  CLI_CHECK(
    contains(before.out, "replication slot " + slot + " does not exist"),
    before.out);
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  auto text = run_cli({"status", cfg});
  CLI_CHECK(text.exit_code == 0, text.out << text.err);
  CLI_CHECK(contains(text.out, "REPLICATION (slot " + slot + ")"), text.out);
  CLI_CHECK(contains(text.out, "publication " + slot), text.out);
  CLI_CHECK(contains(text.out, "\"public\".\"items\""), text.out);
  CLI_CHECK(contains(text.out, "3 of 3 watcher(s) ok, 0 orphan(s)"), text.out);
  auto res = run_cli({"status", cfg, "--json"});
  CLI_CHECK(res.exit_code == 0, res.out << res.err);
  auto st = parse_json(res.out);
  CAF_CHECK_EQUAL(st["ok"], true);
  CAF_REQUIRE_EQUAL(st["watchers"].size(), 3u);
  for (auto& w : st["watchers"]) {
    CAF_CHECK_EQUAL(w["source"], "wal");
    CAF_CHECK_EQUAL(w["state"], "ok");
    CAF_CHECK_EQUAL(w["slot"]["state"], "ok");
    CAF_CHECK_EQUAL(w["publication"]["name"], slot);
  }
  auto& repl = st["replication"];
  CAF_CHECK_EQUAL(repl["slot"], slot);
  CAF_CHECK_EQUAL(repl["state"], "ok");
  CAF_CHECK_EQUAL(repl["exists"], true);
  CAF_CHECK_EQUAL(repl["active"], false);
  CAF_CHECK(repl["confirmed_flush_lsn"].is_string());
  CAF_CHECK(repl["retained_bytes"].is_number());
  CAF_CHECK(repl["lag_bytes"].is_number());
  CAF_REQUIRE(!repl["publications"].empty());
  CAF_CHECK_EQUAL(repl["publications"][0]["name"], slot);
  CAF_CHECK_EQUAL(repl["publications"][0]["tables"][0], "\"public\".\"items\"");
}

CAF_TEST(
  install_after_the_slot_was_dropped_recreates_it_and_says_changes_were_lost) {
  auto cfg = wal_config();
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  db.exec("SELECT pg_drop_replication_slot('" + slot + "')");
  auto st = run_cli({"status", cfg, "--json"});
  CLI_CHECK(st.exit_code == 1, st.out << st.err);
  auto doc = parse_json(st.out);
  CAF_CHECK_EQUAL(doc["replication"]["state"], "lost");
  CAF_CHECK_EQUAL(doc["watchers"][0]["state"], "lost");
  auto res = run_cli({"install", cfg});
  CLI_CHECK(res.exit_code == 0, res.out << res.err);
  CLI_CHECK(contains(res.out, "recreated replication slot " + slot), res.out);
  CLI_CHECK(contains(res.out, "were NOT delivered"), res.out);
  CAF_CHECK_EQUAL(slots(), "1");
  CAF_CHECK_EQUAL(run_cli({"status", cfg}).exit_code, 0);
}

CAF_TEST(uninstall_removes_slot_and_publications) {
  auto cfg = wal_config();
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  CAF_REQUIRE_EQUAL(slots(), "1");
  auto res = run_cli({"uninstall", cfg});
  CLI_CHECK(res.exit_code == 0, res.out << res.err);
  CLI_CHECK(contains(res.out, "dropped slot " + slot), res.out);
  CLI_CHECK(contains(res.out, "dropped publication " + slot), res.out);
  CAF_CHECK_EQUAL(slots(), "0");
  CAF_CHECK_EQUAL(publications(), "0");
  auto again = run_cli({"uninstall", cfg});
  CLI_CHECK(again.exit_code == 0, again.out << again.err);
  CLI_CHECK(contains(again.out, "absent slot " + slot), again.out);
}

CAF_TEST(status_reports_another_consumers_slot_as_an_orphan) {
  CAF_REQUIRE_EQUAL(run_cli({"install", wal_config()}).exit_code, 0);
  // The same database, but the watchers now use triggers: the slot is left.
  auto cfg = config(items_watchers, "triggers.toml");
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  auto res = run_cli({"status", cfg});
  CLI_CHECK(res.exit_code == 1, res.out << res.err);
  CLI_CHECK(contains(res.out, "ORPHANS"), res.out);
  CLI_CHECK(contains(res.out, "consumer " + consumer), res.out);
  auto doc = parse_json(run_cli({"status", cfg, "--json"}).out);
  bool found = false;
  for (auto& o : doc["orphans"])
    found = found || (o["kind"] == "slot" && o["name"] == slot);
  CAF_CHECK(found);
}

CAF_TEST(uninstall_leaves_a_slot_a_walsender_streams_from_and_exits_1) {
  auto cfg = wal_config();
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  auto repl
    = pg::connection::open(db.dsn() + " replication=database", "cli-wal-test");
  CAF_REQUIRE(repl);
  CAF_REQUIRE(repl->send("START_REPLICATION SLOT " + slot
                         + " LOGICAL 0/0 (proto_version '1', "
                           "publication_names '"
                         + slot + "')"));
  auto active = [&] {
    return db.scalar("SELECT active FROM pg_replication_slots WHERE "
                     "slot_name = '"
                     + slot + "'")
           == "t";
  };
  for (int i = 0; i < 100 && !active(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CAF_REQUIRE(active());
  auto res = run_cli({"uninstall", cfg});
  CLI_CHECK(res.exit_code == 1, res.out << res.err);
  CLI_CHECK(contains(res.out, "in use slot " + slot), res.out);
  CLI_CHECK(contains(res.out, "is in use by the walsender of PID"), res.out);
  CAF_CHECK_EQUAL(slots(), "1");
  CAF_CHECK(publications() != "0");
}

CAF_TEST_FIXTURE_SCOPE_END()
