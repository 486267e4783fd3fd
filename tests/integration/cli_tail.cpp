// `libwatch tail` end to end: the JSON lines it prints for inserts, updates
// and deletes, the --watch filters by primary key and association column,
// the signals of a lost connection, clean exits on SIGTERM/SIGINT and the
// exit codes of bad targets and unreachable databases. (Suite `cli`, like
// cli.cpp: both test the one tool.)
#define CAF_SUITE cli
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <map>
#include <regex>
#include <set>

#include "integration/cli_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;
using nlohmann::json;

namespace {

bool is_timestamp(const json& x) {
  static const std::regex iso{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)"};
  return x.is_string() && std::regex_match(x.get<std::string>(), iso);
}

// Fast reconnects, so the lost-connection test waits on PostgreSQL.
const std::string quick_listener = R"(
[listener]
reconnect_initial = "50ms"
reconnect_max = "500ms"
)";

struct fixture : cli_fixture {
  fixture() {
    db.exec("CREATE TABLE items (id int PRIMARY KEY, name text, price "
            "numeric, active bool, score float8, data jsonb, post_id int)");
  }

  // Reads lines until each watcher of `names` printed `ready`; returns the
  // ready lines, fewer on timeout.
  std::vector<json> await_ready(cli_process& p, std::set<std::string> names) {
    std::vector<json> out;
    while (!names.empty()) {
      auto line = p.next_line(cli_must_arrive);
      if (!line) {
        CAF_FAIL("tail printed no ready line in time; stderr:\n" << p.err());
      }
      auto x = parse_json(*line);
      if (x["type"] == "ready" && names.erase(x["watcher"]) > 0)
        out.push_back(std::move(x));
    }
    return out;
  }

  // The next `n` change lines (other lines are skipped), each parsed with
  // its keys in printed order; fewer on timeout.
  std::vector<nlohmann::ordered_json> next_changes(cli_process& p, size_t n) {
    std::vector<nlohmann::ordered_json> out;
    auto deadline = std::chrono::steady_clock::now() + cli_must_arrive;
    while (out.size() < n) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        break;
      auto line = p.next_line(left);
      if (!line)
        break;
      auto x = nlohmann::ordered_json::parse(*line, nullptr, false);
      CLI_REQUIRE(!x.is_discarded(), "not JSON: " << *line);
      if (x["type"] == "change")
        out.push_back(std::move(x));
    }
    return out;
  }

  // The next line of `type`, skipping others.
  std::optional<json> next_of_type(cli_process& p, const std::string& type) {
    for (;;) {
      auto line = p.next_line(cli_must_arrive);
      if (!line)
        return std::nullopt;
      auto x = parse_json(*line);
      if (x["type"] == type)
        return x;
    }
  }
};

std::vector<std::string> keys_of(const nlohmann::ordered_json& x) {
  std::vector<std::string> out;
  for (auto& item : x.items())
    out.push_back(item.key());
  return out;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(cli_tail_tests, fixture)

CAF_TEST(tail_prints_inserts_updates_and_deletes_as_json_lines) {
  auto cfg = config(R"(
[[watcher]]
table = "items"
events = ["inserted", "updated", "deleted"]
extra_columns = ["name", "price", "active", "score", "data"]
association_columns = ["post_id"]
)");
  cli_process tail{{"tail", cfg}};
  auto ready
    = await_ready(tail, {"public.items:inserted", "public.items:updated",
                         "public.items:deleted"});
  for (auto& r : ready) {
    CAF_CHECK_EQUAL(keys_of(nlohmann::ordered_json::parse(r.dump())).size(),
                    3u);
    CLI_CHECK(is_timestamp(r["at"]), r.dump());
  }
  db.exec("INSERT INTO items VALUES (1, 'a', 9.50, true, 1.5, "
          "'{\"k\": [1, 2]}', 7)");
  db.exec("UPDATE items SET name = 'b', data = NULL WHERE id = 1");
  db.exec("DELETE FROM items WHERE id = 1");
  auto changes = next_changes(tail, 3);
  CAF_REQUIRE_EQUAL(changes.size(), 3u);
  // Each watcher publishes in commit order, but there is no order across
  // watchers: take each event's line wherever it came.
  std::map<std::string, nlohmann::ordered_json> by_event;
  for (auto& c : changes)
    by_event[c["event"].get<std::string>()] = c;
  CAF_REQUIRE_EQUAL(by_event.size(), 3u);
  auto& ins = by_event["inserted"];
  CAF_CHECK_EQUAL(keys_of(ins),
                  (std::vector<std::string>{"type", "watcher", "event",
                                            "schema", "table", "values"}));
  CAF_CHECK_EQUAL(ins["watcher"], "public.items:inserted");
  CAF_CHECK_EQUAL(ins["event"], "inserted");
  CAF_CHECK_EQUAL(ins["schema"], "public");
  CAF_CHECK_EQUAL(ins["table"], "items");
  auto& v = ins["values"];
  CAF_CHECK_EQUAL(keys_of(v),
                  (std::vector<std::string>{"id", "name", "price", "active",
                                            "score", "data", "post_id"}));
  CAF_CHECK(v["id"].is_number_integer());
  CAF_CHECK_EQUAL(v["id"], 1);
  CAF_CHECK_EQUAL(v["name"], "a");
  // numeric travels as its exact decimal text.
  CAF_CHECK(v["price"].is_string());
  CAF_CHECK_EQUAL(v["price"], "9.50");
  CAF_CHECK(v["active"].is_boolean());
  CAF_CHECK_EQUAL(v["active"], true);
  CAF_CHECK(v["score"].is_number_float());
  CAF_CHECK_EQUAL(v["score"], 1.5);
  // jsonb is embedded as JSON, not as a string.
  CAF_CHECK(v["data"].is_object());
  CAF_CHECK_EQUAL(v["data"]["k"], nlohmann::ordered_json::array({1, 2}));
  CAF_CHECK_EQUAL(v["post_id"], 7);
  auto& upd = by_event["updated"];
  CAF_CHECK_EQUAL(upd["watcher"], "public.items:updated");
  CAF_CHECK_EQUAL(upd["event"], "updated");
  CAF_CHECK_EQUAL(upd["values"]["id"], 1);
  CAF_CHECK_EQUAL(upd["values"]["name"], "b");
  CAF_CHECK(upd["values"]["data"].is_null());
  auto& del = by_event["deleted"];
  CAF_CHECK_EQUAL(del["watcher"], "public.items:deleted");
  CAF_CHECK_EQUAL(del["event"], "deleted");
  // Deletes carry the old row.
  CAF_CHECK_EQUAL(del["values"]["id"], 1);
  CAF_CHECK_EQUAL(del["values"]["name"], "b");
  CAF_CHECK_EQUAL(del["values"]["post_id"], 7);
  tail.signal(SIGTERM);
  CAF_CHECK_EQUAL(tail.wait(cli_must_arrive), 0);
}

CAF_TEST(tail_with_a_primary_key_filter_prints_only_that_row) {
  auto cfg = config(R"(
[[watcher]]
table = "items"
event = "updated"
extra_columns = ["name"]
)");
  db.exec("INSERT INTO items (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  cli_process tail{{"tail", cfg, "--watch", "items:updated:id=2"}};
  await_ready(tail, {"public.items:updated"});
  db.exec("UPDATE items SET name = 'a1' WHERE id = 1");
  db.exec("UPDATE items SET name = 'c1' WHERE id = 3");
  db.exec("UPDATE items SET name = 'b1' WHERE id = 2");
  db.exec("UPDATE items SET name = 'a2' WHERE id = 1");
  db.exec("UPDATE items SET name = 'b2' WHERE id = 2");
  // Changes arrive in commit order, so any other row would come first.
  auto changes = next_changes(tail, 2);
  CAF_REQUIRE_EQUAL(changes.size(), 2u);
  CAF_CHECK_EQUAL(changes[0]["values"]["id"], 2);
  CAF_CHECK_EQUAL(changes[0]["values"]["name"], "b1");
  CAF_CHECK_EQUAL(changes[1]["values"]["id"], 2);
  CAF_CHECK_EQUAL(changes[1]["values"]["name"], "b2");
  tail.signal(SIGTERM);
  CAF_CHECK_EQUAL(tail.wait(cli_must_arrive), 0);
}

CAF_TEST(tail_with_an_association_filter_prints_only_matching_rows) {
  auto cfg = config(R"(
[[watcher]]
table = "items"
event = "inserted"
label = "new_items"
association_columns = ["post_id"]
)");
  cli_process tail{{"tail", cfg, "--watch", "new_items:post_id=7"}};
  await_ready(tail, {"new_items"});
  for (auto* row : {"(1, 8)", "(2, 7)", "(3, NULL)", "(4, 8)", "(5, 7)"})
    db.exec(std::string{"INSERT INTO items (id, post_id) VALUES "} + row);
  auto changes = next_changes(tail, 2);
  CAF_REQUIRE_EQUAL(changes.size(), 2u);
  CAF_CHECK_EQUAL(changes[0]["watcher"], "new_items");
  CAF_CHECK_EQUAL(changes[0]["values"]["id"], 2);
  CAF_CHECK_EQUAL(changes[0]["values"]["post_id"], 7);
  CAF_CHECK_EQUAL(changes[1]["values"]["id"], 5);
  CAF_CHECK_EQUAL(changes[1]["values"]["post_id"], 7);
  tail.signal(SIGTERM);
  CAF_CHECK_EQUAL(tail.wait(cli_must_arrive), 0);
}

CAF_TEST(tail_ends_with_exit_0_on_sigterm_and_sigint) {
  auto cfg = config(R"(
[[watcher]]
table = "items"
event = "inserted"
)");
  for (int sig : {SIGTERM, SIGINT}) {
    cli_process tail{{"tail", cfg}};
    await_ready(tail, {"public.items:inserted"});
    tail.signal(sig);
    auto code = tail.wait(cli_must_arrive);
    CLI_CHECK(code.has_value(), "tail did not end on signal " << sig);
    CAF_CHECK_EQUAL(code, 0);
  }
}

CAF_TEST(tail_rejects_an_unknown_target_with_exit_2) {
  auto cfg = config(R"(
[[watcher]]
table = "items"
event = "inserted"
)");
  auto res = run_cli({"tail", cfg, "--watch", "nothing:inserted"});
  CAF_CHECK_EQUAL(res.exit_code, 2);
  CLI_CHECK(contains(res.err, "No watcher found for "
                              "public.nothing:inserted (watchers: "
                              "public.items:inserted)"),
            res.err);
  CAF_CHECK(res.out.empty());
}

CAF_TEST(tail_rejects_columns_that_select_nothing_with_exit_2) {
  auto cfg = config(R"(
[[watcher]]
table = "items"
events = ["inserted", "updated"]
association_columns = ["post_id"]
)");
  auto not_assoc = run_cli({"tail", cfg, "--watch", "items:updated:name=x"});
  CAF_CHECK_EQUAL(not_assoc.exit_code, 2);
  CLI_CHECK(contains(not_assoc.err,
                     "Column name is not an association column of "
                     "watcher public.items:updated (association "
                     "columns: post_id)"),
            not_assoc.err);
  auto inserted_key = run_cli({"tail", cfg, "--watch", "items:inserted:id=1"});
  CAF_CHECK_EQUAL(inserted_key.exit_code, 2);
  CLI_CHECK(contains(inserted_key.err,
                     "Cannot subscribe to primary_key for inserted "
                     "records"),
            inserted_key.err);
  auto empty_column = run_cli({"tail", cfg, "--watch", "items:updated:=1"});
  CAF_CHECK_EQUAL(empty_column.exit_code, 2);
}

CAF_TEST(tail_reports_a_lost_connection_with_disconnected_and_resumed_lines) {
  auto cfg = config(quick_listener + R"(
[[watcher]]
table = "items"
event = "inserted"
)");
  cli_process tail{{"tail", cfg}};
  await_ready(tail, {"public.items:inserted"});
  // The listener's connection carries exactly the configured name.
  CAF_REQUIRE_EQUAL(
    db.scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
              "WHERE datname = current_database() AND application_name = "
              "'libwatch-cli-test'"),
    "1");
  auto down = next_of_type(tail, "disconnected");
  CAF_REQUIRE(down);
  CAF_CHECK_EQUAL((*down)["watcher"], "public.items:inserted");
  CAF_CHECK((*down)["reason"].is_string());
  CAF_CHECK(!(*down)["reason"].get<std::string>().empty());
  CLI_CHECK(is_timestamp((*down)["since"]), down->dump());
  auto back = next_of_type(tail, "resumed");
  CAF_REQUIRE(back);
  CAF_CHECK_EQUAL((*back)["watcher"], "public.items:inserted");
  CAF_CHECK(is_timestamp((*back)["missed_from"]));
  CAF_CHECK(is_timestamp((*back)["missed_until"]));
  CAF_CHECK_LESS_OR_EQUAL((*back)["missed_from"].get<std::string>(),
                          (*back)["missed_until"].get<std::string>());
  db.exec("INSERT INTO items (id) VALUES (1)");
  auto changes = next_changes(tail, 1);
  CAF_REQUIRE_EQUAL(changes.size(), 1u);
  CAF_CHECK_EQUAL(changes[0]["values"]["id"], 1);
  tail.signal(SIGTERM);
  CAF_CHECK_EQUAL(tail.wait(cli_must_arrive), 0);
}

CAF_TEST(tail_keeps_retrying_an_unreachable_database_unless_fail_fast) {
  auto cfg = config_for("host=127.0.0.1 port=1 dbname=x", quick_listener + R"(
[[watcher]]
table = "items"
event = "inserted"
)");
  {
    cli_process tail{{"tail", cfg}};
    auto down = next_of_type(tail, "disconnected");
    CLI_REQUIRE(down, "no disconnected line; stderr:\n" << tail.err());
    CAF_CHECK_EQUAL((*down)["watcher"], "public.items:inserted");
    CAF_CHECK(contains((*down)["reason"].get<std::string>(),
                       "cannot connect to PostgreSQL"));
    // Still retrying: it ends only when asked to.
    CAF_CHECK(!tail.wait(std::chrono::milliseconds(300)));
    tail.signal(SIGTERM);
    CAF_CHECK_EQUAL(tail.wait(cli_must_arrive), 0);
  }
  auto res = run_cli({"tail", cfg, "--fail-fast"});
  CAF_CHECK_EQUAL(res.exit_code, 3);
  CLI_CHECK(contains(res.err, "cannot connect to PostgreSQL"), res.err);
}

CAF_TEST_FIXTURE_SCOPE_END()
