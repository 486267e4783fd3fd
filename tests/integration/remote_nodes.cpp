// Shape 2, a watcher node and subscriber nodes without a database: the
// watcher node publishes its groups over caf::io ([cluster] listen), the
// subscriber nodes use connect_remote. Every remote subscriber gets each
// change once, in commit order, with the content a local subscriber gets,
// and survives the watcher node restarting.
#define CAF_SUITE remote_nodes
#include <caf/test/unit_test.hpp>

#include <csignal>

#include "integration/cli_fixture.hpp"
#include "integration/test_node.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

std::string watcher_node_config(uint16_t port) {
  return R"(
[cluster]
listen = "127.0.0.1:)"
         + std::to_string(port) + R"("

[[watcher]]
table = "items"
event = "inserted"
label = "items_new"
)";
}

struct fixture : cli_fixture {
  fixture() {
    db.exec("CREATE TABLE items (id int PRIMARY KEY, v int)");
  }

  // Inserts ids [first, last] in transactions of 1000 rows.
  void insert(int first, int last) {
    std::string sql;
    for (int lo = first; lo <= last; lo += 1000) {
      auto hi = std::min(last, lo + 999);
      sql += "BEGIN; INSERT INTO items SELECT g, g FROM generate_series("
             + std::to_string(lo) + ", " + std::to_string(hi) + ") g; COMMIT;";
    }
    db.exec(sql);
  }

  // The port a watcher node printed ("port N").
  uint16_t port_of(cli_process& node) {
    auto line = wait_for_line(node, "port");
    CLI_REQUIRE(line, node.err());
    return static_cast<uint16_t>(std::stoul(line->substr(5)));
  }

  void stop(cli_process& node) {
    node.signal(SIGTERM);
    CAF_CHECK_EQUAL(node.wait(node_must_arrive), 0);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(remote_nodes_tests, fixture)

CAF_TEST(remote_subscribers_get_each_change_once_in_order_like_local_ones) {
  auto watcher = start_watch_node(config(watcher_node_config(0)), "items_new");
  auto port = port_of(*watcher);
  CAF_REQUIRE_NOT_EQUAL(port, 0);
  REQUIRE_LINE(*watcher, "ready");
  std::vector<std::unique_ptr<cli_process>> remotes;
  for (int i = 0; i < 2; ++i) {
    remotes.push_back(start_remote_node(port, "items_new"));
    // ready_msg: the subscription reached the watcher node.
    REQUIRE_LINE(*remotes.back(), "ready_msg");
  }
  insert(1, 10000);
  auto local = collect_changes(*watcher, 10000);
  CLI_REQUIRE(local.size() == 10000u, watcher->err());
  for (int64_t i = 0; i < 10000; ++i)
    if (id_of(local[static_cast<size_t>(i)]) != i + 1) {
      CAF_FAIL("local change " << i << " is " << local[i]);
    }
  for (auto& remote : remotes) {
    auto lines = collect_changes(*remote, 10000);
    CLI_CHECK(lines.size() == 10000u, "got " << lines.size() << "; stderr:\n"
                                             << remote->err());
    // Same content, same (commit) order as the local subscriber.
    CAF_CHECK(lines == local);
    CAF_CHECK(!remote->next_line(std::chrono::milliseconds(300)));
  }
  for (auto& remote : remotes)
    stop(*remote);
  stop(*watcher);
}

CAF_TEST(remote_subscribers_see_a_watcher_node_restart_and_keep_receiving) {
  auto port = free_port();
  CAF_REQUIRE_NOT_EQUAL(port, 0);
  auto cfg = config(watcher_node_config(port));
  auto watcher = start_watch_node(cfg, "-");
  REQUIRE_LINE(*watcher, "ready");
  std::vector<std::unique_ptr<cli_process>> remotes;
  for (int i = 0; i < 2; ++i) {
    remotes.push_back(start_remote_node(port, "items_new"));
    REQUIRE_LINE(*remotes.back(), "ready_msg");
  }
  insert(1, 100);
  for (auto& remote : remotes)
    CAF_CHECK_EQUAL(collect_changes(*remote, 100).size(), 100u);
  watcher->signal(SIGKILL);
  watcher->wait(node_must_arrive);
  for (auto& remote : remotes)
    CHECK_LINE(*remote, "disconnected");
  auto restarted = start_watch_node(cfg, "-");
  REQUIRE_LINE(*restarted, "ready");
  for (auto& remote : remotes)
    CHECK_LINE(*remote, "resumed");
  insert(101, 200);
  for (auto& remote : remotes) {
    auto lines = collect_changes(*remote, 100);
    CAF_REQUIRE_EQUAL(lines.size(), 100u);
    CAF_CHECK_EQUAL(id_of(lines.front()), 101);
    CAF_CHECK_EQUAL(id_of(lines.back()), 200);
    CAF_CHECK(!remote->next_line(std::chrono::milliseconds(300)));
  }
  for (auto& remote : remotes)
    stop(*remote);
  stop(*restarted);
}

CAF_TEST_FIXTURE_SCOPE_END()
