// The `libwatch` tool end to end against the test server: install, status and
// uninstall leave the database as documented, status finds drift and orphans
// (and only libwatch's own objects). `check`, help and exit codes are
// tested in cli_check.cpp, `tail` in cli_tail.cpp.
#define CAF_SUITE cli
#include <caf/test/unit_test.hpp>

#include "integration/cli_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;
using nlohmann::json;

namespace {

struct fixture : items_fixture {
  const json* watcher(const json& status, const std::string& name) {
    for (auto& w : status["watchers"])
      if (w["watcher"] == name)
        return &w;
    return nullptr;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cli_tests, fixture)

CAF_TEST(install_creates_every_function_and_trigger_and_status_reports_ok) {
  auto cfg = config(items_watchers);
  auto before = run_cli({"status", cfg, "--json"});
  CAF_CHECK_EQUAL(before.exit_code, 1);
  auto st = parse_json(before.out);
  CAF_CHECK_EQUAL(st["ok"], false);
  CAF_REQUIRE_EQUAL(st["watchers"].size(), 3u);
  for (auto& w : st["watchers"]) {
    CAF_CHECK_EQUAL(w["state"], "missing");
    CAF_CHECK_EQUAL(w["function"]["exists"], false);
    CAF_CHECK_EQUAL(w["trigger"]["exists"], false);
  }
  auto install = run_cli({"install", cfg});
  CAF_CHECK_EQUAL(install.exit_code, 0);
  for (auto event :
       {event_kind::inserted, event_kind::updated, event_kind::deleted}) {
    auto names = names_of("items", event);
    auto line = "installed public.items:" + std::string{to_string_view(event)}
                + ": function public." + names.function + ", trigger "
                + names.trigger + " on public.items, channel " + names.channel;
    CLI_CHECK(contains(install.out, line), install.out);
  }
  CAF_CHECK_EQUAL(count_functions(), 3);
  CAF_CHECK_EQUAL(count_triggers(), 3);
  auto after = run_cli({"status", cfg, "--json"});
  CAF_CHECK_EQUAL(after.exit_code, 0);
  st = parse_json(after.out);
  CAF_CHECK_EQUAL(st["ok"], true);
  CAF_CHECK(st["orphans"].empty());
  auto* w = watcher(st, "public.items:updated");
  CAF_REQUIRE(w != nullptr);
  auto names = names_of("items", event_kind::updated);
  CAF_CHECK_EQUAL((*w)["state"], "ok");
  CAF_CHECK_EQUAL((*w)["schema"], "public");
  CAF_CHECK_EQUAL((*w)["table"], "items");
  CAF_CHECK_EQUAL((*w)["event"], "updated");
  CAF_CHECK((*w)["label"].is_null());
  CAF_CHECK((*w)["error"].is_null());
  CAF_CHECK_EQUAL((*w)["channel"], names.channel);
  CAF_CHECK_EQUAL((*w)["function"]["name"], names.function);
  CAF_CHECK_EQUAL((*w)["function"]["exists"], true);
  CAF_CHECK_EQUAL((*w)["function"]["marked"], true);
  CAF_CHECK_EQUAL((*w)["function"]["matches"], true);
  CAF_CHECK_EQUAL((*w)["trigger"]["name"], names.trigger);
  CAF_CHECK_EQUAL((*w)["trigger"]["table"], "items");
  CAF_CHECK_EQUAL((*w)["trigger"]["matches"], true);
  CAF_CHECK_EQUAL((*w)["trigger"]["enabled"], "O");
  CAF_CHECK((*w)["differences"].empty());
  auto text = run_cli({"status", cfg});
  CAF_CHECK_EQUAL(text.exit_code, 0);
  CLI_CHECK(contains(text.out, "3 of 3 watcher(s) ok, 0 orphan(s)"), text.out);
}

CAF_TEST(install_twice_leaves_one_function_and_trigger_per_watcher) {
  auto cfg = config(items_watchers);
  CAF_CHECK_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  CAF_CHECK_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  CAF_CHECK_EQUAL(count_functions(), 3);
  CAF_CHECK_EQUAL(count_triggers(), 3);
  CAF_CHECK_EQUAL(run_cli({"status", cfg}).exit_code, 0);
}

CAF_TEST(uninstall_drops_what_install_created_and_status_reports_it_missing) {
  auto cfg = config(items_watchers);
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  auto res = run_cli({"uninstall", cfg});
  CAF_CHECK_EQUAL(res.exit_code, 0);
  auto names = names_of("items", event_kind::deleted);
  CLI_CHECK(contains(res.out, "dropped function public." + names.function
                                + " (watcher public.items:deleted)"),
            res.out);
  CLI_CHECK(
    contains(res.out, "dropped trigger " + names.trigger + " on public.items"),
    res.out);
  CAF_CHECK_EQUAL(count_functions(), 0);
  CAF_CHECK_EQUAL(count_triggers(), 0);
  auto st = run_cli({"status", cfg, "--json"});
  CAF_CHECK_EQUAL(st.exit_code, 1);
  // Keep the document alive: a range-for over a member of a temporary
  // would iterate freed memory.
  auto doc = parse_json(st.out);
  for (auto& w : doc["watchers"])
    CAF_CHECK_EQUAL(w["state"], "missing");
  auto again = run_cli({"uninstall", cfg});
  CAF_CHECK_EQUAL(again.exit_code, 0);
  CLI_CHECK(contains(again.out, "absent function public." + names.function),
            again.out);
}

CAF_TEST(uninstall_and_install_leave_objects_without_the_ownership_marker) {
  // A user's function that happens to have the derived name.
  auto names = names_of("items", event_kind::inserted);
  db.exec("CREATE FUNCTION " + names.function
          + "() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN RETURN NULL; END;$$");
  auto cfg = config(R"(
[[watcher]]
table = "items"
event = "inserted"
)");
  auto install = run_cli({"install", cfg});
  CAF_CHECK_EQUAL(install.exit_code, 1);
  CLI_CHECK(contains(install.out, "not installed: watcher "
                                  "public.items:inserted: function "
                                  "public."
                                    + names.function
                                    + " exists but is not libwatch's"),
            install.out);
  CAF_CHECK_EQUAL(count_triggers(), 0);
  auto uninstall = run_cli({"uninstall", cfg});
  CAF_CHECK_EQUAL(uninstall.exit_code, 1);
  CLI_CHECK(
    contains(uninstall.out, "skipped function public." + names.function),
    uninstall.out);
  CAF_CHECK(function_exists(names.function));
  CAF_CHECK_EQUAL(db.scalar("SELECT prosrc FROM pg_proc WHERE proname = '"
                            + names.function + "'"),
                  "BEGIN RETURN NULL; END;");
  auto st = parse_json(run_cli({"status", cfg, "--json"}).out);
  CAF_CHECK_EQUAL(st["watchers"][0]["function"]["state"], "foreign");
  CAF_CHECK_EQUAL(st["watchers"][0]["function"]["marked"], false);
}

CAF_TEST(status_reports_a_planted_orphan_but_not_unmarked_lookalikes) {
  auto cfg = config(items_watchers);
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  db.exec(R"sql(
CREATE TABLE old_t (id int PRIMARY KEY);
CREATE FUNCTION lw_gone_func() RETURNS trigger LANGUAGE plpgsql
  AS $$BEGIN RETURN NULL; END;$$;
COMMENT ON FUNCTION lw_gone_func() IS 'libwatch:v1 watcher=gone';
CREATE TRIGGER lw_gone_trigger AFTER INSERT ON old_t
  FOR EACH ROW EXECUTE FUNCTION lw_gone_func();
COMMENT ON TRIGGER lw_gone_trigger ON old_t IS 'libwatch:v1 watcher=gone';
CREATE TRIGGER lw_gone_too_trigger AFTER UPDATE ON old_t
  FOR EACH ROW EXECUTE FUNCTION lw_gone_func();
CREATE FUNCTION ewallet_func() RETURNS trigger LANGUAGE plpgsql
  AS $$BEGIN RETURN NULL; END;$$;
CREATE TRIGGER lw_fake_trigger AFTER INSERT ON old_t
  FOR EACH ROW EXECUTE FUNCTION ewallet_func();
CREATE FUNCTION lw_near_func() RETURNS trigger LANGUAGE plpgsql
  AS $$BEGIN RETURN NULL; END;$$;
COMMENT ON FUNCTION lw_near_func() IS 'libwatch:v10 watcher=near';
CREATE TRIGGER lw_near_trigger AFTER DELETE ON old_t
  FOR EACH ROW EXECUTE FUNCTION lw_near_func();
COMMENT ON TRIGGER lw_near_trigger ON old_t IS 'libwatch:v1';
)sql");
  auto res = run_cli({"status", cfg, "--json"});
  CAF_CHECK_EQUAL(res.exit_code, 1);
  auto st = parse_json(res.out);
  CAF_CHECK_EQUAL(st["ok"], false);
  for (auto& w : st["watchers"])
    CAF_CHECK_EQUAL(w["state"], "ok");
  // A trigger is libwatch's when it or the function it calls is marked.
  auto& orphans = st["orphans"];
  CLI_REQUIRE(orphans.size() == 3u, res.out);
  CAF_CHECK_EQUAL(orphans[0]["kind"], "function");
  CAF_CHECK_EQUAL(orphans[0]["schema"], "public");
  CAF_CHECK(orphans[0]["table"].is_null());
  CAF_CHECK_EQUAL(orphans[0]["name"], "lw_gone_func");
  CAF_CHECK_EQUAL(orphans[0]["watcher"], "gone");
  CAF_CHECK_EQUAL(orphans[1]["kind"], "trigger");
  CAF_CHECK_EQUAL(orphans[1]["table"], "old_t");
  CAF_CHECK_EQUAL(orphans[1]["name"], "lw_gone_too_trigger");
  CAF_CHECK_EQUAL(orphans[1]["watcher"], "gone");
  CAF_CHECK_EQUAL(orphans[2]["name"], "lw_gone_trigger");
  CAF_CHECK_EQUAL(orphans[2]["watcher"], "gone");
  auto text = run_cli({"status", cfg});
  CAF_CHECK_EQUAL(text.exit_code, 1);
  CLI_CHECK(contains(text.out, "lw_gone_func"), text.out);
  CLI_CHECK(contains(text.out, "lw_gone_trigger"), text.out);
  for (auto* name : {"ewallet_func", "lw_fake_trigger", "lw_near"}) {
    CLI_CHECK(!contains(text.out, name), text.out);
    CLI_CHECK(!contains(res.out, name), res.out);
  }
  CLI_CHECK(contains(text.out, "3 of 3 watcher(s) ok, 3 orphan(s)"), text.out);
}

CAF_TEST(status_does_not_count_triggers_cloned_onto_partitions_as_orphans) {
  db.exec("CREATE TABLE events (id int, k int, PRIMARY KEY (id, k)) "
          "PARTITION BY RANGE (k);"
          "CREATE TABLE events_1 PARTITION OF events FOR VALUES FROM (0) TO "
          "(10)");
  auto cfg = config(R"(
[[watcher]]
table = "events"
event = "inserted"
primary_key = "id"
)");
  CAF_REQUIRE_EQUAL(run_cli({"install", cfg}).exit_code, 0);
  db.exec("CREATE TABLE events_2 PARTITION OF events FOR VALUES FROM (10) TO "
          "(20)");
  // Even a clone that carries the marker belongs to its parent's watcher.
  auto trigger = names_of("events", event_kind::inserted).trigger;
  db.exec("COMMENT ON TRIGGER " + trigger
          + " ON events_1 IS 'libwatch:v1 watcher=public.events:inserted'");
  CAF_CHECK_EQUAL(count_triggers(), 3);
  auto res = run_cli({"status", cfg, "--json"});
  CAF_CHECK_EQUAL(res.exit_code, 0);
  auto st = parse_json(res.out);
  CLI_CHECK(st["orphans"].empty(), res.out);
  CAF_CHECK_EQUAL(st["watchers"][0]["state"], "ok");
}

CAF_TEST(status_reports_drift_when_extra_columns_change_after_install) {
  CAF_REQUIRE_EQUAL(run_cli({"install", config(items_watchers)}).exit_code, 0);
  auto changed = config(R"(
[[watcher]]
table = "items"
events = ["inserted", "updated", "deleted"]
extra_columns = ["name", "post_id"]
)",
                        "changed.toml");
  auto res = run_cli({"status", changed, "--json"});
  CAF_CHECK_EQUAL(res.exit_code, 1);
  auto st = parse_json(res.out);
  CAF_REQUIRE_EQUAL(st["watchers"].size(), 3u);
  for (auto& w : st["watchers"]) {
    CAF_CHECK_EQUAL(w["state"], "differs");
    CAF_CHECK_EQUAL(w["function"]["exists"], true);
    CAF_CHECK_EQUAL(w["function"]["matches"], false);
    CAF_CHECK_EQUAL(w["function"]["state"], "differs");
    CAF_CHECK_EQUAL(w["trigger"]["matches"], true);
    CAF_REQUIRE_EQUAL(w["differences"].size(), 1u);
    CAF_CHECK(contains(w["differences"][0].get<std::string>(), "body differs"));
  }
  // Installing the changed configuration brings it back in line.
  CAF_CHECK_EQUAL(run_cli({"install", changed}).exit_code, 0);
  CAF_CHECK_EQUAL(run_cli({"status", changed}).exit_code, 0);
}

CAF_TEST(status_reports_drift_of_trigger_columns_and_a_disabled_trigger) {
  auto original = config(R"(
[[watcher]]
table = "items"
event = "updated"
label = "renames"
trigger_columns = ["name"]
)");
  CAF_REQUIRE_EQUAL(run_cli({"install", original}).exit_code, 0);
  CAF_REQUIRE_EQUAL(run_cli({"status", original}).exit_code, 0);
  auto changed = config(R"(
[[watcher]]
table = "items"
event = "updated"
label = "renames"
trigger_columns = ["name", "post_id"]
)",
                        "changed.toml");
  auto st = parse_json(run_cli({"status", changed, "--json"}).out);
  auto& w = st["watchers"][0];
  CAF_CHECK_EQUAL(w["watcher"], "renames");
  CAF_CHECK_EQUAL(w["label"], "renames");
  CAF_CHECK_EQUAL(w["trigger"]["matches"], false);
  CAF_CHECK_EQUAL(w["trigger"]["state"], "differs");
  db.exec("ALTER TABLE items DISABLE TRIGGER lw_renames_trigger");
  auto res = run_cli({"status", original, "--json"});
  CAF_CHECK_EQUAL(res.exit_code, 1);
  st = parse_json(res.out);
  CAF_CHECK_EQUAL(st["watchers"][0]["trigger"]["enabled"], "D");
  CAF_CHECK_EQUAL(st["watchers"][0]["trigger"]["state"], "disabled");
  CAF_CHECK_EQUAL(st["watchers"][0]["state"], "differs");
}

CAF_TEST(status_lists_a_watcher_whose_table_is_missing_as_unresolved) {
  auto cfg = config(R"(
[[watcher]]
table = "no_such_table"
event = "inserted"
)");
  auto res = run_cli({"status", cfg, "--json"});
  CAF_CHECK_EQUAL(res.exit_code, 1);
  auto st = parse_json(res.out);
  CAF_CHECK_EQUAL(st["watchers"][0]["state"], "unresolved");
  CAF_CHECK(contains(st["watchers"][0]["error"].get<std::string>(),
                     "no_such_table\" does not exist"));
}

CAF_TEST_FIXTURE_SCOPE_END()
