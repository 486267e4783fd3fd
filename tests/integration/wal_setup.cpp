// The catalog side of the WAL source against the real server: publications
// and slot are set up idempotently, every refusal names its exact fix (and
// running that fix clears it), every accepted shape keeps the user's UPDATE
// and DELETE working, and a slot lost behind libwatch's back is reported,
// never silently re-created. Slots are cluster-wide, so each test uses a
// consumer named after its own database.
#define CAF_SUITE wal_setup
#include <caf/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "integration/private_cluster.hpp"
#include "integration/test_database.hpp"
#include "libwatch/error.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/pg/replication_check.hpp"
#include "libwatch/pg/replication_setup.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

template <class T>
T value_or_throw(caf::expected<T> x, const char* what) {
  if (!x)
    throw std::runtime_error(std::string{what} + ": " + describe(x.error()));
  return std::move(*x);
}

// The error text of `x`, or "" when it holds a value.
template <class T>
std::string failure(const caf::expected<T>& x) {
  return x ? std::string{} : describe(x.error());
}

// Whether `x` failed with `code`.
template <class T>
bool failed_with(const caf::expected<T>& x, errc code) {
  return !x && is(x.error(), code);
}

bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 100; ++i) {
    if (done())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

resolved_watcher watch(pg::connection& conn, const watcher_spec& spec) {
  auto table = value_or_throw(pg::read_table(conn, spec.schema, spec.table),
                              "read_table");
  return value_or_throw(resolve(spec, table), "resolve");
}

std::vector<pg::replication_problem>
errors_of(const std::vector<pg::replication_problem>& all) {
  std::vector<pg::replication_problem> out;
  for (auto& p : all)
    if (p.severity == pg::problem_severity::error)
      out.push_back(p);
  return out;
}

std::string joined(const std::vector<pg::replication_problem>& all) {
  std::string out;
  for (auto& p : all)
    out += p.description + " | fix: " + p.fix + "\n";
  return out;
}

struct fixture {
  test_database db;
  pg::connection conn = db.connect();
  // lw_test_<pid>_<n> is unique per test and process.
  pg::replication_names names = consumer(db.name().substr(3));

  static pg::replication_names consumer(const std::string& name) {
    return value_or_throw(pg::replication_names_for(name), "names");
  }

  std::string count(const std::string& what) {
    return db.scalar("SELECT count(*) FROM " + what);
  }

  std::string slots(const pg::replication_names& x) {
    return count("pg_replication_slots WHERE slot_name = '" + x.slot + "'");
  }

  std::string publications(const pg::replication_names& x) {
    return count("pg_publication WHERE pubname IN ('" + x.publication + "', '"
                 + x.insert_publication + "')");
  }

  std::vector<pg::replication_problem>
  problems(const std::vector<resolved_watcher>& watchers) {
    return value_or_throw(pg::check_replication(conn, names, watchers),
                          "check");
  }

  // Runs `statements` on a connection of their own: the user's writer.
  caf::error write(const std::string& statements) {
    auto writer = db.connect();
    auto res = writer.exec_script("user's writer", statements);
    return res ? caf::none : res.error();
  }

  // Opens a replication connection streaming from the slot.
  pg::connection stream_from(const pg::replication_names& x) {
    auto repl
      = value_or_throw(pg::connection::open(db.dsn() + " replication=database",
                                            "wal-setup-test"),
                       "replication connection");
    if (!repl.send("START_REPLICATION SLOT " + x.slot
                   + " LOGICAL 0/0 (proto_version '1', publication_names '"
                   + x.publication + "')"))
      throw std::runtime_error("START_REPLICATION: " + repl.error_message());
    if (!eventually([&] {
          return db.scalar("SELECT active FROM pg_replication_slots WHERE "
                           "slot_name = '"
                           + x.slot + "'")
                 == "t";
        }))
      throw std::runtime_error("the slot never became active");
    return repl;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(wal_setup_tests, fixture)

CAF_TEST(consumer_names_become_slot_and_publication_names) {
  auto x = pg::replication_names_for("app");
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x->slot, "lw_app");
  CAF_CHECK_EQUAL(x->publication, "lw_app");
  CAF_CHECK_EQUAL(x->insert_publication, "lw_app_ins");
  CAF_CHECK(failed_with(pg::replication_names_for("App"), errc::invalid_spec));
  CAF_CHECK(failed_with(pg::replication_names_for(""), errc::invalid_spec));
  CAF_CHECK(failed_with(pg::replication_names_for("a-b"), errc::invalid_spec));
  // `x_ins` would own the insert publication of consumer `x`.
  CAF_CHECK(
    failed_with(pg::replication_names_for("app_ins"), errc::invalid_spec));
  CAF_CHECK(pg::replication_names_for(std::string(56, 'a')));
  CAF_CHECK(failed_with(pg::replication_names_for(std::string(57, 'a')),
                        errc::invalid_spec));
}

CAF_TEST(a_table_set_up_for_inserts_then_updates_ends_in_one_publication) {
  db.exec("CREATE TABLE posts (id int PRIMARY KEY, v int)");
  // One watcher at a time, as each watcher installs itself at start.
  auto inserted = watch(conn, watcher_spec::on("posts", event_kind::inserted));
  CAF_REQUIRE_EQUAL(failure(pg::setup_replication(conn, names, {inserted})),
                    "");
  auto updated = watch(conn, watcher_spec::on("posts", event_kind::updated));
  CAF_REQUIRE_EQUAL(failure(pg::setup_replication(conn, names, {updated})), "");
  auto st = value_or_throw(pg::replication_status_of(conn, names), "st");
  CAF_REQUIRE_EQUAL(st.publications.size(), 2u);
  CAF_CHECK_EQUAL(st.publications[0].tables,
                  std::vector<std::string>{"\"public\".\"posts\""});
  CAF_CHECK(st.publications[1].tables.empty());
  // And the inserted watcher set up again does not move it back.
  CAF_REQUIRE_EQUAL(failure(pg::setup_replication(conn, names, {inserted})),
                    "");
  auto again = value_or_throw(pg::replication_status_of(conn, names), "st");
  CAF_CHECK_EQUAL(again.publications[0].tables, st.publications[0].tables);
  CAF_CHECK(again.publications[1].tables.empty());
}

CAF_TEST(setting_up_twice_leaves_the_same_publications_and_one_slot) {
  db.exec("CREATE TABLE posts (id int PRIMARY KEY, v int)");
  db.exec("CREATE TABLE log (a int, b text)");
  std::vector<resolved_watcher> ws{
    watch(conn, watcher_spec::on("posts", event_kind::updated)),
    watch(conn, watcher_spec::on("posts", event_kind::deleted)),
    watch(conn,
          watcher_spec::on("log", event_kind::inserted).with_primary_key("a"))};
  auto first = pg::setup_replication(conn, names, ws);
  CAF_REQUIRE_EQUAL(failure(first), "");
  auto before = value_or_throw(pg::replication_status_of(conn, names), "st");
  auto second = pg::setup_replication(conn, names, ws);
  CAF_REQUIRE_EQUAL(failure(second), "");
  CAF_CHECK_EQUAL(*first, *second);
  CAF_CHECK_EQUAL(*first, (std::vector<std::string>{names.publication,
                                                    names.insert_publication}));
  auto after = value_or_throw(pg::replication_status_of(conn, names), "st");
  CAF_CHECK_EQUAL(slots(names), "1");
  CAF_CHECK_EQUAL(after.marker, "created");
  CAF_REQUIRE_EQUAL(after.publications.size(), 2u);
  CAF_CHECK_EQUAL(after.publications[0].name, names.publication);
  CAF_CHECK_EQUAL(after.publications[0].tables,
                  std::vector<std::string>{"\"public\".\"posts\""});
  CAF_CHECK_EQUAL(after.publications[1].name, names.insert_publication);
  CAF_CHECK_EQUAL(after.publications[1].tables,
                  std::vector<std::string>{"\"public\".\"log\""});
  CAF_CHECK_EQUAL(before.publications[0].tables, after.publications[0].tables);
  CAF_CHECK_EQUAL(before.publications[1].tables, after.publications[1].tables);
  // Only inserts (and truncates) of the table without identity are published.
  CAF_CHECK_EQUAL(db.scalar("SELECT format('%s%s%s%s%s', pubinsert, pubupdate, "
                            "pubdelete, pubtruncate, pubviaroot) FROM "
                            "pg_publication WHERE pubname = '"
                            + names.insert_publication + "'"),
                  "tfftt");
  CAF_CHECK_EQUAL(db.scalar("SELECT format('%s%s%s%s%s', pubinsert, pubupdate, "
                            "pubdelete, pubtruncate, pubviaroot) FROM "
                            "pg_publication WHERE pubname = '"
                            + names.publication + "'"),
                  "ttttt");
}

CAF_TEST(every_accepted_shape_keeps_the_users_updates_and_deletes_working) {
  db.exec(R"sql(
CREATE TABLE t_pk (id int PRIMARY KEY, v int, note text);
CREATE TABLE t_full (id int, v int);
ALTER TABLE t_full REPLICA IDENTITY FULL;
CREATE TABLE t_idx (id int NOT NULL, v int);
CREATE UNIQUE INDEX t_idx_id ON t_idx (id);
ALTER TABLE t_idx REPLICA IDENTITY USING INDEX t_idx_id;
CREATE TABLE parted (id int PRIMARY KEY, v int) PARTITION BY RANGE (id);
CREATE TABLE parted_lo PARTITION OF parted FOR VALUES FROM (0) TO (100);
CREATE TABLE parted_hi PARTITION OF parted FOR VALUES FROM (100) TO (200);
CREATE TABLE t_nokey (a int, b text);
CREATE TABLE t_nothing (a int, b text);
ALTER TABLE t_nothing REPLICA IDENTITY NOTHING;
)sql");
  auto on = [](const char* table, event_kind event) {
    return watcher_spec::on(table, event);
  };
  std::vector<resolved_watcher> ws{
    watch(conn, on("t_pk", event_kind::updated)),
    watch(conn, on("t_pk", event_kind::deleted)),
    watch(conn, on("t_full", event_kind::updated)
                  .labelled("full_upd")
                  .with_primary_key("id")
                  .with_trigger_columns({"v"})),
    watch(conn, on("t_full", event_kind::deleted)
                  .with_primary_key("id")
                  .with_extra_columns({"v"})),
    watch(conn, on("t_idx", event_kind::deleted).with_primary_key("id")),
    watch(conn, on("parted", event_kind::updated)),
    watch(conn, on("parted", event_kind::deleted)),
    watch(conn, on("t_nokey", event_kind::inserted).with_primary_key("a")),
    watch(conn, on("t_nothing", event_kind::inserted).with_primary_key("a"))};
  auto found = problems(ws);
  CAF_CHECK_EQUAL(joined(errors_of(found)), "");
  auto pubs = pg::setup_replication(conn, names, ws);
  CAF_REQUIRE_EQUAL(failure(pubs), "");
  for (auto* t : {"t_pk", "t_full", "t_idx", "parted"}) {
    CAF_MESSAGE("writing " << t);
    std::string table{t};
    CAF_CHECK_EQUAL(describe(write("INSERT INTO " + table
                                   + " (id, v) VALUES (1, 1), (150, 1)")),
                    "");
    CAF_CHECK_EQUAL(describe(write("UPDATE " + table + " SET v = 2")), "");
    // A key change moves the row to the other partition of `parted`.
    CAF_CHECK_EQUAL(
      describe(write("UPDATE " + table + " SET id = 2 WHERE id = 150")), "");
    CAF_CHECK_EQUAL(describe(write("DELETE FROM " + table)), "");
  }
  for (auto* t : {"t_nokey", "t_nothing"}) {
    CAF_MESSAGE("writing " << t);
    std::string table{t};
    CAF_CHECK_EQUAL(
      describe(write("INSERT INTO " + table + " VALUES (1, 'x'), (2, 'y')")),
      "");
    CAF_CHECK_EQUAL(describe(write("UPDATE " + table + " SET b = 'z'")), "");
    CAF_CHECK_EQUAL(describe(write("DELETE FROM " + table + " WHERE a = 1")),
                    "");
    CAF_CHECK_EQUAL(describe(write("TRUNCATE " + table)), "");
  }
  // The stream decodes all of it (a missing publication would fail here).
  std::string names_list = names.publication + "," + names.insert_publication;
  auto peeked = db.scalar(
    "SELECT count(*) FROM pg_logical_slot_peek_binary_changes('" + names.slot
    + "', NULL, NULL, 'proto_version', '1', 'publication_names', '" + names_list
    + "')");
  CAF_CHECK_GREATER(std::stoi(peeked), 20);
}

CAF_TEST(a_table_without_replica_identity_is_refused_for_updates_and_deletes) {
  db.exec("CREATE TABLE t_nopk (a int, b int); "
          "CREATE TABLE t_nothing (id int PRIMARY KEY, b int); "
          "ALTER TABLE t_nothing REPLICA IDENTITY NOTHING");
  std::vector<resolved_watcher> ws{
    watch(
      conn,
      watcher_spec::on("t_nopk", event_kind::updated).with_primary_key("a")),
    watch(conn, watcher_spec::on("t_nothing", event_kind::deleted))};
  auto found = errors_of(problems(ws));
  CAF_REQUIRE_EQUAL(found.size(), 2u);
  CAF_CHECK_EQUAL(found[0].fix,
                  "ALTER TABLE \"public\".\"t_nopk\" REPLICA IDENTITY FULL");
  CAF_CHECK_EQUAL(found[1].fix,
                  "ALTER TABLE \"public\".\"t_nothing\" REPLICA IDENTITY "
                  "DEFAULT");
  CAF_CHECK(found[0].description.find("SQLSTATE 55000") != std::string::npos);
  auto refused = pg::ensure_publications(conn, names, ws);
  CAF_REQUIRE(!refused);
  CAF_CHECK(failed_with(refused, errc::catalog_mismatch));
  CAF_CHECK(failure(refused).find(found[0].fix) != std::string::npos);
  CAF_CHECK(failure(refused).find(found[1].fix) != std::string::npos);
  // Nothing was created, and the user's writers are unaffected.
  CAF_CHECK_EQUAL(publications(names), "0");
  CAF_CHECK_EQUAL(describe(write("INSERT INTO t_nopk VALUES (1, 1); "
                                 "UPDATE t_nopk SET b = 2")),
                  "");
  // The fixes are exact: running them clears the refusal.
  for (auto& p : found)
    db.exec(p.fix);
  CAF_CHECK_EQUAL(joined(errors_of(problems(ws))), "");
  CAF_CHECK(pg::setup_replication(conn, names, ws));
  CAF_CHECK_EQUAL(describe(write("UPDATE t_nopk SET b = 3")), "");
  CAF_CHECK_EQUAL(describe(write("DELETE FROM t_nothing")), "");
}

CAF_TEST(watchers_that_need_old_values_require_replica_identity_full) {
  db.exec("CREATE TABLE t (id int PRIMARY KEY, v int, code text UNIQUE)");
  db.exec("CREATE TABLE u (id int NOT NULL, code text NOT NULL); "
          "CREATE UNIQUE INDEX u_code ON u (code); "
          "ALTER TABLE u REPLICA IDENTITY USING INDEX u_code");
  auto full_t = "ALTER TABLE \"public\".\"t\" REPLICA IDENTITY FULL";
  auto full_u = "ALTER TABLE \"public\".\"u\" REPLICA IDENTITY FULL";
  auto single = [&](const watcher_spec& spec, const std::string& needle,
                    const std::string& fix) {
    auto found = errors_of(problems({watch(conn, spec)}));
    CAF_REQUIRE_EQUAL(found.size(), 1u);
    CAF_CHECK(found[0].description.find(needle) != std::string::npos);
    CAF_CHECK_EQUAL(found[0].fix, fix);
    CAF_CHECK(!pg::ensure_publications(conn, names, {watch(conn, spec)}));
  };
  single(watcher_spec::on("t", event_kind::updated)
           .labelled("by_v")
           .with_trigger_columns({"v"}),
         "trigger columns", full_t);
  single(watcher_spec::on("t", event_kind::deleted).with_extra_columns({"v"}),
         "carries column \"v\"", full_t);
  // The configured key is not in the identity (the primary key differs).
  single(watcher_spec::on("t", event_kind::deleted).with_primary_key("code"),
         "identifies rows by column \"code\"", full_t);
  // USING INDEX on other columns than the watcher's key.
  single(watcher_spec::on("u", event_kind::deleted).with_primary_key("id"),
         "identifies rows by column \"id\"", full_u);
  CAF_CHECK_EQUAL(publications(names), "0");
  db.exec(full_t);
  db.exec(full_u);
  std::vector<resolved_watcher> ws{
    watch(conn, watcher_spec::on("t", event_kind::updated)
                  .labelled("by_v")
                  .with_trigger_columns({"v"})),
    watch(conn, watcher_spec::on("t", event_kind::deleted)
                  .with_primary_key("code")
                  .with_extra_columns({"v"})),
    watch(conn,
          watcher_spec::on("u", event_kind::deleted).with_primary_key("id"))};
  CAF_CHECK_EQUAL(joined(errors_of(problems(ws))), "");
  CAF_CHECK(pg::setup_replication(conn, names, ws));
}

CAF_TEST(a_slot_dropped_behind_libwatchs_back_is_reported_lost_not_recreated) {
  db.exec("CREATE TABLE t (id int PRIMARY KEY)");
  std::vector<resolved_watcher> ws{
    watch(conn, watcher_spec::on("t", event_kind::deleted))};
  CAF_REQUIRE(pg::setup_replication(conn, names, ws));
  CAF_CHECK_EQUAL(
    db.scalar("SELECT pg_catalog.obj_description(oid, 'pg_publication') FROM "
              "pg_publication WHERE pubname = '"
              + names.publication + "'"),
    "libwatch:v1 consumer=" + names.consumer + " slot=created");
  db.exec("SELECT pg_drop_replication_slot('" + names.slot + "')");
  auto lost = pg::ensure_slot(conn, names);
  CAF_REQUIRE(!lost);
  CAF_CHECK(failed_with(lost, errc::slot_lost));
  CAF_MESSAGE(failure(lost));
  CAF_CHECK(failure(lost).find("dropped behind libwatch's back")
            != std::string::npos);
  CAF_CHECK(failure(lost).find("recreate_slot") != std::string::npos);
  CAF_CHECK(is_permanent(lost.error()));
  // Setting up again does not bring it back silently either.
  auto again = pg::setup_replication(conn, names, ws);
  CAF_CHECK(failed_with(again, errc::slot_lost));
  CAF_CHECK_EQUAL(slots(names), "0");
  // Only the explicit call does.
  auto fresh = pg::recreate_slot(conn, names);
  CAF_REQUIRE(fresh);
  CAF_CHECK(*fresh == pg::slot_outcome::created);
  CAF_CHECK_EQUAL(slots(names), "1");
  auto fine = pg::ensure_slot(conn, names);
  CAF_REQUIRE(fine);
  CAF_CHECK(*fine == pg::slot_outcome::existed);
  auto healthy = pg::recreate_slot(conn, names);
  CAF_REQUIRE(healthy);
  CAF_CHECK(*healthy == pg::slot_outcome::existed);
}

CAF_TEST(an_invalidated_slot_is_reported_lost_not_recreated) {
  // Invalidation needs max_slot_wal_keep_size: a server of this test's own.
  private_cluster cluster;
  auto admin = value_or_throw(pg::connection::open(cluster.dsn(), "test"),
                              "private cluster");
  auto run = [&](const std::string& sql) {
    value_or_throw(admin.exec_script("test", sql), sql.c_str());
  };
  run("ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'");
  run("SELECT pg_reload_conf()");
  run("CREATE TABLE t (id int PRIMARY KEY, pad text)");
  auto x = consumer("lost");
  std::vector<resolved_watcher> ws{
    watch(admin, watcher_spec::on("t", event_kind::deleted))};
  CAF_REQUIRE(pg::setup_replication(admin, x, ws));
  for (int i = 0; i < 4; ++i)
    run("INSERT INTO t SELECT g, repeat('x', 500) FROM generate_series("
        + std::to_string(i * 10000) + ", " + std::to_string(i * 10000 + 9999)
        + ") g; SELECT pg_switch_wal(); CHECKPOINT");
  auto status = value_or_throw(pg::replication_status_of(admin, x), "status");
  CAF_REQUIRE_EQUAL(status.wal_status, "lost");
  auto lost = pg::ensure_slot(admin, x);
  CAF_REQUIRE(!lost);
  CAF_CHECK(failed_with(lost, errc::slot_lost));
  CAF_CHECK(failure(lost).find("invalidated") != std::string::npos);
  CAF_CHECK(!pg::setup_replication(admin, x, ws));
  auto fresh = pg::recreate_slot(admin, x);
  CAF_REQUIRE_EQUAL(failure(fresh), "");
  CAF_CHECK(*fresh == pg::slot_outcome::created);
  status = value_or_throw(pg::replication_status_of(admin, x), "status");
  CAF_CHECK_NOT_EQUAL(status.wal_status, "lost");
}

CAF_TEST(status_reports_the_slot_its_positions_and_the_publications) {
  auto none = value_or_throw(pg::replication_status_of(conn, names), "st");
  CAF_CHECK(!none.exists);
  CAF_CHECK_EQUAL(none.retained_bytes, -1);
  CAF_CHECK(none.publications.empty());
  db.exec("CREATE TABLE t (id int PRIMARY KEY, pad text)");
  CAF_REQUIRE(pg::setup_replication(
    conn, names, {watch(conn, watcher_spec::on("t", event_kind::updated))}));
  auto st = value_or_throw(pg::replication_status_of(conn, names), "st");
  CAF_CHECK_EQUAL(st.slot, names.slot);
  CAF_CHECK(st.exists);
  CAF_CHECK(!st.active);
  CAF_CHECK_EQUAL(st.active_pid, 0);
  CAF_CHECK_EQUAL(st.wal_status, "reserved");
  CAF_CHECK_EQUAL(st.marker, "created");
  CAF_CHECK(!st.confirmed_flush_lsn.empty());
  CAF_CHECK(!st.restart_lsn.empty());
  CAF_CHECK_GREATER_OR_EQUAL(st.retained_bytes, 0);
  CAF_CHECK_GREATER_OR_EQUAL(st.flush_lag_bytes, 0);
  CAF_CHECK_LESS(st.retained_bytes, 64 * 1024 * 1024);
  // The shared test server runs with max_slot_wal_keep_size = -1.
  CAF_CHECK_EQUAL(st.safe_wal_size, -1);
  // The insert-only publication exists from the start, empty here.
  CAF_REQUIRE_EQUAL(st.publications.size(), 2u);
  CAF_CHECK_EQUAL(st.publications[0].tables,
                  std::vector<std::string>{"\"public\".\"t\""});
  CAF_CHECK(st.publications[1].tables.empty());
  // Nobody consumes: writing ~1 MB of WAL grows both numbers by as much.
  // The test server commits asynchronously and pg_current_wal_lsn() is the
  // WAL writer's position: the numbers follow within its delay.
  db.exec("INSERT INTO t SELECT g, repeat('x', 1000) FROM "
          "generate_series(1, 1000) g");
  pg::replication_status later;
  eventually([&] {
    later = value_or_throw(pg::replication_status_of(conn, names), "st");
    return later.retained_bytes > st.retained_bytes + 1000 * 1000;
  });
  CAF_CHECK_GREATER(later.retained_bytes, st.retained_bytes + 1000 * 1000);
  CAF_CHECK_GREATER(later.flush_lag_bytes, st.flush_lag_bytes + 1000 * 1000);
  CAF_CHECK_EQUAL(later.confirmed_flush_lsn, st.confirmed_flush_lsn);
  // A stream makes it active, with the walsender's PID.
  auto repl = stream_from(names);
  auto active = value_or_throw(pg::replication_status_of(conn, names), "st");
  CAF_CHECK(active.active);
  CAF_CHECK_GREATER(active.active_pid, 0);
}

CAF_TEST(uninstall_removes_the_slot_and_the_publications) {
  db.exec("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE l (a int)");
  std::vector<resolved_watcher> ws{
    watch(conn, watcher_spec::on("t", event_kind::deleted)),
    watch(conn,
          watcher_spec::on("l", event_kind::inserted).with_primary_key("a"))};
  CAF_REQUIRE(pg::setup_replication(conn, names, ws));
  CAF_CHECK_EQUAL(publications(names), "2");
  {
    // A streaming walsender keeps the slot: a clear error, nothing dropped.
    auto repl = stream_from(names);
    auto busy = pg::uninstall_replication(conn, names);
    CAF_CHECK(is(busy, errc::in_use));
    CAF_MESSAGE(describe(busy));
    CAF_CHECK(describe(busy).find("pg_terminate_backend(")
              != std::string::npos);
    CAF_CHECK_EQUAL(slots(names), "1");
    CAF_CHECK_EQUAL(publications(names), "2");
  }
  // The walsender ends shortly after its client went away.
  caf::error err;
  CAF_CHECK(eventually([&] {
    err = pg::uninstall_replication(conn, names);
    return !err;
  }));
  CAF_CHECK_EQUAL(describe(err), "");
  CAF_CHECK_EQUAL(slots(names), "0");
  CAF_CHECK_EQUAL(publications(names), "0");
  // Again: nothing left to do, no error.
  CAF_CHECK_EQUAL(describe(pg::uninstall_replication(conn, names)), "");
  CAF_CHECK_EQUAL(describe(write("UPDATE t SET id = 1; DELETE FROM t")), "");
}

CAF_TEST(orphans_are_the_slots_and_publications_of_other_consumers) {
  db.exec("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE l (a int)");
  std::vector<resolved_watcher> ws{
    watch(conn, watcher_spec::on("t", event_kind::deleted)),
    watch(conn,
          watcher_spec::on("l", event_kind::inserted).with_primary_key("a"))};
  auto old = consumer(names.consumer + "_old");
  CAF_REQUIRE(pg::setup_replication(conn, names, ws));
  CAF_REQUIRE(pg::setup_replication(conn, old, ws));
  // Not libwatch's: no marker.
  db.exec("CREATE PUBLICATION lw_foreign_" + names.consumer);
  auto found = pg::replication_orphans(conn, names.consumer);
  CAF_REQUIRE(found);
  std::vector<std::string> listed;
  for (auto& o : *found) {
    CAF_CHECK_EQUAL(o.consumer, old.consumer);
    listed.push_back(
      (o.kind == pg::replication_orphan::kind_t::slot ? "slot " : "pub ")
      + o.name);
  }
  std::sort(listed.begin(), listed.end());
  CAF_CHECK_EQUAL(listed,
                  (std::vector<std::string>{"pub " + old.publication,
                                            "pub " + old.insert_publication,
                                            "slot " + old.slot}));
  CAF_CHECK(std::all_of(found->begin(), found->end(), [](auto& o) {
    return o.kind != pg::replication_orphan::kind_t::slot
           || o.retained_bytes >= 0;
  }));
  // A publication of that name that is not libwatch's is left alone.
  auto foreign = consumer("foreign_" + names.consumer);
  auto refused = pg::ensure_publications(conn, foreign, ws);
  CAF_CHECK(failed_with(refused, errc::catalog_mismatch));
}

CAF_TEST(prerequisites_name_the_replication_attribute_and_table_ownership) {
  auto role = "lw_role_" + names.consumer;
  db.exec("DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role
          + " LOGIN NOREPLICATION");
  db.exec("CREATE TABLE t (id int PRIMARY KEY, v int); GRANT SELECT ON t TO "
          + role);
  std::vector<resolved_watcher> ws{
    watch(conn, watcher_spec::on("t", event_kind::updated))};
  {
    auto as_role = value_or_throw(
      pg::connection::open(db.dsn() + " user=" + role, "wal-setup-test"),
      "connect as role");
    auto all
      = value_or_throw(pg::check_replication(as_role, names, ws), "check");
    auto found = errors_of(all);
    CAF_MESSAGE(joined(all));
    std::vector<std::string> fixes;
    for (auto& p : found)
      fixes.push_back(p.fix);
    auto quoted = "\"" + role + "\"";
    CAF_CHECK_EQUAL(
      fixes, (std::vector<std::string>{"ALTER ROLE " + quoted + " REPLICATION",
                                       "GRANT CREATE ON DATABASE \"" + db.name()
                                         + "\" TO " + quoted,
                                       "GRANT \"postgres\" TO " + quoted}));
    // The test server keeps WAL for slots without limit: a warning only.
    CAF_CHECK_EQUAL(all.size(), found.size() + 1);
    CAF_CHECK(all.back().severity == pg::problem_severity::warning);
    CAF_CHECK(all.back().description.find("max_slot_wal_keep_size")
              != std::string::npos);
    auto refused = pg::ensure_publications(as_role, names, ws);
    CAF_CHECK(failed_with(refused, errc::missing_privilege));
    // The fixes are exact: after them the role passes and sets up.
    for (auto& fix : fixes)
      db.exec(fix);
    CAF_CHECK_EQUAL(joined(errors_of(value_or_throw(
                      pg::check_replication(as_role, names, ws), "check"))),
                    "");
    CAF_CHECK_EQUAL(failure(pg::setup_replication(as_role, names, ws)), "");
    CAF_CHECK_EQUAL(describe(pg::uninstall_replication(as_role, names)), "");
  }
  db.exec("DROP OWNED BY " + role + "; DROP ROLE " + role);
}

CAF_TEST_FIXTURE_SCOPE_END()
