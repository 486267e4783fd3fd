// Statement-level triggers (trigger_level::statement) deliver exactly what
// row-level triggers deliver: the same per-row changes, values, raw payloads
// and sources, in the same order. Only the number of notifications differs.
#define CAF_SUITE statement_level
#include <caf/test/unit_test.hpp>

#include <set>
#include <thread>

#include "integration/mixed_workload.hpp"
#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

watcher_spec posts(event_kind event, std::string label, trigger_level level) {
  auto spec = watcher_spec::on("posts", event)
                .labelled(std::move(label))
                .with_extra_columns({"title", "likes"})
                .with_trigger_level(level);
  if (event == event_kind::updated)
    spec.with_trigger_columns({"likes"});
  return spec;
}

// Everything a subscriber can see of a change but its watcher's name.
std::string describe_change(const change& c) {
  std::string out = to_string(c.source) + " " + c.raw + " ->";
  for (auto& f : c.values)
    out += " " + f.column + "=" + to_string(f.value);
  return out;
}

struct fixture : watch_fixture {
  fixture() {
    // Deferrable so that a statement may swap two keys.
    db.exec("CREATE TABLE posts (id bigint PRIMARY KEY DEFERRABLE,"
            " title text NOT NULL, likes int NOT NULL DEFAULT 0)");
  }

  // Waits until the watcher `name` has received `n` notifications.
  uint64_t received(instance& inst, const std::string& name, uint64_t n) {
    auto count = [&] {
      for (auto& w : inst.status().watchers)
        if (w.watcher == name)
          return w.received;
      CAF_FAIL("no watcher " << name);
      return uint64_t{0};
    };
    uint64_t last = 0;
    eventually([&] { return (last = count()) >= n; });
    return last;
  }

  std::string trigger_type(const std::string& label) {
    return db.scalar("SELECT tgtype FROM pg_trigger WHERE tgname = 'lw_" + label
                     + "_trigger'");
  }
};

// Receives changes from one group on its own actor.
struct subscription {
  caf::scoped_actor self;
  subscription(caf::actor_system& sys, const caf::expected<caf::group>& g)
      : self(sys) {
    join(self, g);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(statement_level_tests, fixture)

CAF_TEST(both_levels_deliver_identical_changes_for_a_mixed_workload) {
  std::vector<watcher_spec> specs;
  for (auto event :
       {event_kind::inserted, event_kind::updated, event_kind::deleted}) {
    auto name = std::string{to_string_view(event)};
    specs.push_back(posts(event, "row_" + name, trigger_level::row));
    specs.push_back(posts(event, "stmt_" + name, trigger_level::statement));
  }
  auto inst = start(specs);
  std::vector<std::unique_ptr<subscription>> subs;
  for (auto& spec : specs)
    subs.push_back(std::make_unique<subscription>(sys, inst.all(spec.label)));
  // Receives `want` changes from the row- and the statement-level watcher of
  // one event and compares them. Each phase is compared before the next
  // starts: a row read back because it was too large to notify must still
  // exist when both watchers read it.
  auto compare = [&](size_t event_index, size_t want) {
    auto& row_self = subs[2 * event_index]->self;
    auto& stmt_self = subs[2 * event_index + 1]->self;
    CAF_MESSAGE(to_string(specs[2 * event_index].event)
                << ": expecting " << want);
    auto from_rows = changes(row_self, want);
    auto from_statements = changes(stmt_self, want);
    CAF_REQUIRE_EQUAL(from_rows.size(), want);
    CAF_REQUIRE_EQUAL(from_statements.size(), want);
    for (size_t k = 0; k < want; ++k) {
      if (describe_change(from_rows[k]) != describe_change(from_statements[k]))
        CAF_FAIL("change " << k << " differs:\n  row:       "
                           << describe_change(from_rows[k]) << "\n  statement: "
                           << describe_change(from_statements[k]));
    }
  };
  for (auto& phase : mixed_workload()) {
    for (auto& sql : phase.statements)
      db.exec(sql);
    compare(phase.event_index, phase.expected);
  }
  for (auto& sub : subs)
    CAF_CHECK(nothing_arrives(sub->self));
  auto st = inst.status();
  for (auto& w : st.watchers) {
    CAF_MESSAGE(w.watcher << ": " << w.received << " notifications, "
                          << w.published << " changes");
    CAF_CHECK_EQUAL(w.dropped, 0u);
  }
}

CAF_TEST(a_bulk_insert_arrives_complete_and_in_order_in_few_notifications) {
  auto inst
    = start({posts(event_kind::inserted, "bulk", trigger_level::statement)});
  caf::scoped_actor self{sys};
  join(self, inst.all("bulk"));
  db.exec("INSERT INTO posts SELECT i, 'item ' || i, 0"
          " FROM generate_series(1, 20000) i");
  auto got = changes(self, 20'000);
  CAF_REQUIRE_EQUAL(got.size(), 20'000u);
  for (int64_t i = 0; i < 20'000; ++i)
    if (got[i].key().as_integer() != i + 1)
      CAF_FAIL("change " << i << " has key " << got[i].key());
  auto notifications = received(inst, "bulk", 1);
  CAF_MESSAGE("20,000 rows in " << notifications << " notifications");
  CAF_CHECK(notifications < 200);
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(no_notification_when_no_row_qualifies) {
  db.exec("INSERT INTO posts SELECT i, 'x', 0 FROM generate_series(1, 50) i");
  auto inst = start(
    {posts(event_kind::updated, "likes_only", trigger_level::statement)});
  caf::scoped_actor self{sys};
  join(self, inst.all("likes_only"));
  db.exec("UPDATE posts SET title = 'y'");
  db.exec("UPDATE posts SET likes = 1 WHERE false");
  db.exec("UPDATE posts SET id = id + 100");
  CAF_CHECK(nothing_arrives(self));
  CAF_CHECK_EQUAL(received(inst, "likes_only", 0), 0u);
  db.exec("UPDATE posts SET likes = 2 WHERE id = 101");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_integer(), 101);
  CAF_CHECK_EQUAL(received(inst, "likes_only", 1), 1u);
}

CAF_TEST(switching_the_level_replaces_the_trigger) {
  {
    auto inst
      = start({posts(event_kind::inserted, "switch", trigger_level::row)});
    inst.stop();
  }
  // tgtype: 1 = FOR EACH ROW, 4 = INSERT.
  CAF_CHECK_EQUAL(trigger_type("switch"), "5");
  auto inst
    = start({posts(event_kind::inserted, "switch", trigger_level::statement)});
  CAF_CHECK_EQUAL(trigger_type("switch"), "4");
  CAF_CHECK_EQUAL(db.scalar("SELECT tgnewtable FROM pg_trigger"
                            " WHERE tgname = 'lw_switch_trigger'"),
                  "lw_new_rows");
  caf::scoped_actor self{sys};
  join(self, inst.all("switch"));
  db.exec("INSERT INTO posts VALUES (1, 'a', 0), (2, 'b', 0)");
  auto got = changes(self, 2);
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  CAF_CHECK_EQUAL(got[1].at("title").as_string(), "b");
}

CAF_TEST(rows_moving_between_partitions_pair_with_their_old_version) {
  db.exec("CREATE TABLE logs (id bigint PRIMARY KEY, n int NOT NULL)"
          " PARTITION BY RANGE (id)");
  db.exec("CREATE TABLE logs_a PARTITION OF logs FOR VALUES FROM (0) TO (100)");
  db.exec("CREATE TABLE logs_b PARTITION OF logs FOR VALUES FROM (100) TO"
          " (200)");
  auto inst = start({watcher_spec::on("logs", event_kind::updated)
                       .labelled("moves")
                       .with_extra_columns({"n"})
                       .with_trigger_columns({"n"})
                       .with_trigger_level(trigger_level::statement)});
  db.exec("INSERT INTO logs SELECT i, 0 FROM generate_series(1, 6) i");
  caf::scoped_actor self{sys};
  join(self, inst.all("moves"));
  // Rows 1-3 move to the other partition (a delete and an insert inside
  // PostgreSQL); only row 2's n changes. Rows 4-6 stay.
  db.exec("UPDATE logs SET id = CASE WHEN id <= 3 THEN id + 100 ELSE id END,"
          " n = CASE id WHEN 2 THEN 1 WHEN 5 THEN 1 ELSE n END");
  auto got = changes(self, 2);
  CAF_REQUIRE_EQUAL(got.size(), 2u);
  std::set<int64_t> keys;
  for (auto& c : got) {
    keys.insert(c.key().as_integer().value_or(-1));
    CAF_CHECK_EQUAL(c.at("n").as_integer(), 1);
  }
  CAF_CHECK(keys == (std::set<int64_t>{102, 5}));
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST_FIXTURE_SCOPE_END()
