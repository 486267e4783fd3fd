// WAL watchers across processes: two nodes configured with one slot take
// turns (one reads, the other waits and takes over when the first dies), and
// a node killed in the middle of a large transaction loses nothing: after a
// restart the stream resumes where the slot was confirmed, and what comes
// again carries its original position.
#define CAF_SUITE wal_nodes
#include <caf/test/unit_test.hpp>

#include <csignal>
#include <map>
#include <regex>
#include <utility>

#include "integration/cli_fixture.hpp"
#include "integration/test_node.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

// The stream position printed in a change line, as "batch/entry".
std::string position_of(const std::string& line) {
  static const std::regex re{R"(stream_position\((-?\d+), (-?\d+)\))"};
  std::smatch m;
  if (!std::regex_search(line, m, re))
    return {};
  return m[1].str() + "/" + m[2].str();
}

struct fixture : cli_fixture {
  std::string slot = "n_" + db.name();

  fixture() {
    db.exec("CREATE TABLE items (id int PRIMARY KEY, v int)");
  }

  std::string node_config() {
    return config(R"(
[listener]
reconnect_initial = "100ms"
reconnect_max = "1s"

[wal]
slot = ")" + slot + R"("

[[watcher]]
table = "items"
event = "inserted"
label = "items_new"
source = "wal"
)");
  }

  void insert(int first, int last) {
    db.exec("INSERT INTO items SELECT g, g FROM generate_series("
            + std::to_string(first) + ", " + std::to_string(last) + ") g");
  }

  void stop(cli_process& node) {
    node.signal(SIGTERM);
    CAF_CHECK_EQUAL(node.wait(node_must_arrive), 0);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(wal_nodes_tests, fixture)

CAF_TEST(two_nodes_with_one_slot_take_turns_and_one_takes_over_after_a_kill) {
  auto cfg = node_config();
  auto first = start_watch_node(cfg, "items_new");
  REQUIRE_LINE(*first, "ready");
  auto second = start_watch_node(cfg, "items_new");
  // The slot is busy: the second node's watcher waits, and says so.
  CHECK_LINE(*second, "disconnected");
  insert(1, 100);
  auto lines = collect_changes(*first, 100);
  CLI_REQUIRE(lines.size() == 100u, first->err());
  CAF_CHECK_EQUAL(id_of(lines.front()), 1);
  CAF_CHECK_EQUAL(id_of(lines.back()), 100);
  CAF_CHECK(!second->next_line(std::chrono::milliseconds(300)));
  first->signal(SIGKILL);
  first->wait(node_must_arrive);
  // Committed while nobody reads: the slot keeps it for the next reader.
  insert(101, 200);
  REQUIRE_LINE(*second, "ready");
  auto taken_over = collect_changes(*second, 100);
  CLI_REQUIRE(taken_over.size() == 100u, second->err());
  for (size_t i = 0; i < taken_over.size(); ++i)
    CAF_CHECK_EQUAL(id_of(taken_over[i]), static_cast<int64_t>(101 + i));
  stop(*second);
}

CAF_TEST(
  a_node_killed_mid_transaction_loses_nothing_and_repeats_keep_their_positions) {
  constexpr int rows = 50'000;
  auto cfg = node_config();
  auto node = start_watch_node(cfg, "items_new");
  REQUIRE_LINE(*node, "ready");
  insert(1, rows);
  // Kill it once part of the transaction went through.
  std::map<int64_t, std::string> seen;
  auto before = collect_changes(*node, rows / 5);
  CLI_REQUIRE(before.size() == static_cast<size_t>(rows / 5), node->err());
  node->signal(SIGKILL);
  node->wait(node_must_arrive);
  for (auto& line : before)
    seen.emplace(id_of(line), position_of(line));
  auto restarted = start_watch_node(cfg, "items_new");
  REQUIRE_LINE(*restarted, "ready");
  size_t repeats = 0;
  std::vector<std::string> after;
  while (static_cast<int64_t>(seen.size()) < rows) {
    auto more = collect_changes(*restarted, 1);
    CLI_REQUIRE(!more.empty(), "only " << seen.size() << " of " << rows
                                       << " ids arrived; stderr:\n"
                                       << restarted->err());
    auto id = id_of(more[0]);
    auto pos = position_of(more[0]);
    CAF_REQUIRE(!pos.empty());
    auto [where, added] = seen.emplace(id, pos);
    if (!added) {
      ++repeats;
      if (where->second != pos)
        CAF_FAIL("id " << id << " came again at position " << pos
                       << ", first at " << where->second);
    }
  }
  CAF_MESSAGE(before.size() << " changes before the kill, " << repeats
                            << " of them again after the restart");
  CAF_CHECK_EQUAL(seen.size(), static_cast<size_t>(rows));
  CAF_CHECK_EQUAL(seen.begin()->first, 1);
  CAF_CHECK_EQUAL(seen.rbegin()->first, rows);
  CAF_CHECK(!restarted->next_line(std::chrono::milliseconds(300)));
  stop(*restarted);
}

CAF_TEST_FIXTURE_SCOPE_END()
