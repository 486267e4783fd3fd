// Shape 1, every node watches: several processes run the same watchers
// against one database. Each gets every notification from PostgreSQL and
// publishes only locally, so every subscriber receives each change exactly
// once; a node lacking a watcher another node runs never drops its trigger.
// (Four processes starting at once: installation.cpp.)
#define CAF_SUITE multi_node
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <set>

#include "integration/cli_fixture.hpp"
#include "integration/test_node.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

const std::string inserted_watcher = R"(
[[watcher]]
table = "items"
event = "inserted"
label = "items_new"
)";

const std::string updated_watcher = R"(
[[watcher]]
table = "items"
event = "updated"
label = "items_upd"
)";

const std::string drop_orphans = R"(
[cleanup]
orphans = "drop"
)";

struct fixture : cli_fixture {
  fixture() {
    db.exec("CREATE TABLE items (id int PRIMARY KEY, v int)");
  }

  std::string triggers_named(const std::string& name) {
    return db.scalar("SELECT count(*) FROM pg_trigger WHERE tgname = '" + name
                     + "'");
  }

  void stop(cli_process& node) {
    node.signal(SIGTERM);
    CAF_CHECK_EQUAL(node.wait(node_must_arrive), 0);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(multi_node_tests, fixture)

CAF_TEST(three_nodes_each_deliver_every_change_exactly_once) {
  auto cfg = config(inserted_watcher);
  std::vector<std::unique_ptr<cli_process>> nodes;
  for (int i = 0; i < 3; ++i)
    nodes.push_back(start_watch_node(cfg, "items_new"));
  for (auto& node : nodes)
    REQUIRE_LINE(*node, "ready");
  CAF_CHECK_EQUAL(count_triggers(), 1);
  db.exec("INSERT INTO items SELECT g, g FROM generate_series(1, 10000) g");
  for (auto& node : nodes) {
    auto lines = collect_changes(*node, 10000);
    CLI_CHECK(lines.size() == 10000u, "got " << lines.size()
                                             << " changes; stderr:\n"
                                             << node->err());
    std::set<int64_t> ids;
    for (auto& line : lines)
      ids.insert(id_of(line));
    CAF_CHECK_EQUAL(ids.size(), 10000u);
    CAF_CHECK_EQUAL(*ids.begin(), 1);
    CAF_CHECK_EQUAL(*ids.rbegin(), 10000);
    // Nothing beyond the 10,000: one copy per change and node.
    CAF_CHECK(!node->next_line(std::chrono::milliseconds(300)));
  }
  for (auto& node : nodes)
    stop(*node);
}

CAF_TEST(a_rolling_deploy_keeps_the_trigger_of_a_watcher_the_old_node_runs) {
  auto old_cfg = config(inserted_watcher + updated_watcher, "old.toml");
  auto new_cfg = config(drop_orphans + updated_watcher, "new.toml");
  auto old_node = start_watch_node(old_cfg, "items_new");
  REQUIRE_LINE(*old_node, "ready");
  // The new node lacks items_new and drops orphans, but the old node still
  // listens for it: the trigger stays and is reported as in use.
  auto new_node = start_watch_node(new_cfg, "-");
  REQUIRE_LINE(*new_node, "ready");
  CHECK_STDERR(*new_node, "in use by another node");
  CAF_CHECK(new_node->err().find("dropped") == std::string::npos);
  CAF_CHECK_EQUAL(triggers_named("lw_items_new_trigger"), "1");
  db.exec("INSERT INTO items VALUES (1, 1)");
  auto got = collect_changes(*old_node, 1);
  CAF_REQUIRE_EQUAL(got.size(), 1u);
  CAF_CHECK_EQUAL(id_of(got[0]), 1);
  // Once the old node is gone, the next start of the new one cleans up.
  stop(*old_node);
  stop(*new_node);
  auto again = start_watch_node(new_cfg, "-");
  REQUIRE_LINE(*again, "ready");
  CHECK_STDERR(*again, "dropped libwatch objects");
  CAF_CHECK_EQUAL(triggers_named("lw_items_new_trigger"), "0");
  CAF_CHECK_EQUAL(triggers_named("lw_items_upd_trigger"), "1");
  stop(*again);
}

CAF_TEST(orphan_reports_name_what_another_node_still_uses) {
  auto old_cfg = config(inserted_watcher + updated_watcher, "old.toml");
  auto new_cfg = config(updated_watcher, "new.toml");
  auto old_node = start_watch_node(old_cfg, "-");
  REQUIRE_LINE(*old_node, "ready");
  // orphans = "warn" reads pg_locks: in use, not "found ... orphans".
  auto new_node = start_watch_node(new_cfg, "-");
  REQUIRE_LINE(*new_node, "ready");
  CHECK_STDERR(*new_node, "in use by another node and left in place: "
                          "function \"public\".\"lw_items_new_func\"()");
  CAF_CHECK(new_node->err().find("found libwatch objects")
            == std::string::npos);
  stop(*new_node);
  stop(*old_node);
}

CAF_TEST(uninstall_refuses_a_watcher_a_running_node_listens_for) {
  auto cfg = config(inserted_watcher);
  auto node = start_watch_node(cfg, "-");
  REQUIRE_LINE(*node, "ready");
  auto refused = run_cli({"uninstall", cfg});
  CLI_CHECK(refused.exit_code == 1, refused.out << refused.err);
  CLI_CHECK(contains(refused.out, "in use"), refused.out);
  CAF_CHECK_EQUAL(triggers_named("lw_items_new_trigger"), "1");
  CAF_CHECK(function_exists("lw_items_new_func"));
  stop(*node);
  auto done = run_cli({"uninstall", cfg});
  CLI_CHECK(done.exit_code == 0, done.out << done.err);
  CAF_CHECK_EQUAL(triggers_named("lw_items_new_trigger"), "0");
  CAF_CHECK(!function_exists("lw_items_new_func"));
}

CAF_TEST_FIXTURE_SCOPE_END()
