// Watchers fed by the WAL (source = "wal") deliver what row-level triggers
// deliver: the same changes, values, raw payloads and order, with the
// differences README documents (rows of any size arrive whole; unchanged
// TOASTed values are read from the table). And they never lose a change
// silently: a slot dropped behind libwatch's back is a gap with a reason,
// never re-created behind the user's back.
#define CAF_SUITE wal_source
#include <caf/test/unit_test.hpp>

#include <memory>
#include <string>
#include <vector>

#include "integration/mixed_workload.hpp"
#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

watcher_spec posts(event_kind event, std::string label, watch_source source) {
  auto spec = watcher_spec::on("posts", event)
                .labelled(std::move(label))
                .with_extra_columns({"title", "likes"});
  spec.source = source;
  if (event == event_kind::updated)
    spec.with_trigger_columns({"likes"});
  return spec;
}

// Everything a subscriber can see of a change but its watcher's name.
std::string describe_change(const change& c) {
  std::string out
    = to_string(c.event) + " " + to_string(c.source) + " " + c.raw + " ->";
  for (auto& f : c.values)
    out += " " + f.column + "=" + to_string(f.value);
  return out;
}

std::string describe_values(const change& c) {
  std::string out = to_string(c.event) + " ->";
  for (auto& f : c.values)
    out += " " + f.column + "=" + to_string(f.value);
  return out;
}

struct subscription {
  caf::scoped_actor self;
  subscription(caf::actor_system& sys, const caf::expected<caf::group>& g)
      : self(sys) {
    join(self, g);
  }
};

struct fixture : watch_fixture {
  // Unique per test: replication slots belong to the whole cluster.
  std::string consumer = "t_" + db.name();

  fixture() {
    db.exec("CREATE TABLE posts (id bigint PRIMARY KEY DEFERRABLE,"
            " title text NOT NULL, likes int NOT NULL DEFAULT 0)");
  }

  watch_config wal_config(std::vector<watcher_spec> specs) {
    auto result = config_of(std::move(specs));
    result.wal.slot = consumer;
    return result;
  }

  std::string slot() const {
    return "lw_" + consumer;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(wal_source_tests, fixture)

CAF_TEST(wal_and_row_trigger_deliver_the_same_changes_for_a_mixed_workload) {
  // Old values for trigger_columns and for the extra columns of deletes.
  db.exec("ALTER TABLE posts REPLICA IDENTITY FULL");
  std::vector<watcher_spec> specs;
  for (auto event :
       {event_kind::inserted, event_kind::updated, event_kind::deleted}) {
    auto name = std::string{to_string_view(event)};
    specs.push_back(posts(event, "trg_" + name, watch_source::trigger));
    specs.push_back(posts(event, "wal_" + name, watch_source::wal));
  }
  auto inst = start(wal_config(specs));
  std::vector<std::unique_ptr<subscription>> subs;
  for (auto& spec : specs)
    subs.push_back(std::make_unique<subscription>(sys, inst.all(spec.label)));
  auto compare = [&](size_t event_index, size_t want) {
    auto& trg_self = subs[2 * event_index]->self;
    auto& wal_self = subs[2 * event_index + 1]->self;
    CAF_MESSAGE(to_string(specs[2 * event_index].event)
                << ": expecting " << want);
    auto from_trigger = changes(trg_self, want);
    auto from_wal = changes(wal_self, want);
    CAF_REQUIRE_EQUAL(from_trigger.size(), want);
    CAF_REQUIRE_EQUAL(from_wal.size(), want);
    for (size_t k = 0; k < want; ++k) {
      auto& t = from_trigger[k];
      auto& w = from_wal[k];
      // Documented difference: the WAL has no 8000-byte limit, so a row
      // the trigger had to read back arrives whole, and a deleted one
      // (key_only from the trigger) with all its old values.
      if (t.source == value_source::key_only) {
        CAF_CHECK_EQUAL(w.source, value_source::notification);
        CAF_CHECK_EQUAL(to_string(t.key()), to_string(w.key()));
        CAF_CHECK_EQUAL(w.values.size(), 3u);
        continue;
      }
      if (t.source == value_source::fetched) {
        CAF_CHECK_EQUAL(w.source, value_source::notification);
        if (describe_values(t) != describe_values(w))
          CAF_FAIL("change " << k
                             << " differs:\n  trigger: " << describe_values(t)
                             << "\n  wal:     " << describe_values(w));
        continue;
      }
      if (describe_change(t) != describe_change(w))
        CAF_FAIL("change " << k
                           << " differs:\n  trigger: " << describe_change(t)
                           << "\n  wal:     " << describe_change(w));
    }
  };
  for (auto& phase : mixed_workload()) {
    for (auto& sql : phase.statements)
      db.exec(sql);
    compare(phase.event_index, phase.expected);
  }
  for (auto& sub : subs)
    CAF_CHECK(nothing_arrives(sub->self));
}

CAF_TEST(an_unchanged_toasted_value_is_never_reported_as_null) {
  db.exec("CREATE TABLE docs (id int PRIMARY KEY, body text, n int)");
  // md5 text does not compress: the value is stored out of line.
  db.exec("INSERT INTO docs SELECT 1, string_agg(md5(i::text), ''), 0"
          " FROM generate_series(1, 3200) i");
  auto spec = watcher_spec::on("docs", event_kind::updated)
                .with_extra_columns({"body", "n"})
                .from_wal();
  auto inst = start(wal_config({spec}));
  caf::scoped_actor self{sys};
  join(self, inst.all(watcher_name(spec)));
  db.exec("UPDATE docs SET n = 1");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  auto* body = c->find("body");
  CAF_REQUIRE(body != nullptr);
  CAF_REQUIRE(!body->is_null());
  CAF_CHECK_EQUAL(body->as_string()->size(), 102400u);
  CAF_CHECK_EQUAL(std::string{*body->as_string()},
                  db.scalar("SELECT body FROM docs WHERE id = 1"));
  CAF_CHECK_EQUAL(c->at("n"), value{1});
  auto st = inst.status();
  CAF_CHECK_EQUAL(st.replication, "connected");
  CAF_CHECK_EQUAL(st.connection, "connected");
}

CAF_TEST(a_slot_dropped_behind_libwatchs_back_is_a_gap_and_never_recreated) {
  auto spec = watcher_spec::on("posts", event_kind::inserted).from_wal();
  auto inst = start(wal_config({spec}));
  caf::scoped_actor self{sys};
  join(self, inst.all(watcher_name(spec)));
  db.exec("INSERT INTO posts VALUES (1, 'a', 0)");
  CAF_REQUIRE(next_change(self));
  // The stream reconnects at once: terminate and drop until the drop wins.
  CAF_REQUIRE(eventually([&] {
    db.exec("SELECT pg_terminate_backend(active_pid) FROM "
            "pg_replication_slots WHERE slot_name = '"
            + slot() + "' AND active_pid IS NOT NULL");
    return db.scalar("SELECT count(*) FROM (SELECT pg_drop_replication_slot("
                     "slot_name) FROM pg_replication_slots WHERE slot_name = '"
                     + slot() + "' AND NOT active) x")
           == "1";
  }));
  auto gone = next_of<disconnected_msg>(self);
  CAF_REQUIRE(gone);
  // A disconnect for the termination may come first; the reason for the
  // lost slot follows once the stream tries again.
  bool told = gone->reason.find("does not exist") != std::string::npos;
  CAF_CHECK(eventually([&] {
    auto st = inst.status();
    told = told
           || st.watchers[0].last_error.find("does not exist")
                != std::string::npos;
    return told;
  }));
  CAF_CHECK(eventually([&] {
    return inst.status().last_replication_error.find("does not exist")
           != std::string::npos;
  }));
  db.exec("INSERT INTO posts VALUES (2, 'b', 0)");
  CAF_CHECK(nothing_arrives(self));
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_replication_slots WHERE "
                            "slot_name = '"
                            + slot() + "'"),
                  "0");
}

CAF_TEST(a_quiet_slot_keeps_advancing_while_another_database_writes) {
  auto spec = watcher_spec::on("posts", event_kind::inserted).from_wal();
  auto settings = wal_config({spec});
  settings.wal.status_interval = std::chrono::seconds(1);
  auto inst = start(settings);
  auto retained = [&] {
    return std::stod(db.scalar(
      "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) FROM "
      "pg_replication_slots WHERE slot_name = '"
      + slot() + "'"));
  };
  constexpr double mib = 1024.0 * 1024.0;
  // The watched database stays idle; another one writes 256 MB of WAL.
  auto other = "o_" + db.name();
  db.exec("CREATE DATABASE " + other);
  auto start_lsn = db.scalar("SELECT pg_current_wal_lsn()");
  {
    auto conn = pg::connection::open(server_dsn() + " dbname=" + other,
                                     "libwatch-tests");
    CAF_REQUIRE(conn);
    CAF_REQUIRE(conn->exec("creating", "CREATE TABLE big (x text)"));
    for (;;) {
      auto written = std::stod(db.scalar("SELECT pg_wal_lsn_diff("
                                         "pg_current_wal_lsn(), '"
                                         + start_lsn + "')"));
      if (written >= 256 * mib)
        break;
      // md5 text does not compress: about 50 MB of WAL per statement.
      CAF_REQUIRE(conn->exec("writing", "INSERT INTO big SELECT "
                                        "repeat(md5(random()::text), 32) "
                                        "FROM generate_series(1, 50000)"));
    }
  }
  CAF_MESSAGE("right after the burst the slot retains " << retained() / mib
                                                        << " MB");
  // PostgreSQL moves restart_lsn at its next running-transactions record
  // (every 15 s) once the client confirmed; 60 s leaves room for both.
  auto settled = std::chrono::steady_clock::now();
  CAF_CHECK(eventually([&] { return retained() < 64 * mib; },
                       std::chrono::seconds(60)));
  CAF_MESSAGE("retained " << retained() / mib << " MB after "
                          << std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::steady_clock::now() - settled)
                               .count()
                          << " s");
  CAF_CHECK_EQUAL(db.scalar("SELECT confirmed_flush_lsn >= '" + start_lsn
                            + "'::pg_lsn FROM pg_replication_slots WHERE "
                              "slot_name = '"
                            + slot() + "'"),
                  "t");
  db.exec("DROP DATABASE " + other + " WITH (FORCE)");
}

CAF_TEST_FIXTURE_SCOPE_END()
