// EctoWatch's operational features, done safely: details, privileges named
// in errors, partitioned tables, quiet bulk jobs and ENABLE ALWAYS.
#define CAF_SUITE parity
#include <caf/test/unit_test.hpp>

#include <functional>
#include <mutex>
#include <thread>

#include "integration/watch_fixture.hpp"
#include "libwatch/log.hpp"
#include "libwatch/object_names.hpp"

using namespace libwatch;
using namespace libwatch::testing;

CAF_TEST_FIXTURE_SCOPE(parity_tests, watch_fixture)

CAF_TEST(details_return_the_documented_fields) {
  db.exec("CREATE SCHEMA \"Shop\"; CREATE TABLE \"Shop\".\"Orders\" (\"Id\" "
          "bigserial PRIMARY KEY, total numeric, customer_id int, note text)");
  auto inst = start({watcher_spec::on("Orders", event_kind::updated)
                       .in_schema("Shop")
                       .labelled("order_totals")
                       .with_extra_columns({"total"})
                       .with_association_columns({"customer_id"})
                       .with_trigger_columns({"total"})});
  auto d = inst.details("order_totals");
  CAF_REQUIRE(d);
  CAF_CHECK_EQUAL(d->watcher, "order_totals");
  CAF_CHECK_EQUAL(d->label, "order_totals");
  CAF_CHECK_EQUAL(d->schema, "Shop");
  CAF_CHECK_EQUAL(d->table, "Orders");
  CAF_CHECK_EQUAL(d->event, event_kind::updated);
  CAF_CHECK_EQUAL(d->primary_key, "Id");
  CAF_REQUIRE_EQUAL(d->columns.size(), 3u);
  CAF_CHECK_EQUAL(d->columns[0].name, "Id");
  CAF_CHECK_EQUAL(d->columns[0].type, "bigint");
  CAF_CHECK_EQUAL(d->columns[1].name, "total");
  CAF_CHECK_EQUAL(d->columns[2].name, "customer_id");
  CAF_CHECK(d->association_columns == std::vector<std::string>{"customer_id"});
  CAF_CHECK(d->trigger_columns == std::vector<std::string>{"total"});
  CAF_CHECK_EQUAL(d->function, "lw_order_totals_func");
  CAF_CHECK_EQUAL(d->trigger, "lw_order_totals_trigger");
  CAF_CHECK_EQUAL(d->channel, "lw_order_totals");
  // The names are the real objects.
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_trigger WHERE tgname = "
                            "'lw_order_totals_trigger'"),
                  "1");
  CAF_CHECK(is(inst.details("nope").error(), errc::unknown_watcher));
  // The same as a reply message, for actors.
  caf::scoped_actor self{sys};
  self
    ->request(inst.supervisor(), must_arrive, details_atom::value,
              std::string{"order_totals"})
    .receive(
      [&](const watcher_details& reply) {
        CAF_CHECK_EQUAL(reply.trigger, "lw_order_totals_trigger");
        CAF_CHECK_EQUAL(reply.primary_key, "Id");
      },
      [&](caf::error& err) {
        CAF_FAIL("details request failed: " << describe(err));
      });
}

CAF_TEST(missing_trigger_privilege_is_named_in_the_error) {
  db.exec("CREATE TABLE secrets (id int PRIMARY KEY);"
          "DROP ROLE IF EXISTS "
          + db.name()
          + "_weak;"
            "CREATE ROLE "
          + db.name()
          + "_weak LOGIN;"
            "GRANT CREATE ON SCHEMA public TO "
          + db.name()
          + "_weak;"
            "GRANT SELECT ON secrets TO "
          + db.name() + "_weak;");
  auto cfg_ = config_of({watcher_spec::on("secrets", event_kind::inserted)});
  cfg_.conninfo += " user=" + db.name() + "_weak";
  auto inst = spawn_watchers(sys, cfg_);
  CAF_REQUIRE(inst);
  instances.push_back(*inst);
  auto err = inst->await_ready(must_arrive);
  CAF_CHECK(is(err, errc::missing_privilege));
  CAF_CHECK_EQUAL(describe(err),
                  "watcher public.secrets:inserted: role \"" + db.name()
                    + "_weak\" lacks the TRIGGER privilege on "
                      "\"public\".\"secrets\"; grant it with: GRANT TRIGGER "
                      "ON \"public\".\"secrets\" TO \""
                    + db.name() + "_weak\"");
  inst->stop();
  instances.clear();
  // With the grant it works: TRIGGER on the table is enough on PG 14+.
  db.exec("GRANT TRIGGER ON secrets TO " + db.name() + "_weak");
  auto ok = spawn_watchers(sys, cfg_);
  CAF_REQUIRE(ok);
  instances.push_back(*ok);
  CAF_CHECK(!ok->await_ready(must_arrive));
  ok->stop();
  instances.clear();
  // Roles are cluster-wide: leave none behind. The stopped instance's
  // connections may still be closing, so terminate them first.
  db.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
          "usename = '"
          + db.name() + "_weak'");
  db.exec("DROP OWNED BY " + db.name() + "_weak CASCADE; DROP ROLE " + db.name()
          + "_weak");
}

CAF_TEST(watching_a_partitioned_root_delivers_changes_of_every_partition) {
  db.exec("CREATE TABLE measurements (id int, region text, v int, "
          "PRIMARY KEY (id, region)) PARTITION BY LIST (region);"
          "CREATE TABLE measurements_eu PARTITION OF measurements FOR VALUES "
          "IN ('eu');"
          "CREATE TABLE measurements_us PARTITION OF measurements FOR VALUES "
          "IN ('us');");
  auto inst = start({watcher_spec::on("measurements", event_kind::inserted)
                       .with_primary_key("id")
                       .with_extra_columns({"region", "v"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("measurements:inserted"));
  db.exec("INSERT INTO measurements VALUES (1, 'eu', 10), (2, 'us', 20)");
  db.exec("INSERT INTO measurements_us VALUES (3, 'us', 30)");
  auto got = changes(self, 3);
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  CAF_CHECK_EQUAL(got[0].at("region").as_string(), "eu");
  CAF_CHECK_EQUAL(got[1].at("region").as_string(), "us");
  CAF_CHECK_EQUAL(got[2].at("v").as_integer(), 30);
  CAF_CHECK(nothing_arrives(self));
  // One trigger on the root, cloned to each partition by PostgreSQL.
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_trigger WHERE tgname LIKE "
                            "'lw\\_%' AND tgrelid = 'measurements'::regclass"),
                  "1");
}

CAF_TEST(replica_sessions_write_quietly_unless_the_watcher_enables_always) {
  db.exec("CREATE TABLE items (id int PRIMARY KEY)");
  auto inst = start(
    {watcher_spec::on("items", event_kind::inserted).labelled("quiet_items"),
     watcher_spec::on("items", event_kind::inserted)
       .labelled("loud_items")
       .with_enable_always()});
  caf::scoped_actor quiet{sys};
  caf::scoped_actor loud{sys};
  join(quiet, inst.all("quiet_items"));
  join(loud, inst.all("loud_items"));
  db.exec("BEGIN; SET LOCAL session_replication_role = replica; INSERT INTO "
          "items SELECT generate_series(1, 100); COMMIT");
  CAF_CHECK(nothing_arrives(quiet));
  CAF_CHECK_EQUAL(changes(loud, 100).size(), 100u);
  db.exec("INSERT INTO items VALUES (101)");
  auto c = next_change(quiet);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_integer(), 101);
  CAF_CHECK_EQUAL(db.scalar("SELECT tgenabled FROM pg_trigger WHERE tgname = "
                            "'lw_loud_items_trigger'"),
                  "A");
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

// Collects libwatch's log lines while alive.
struct log_capture {
  std::mutex mtx;
  std::vector<std::string> lines;

  log_capture() {
    set_log_sink([this](std::string_view line) {
      std::lock_guard<std::mutex> guard{mtx};
      lines.emplace_back(line);
    });
  }

  ~log_capture() {
    set_log_sink(nullptr);
  }

  size_t count(const std::string& needle) {
    std::lock_guard<std::mutex> guard{mtx};
    size_t n = 0;
    for (auto& l : lines)
      if (l.find(needle) != std::string::npos)
        ++n;
    return n;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(debug_log_tests, watch_fixture)

CAF_TEST(a_debug_watcher_logs_payloads_and_groups_and_others_stay_quiet) {
  db.exec("CREATE TABLE comments (id int PRIMARY KEY, post_id int)");
  log_capture logs;
  auto inst = start(
    {watcher_spec::on("comments", event_kind::inserted)
       .labelled("chatty")
       .with_association_columns({"post_id"})
       .with_debug(),
     watcher_spec::on("comments", event_kind::inserted).labelled("quiet")});
  caf::scoped_actor self{sys};
  join(self, inst.by_column("chatty", "post_id", 7));
  join(self, inst.all("quiet"));
  db.exec("INSERT INTO comments VALUES (1, 7)");
  CAF_REQUIRE_EQUAL(changes(self, 2).size(), 2u);
  // The watcher logs what it published right after publishing it: the
  // subscriber may be faster.
  eventually([&] { return logs.count("DEBUG [chatty] published {") > 0; });
  CAF_CHECK_EQUAL(logs.count("DEBUG [chatty] received {"), 1u);
  CAF_CHECK_EQUAL(logs.count("DEBUG [chatty] published {"), 1u);
  CAF_CHECK_EQUAL(logs.count(" to chatty chatty|post_id|7"), 1u);
  CAF_CHECK_EQUAL(logs.count("[quiet]"), 0u);
}

CAF_TEST_FIXTURE_SCOPE_END()

namespace {

struct orphan_fixture : watch_fixture {
  orphan_fixture() {
    db.exec("CREATE SCHEMA \"Mixed Case\";"
            "CREATE TABLE \"Mixed Case\".\"Ta\"\"ble\" (id int PRIMARY KEY);"
            "CREATE TABLE readings (id int, region text, PRIMARY KEY (id, "
            "region)) PARTITION BY LIST (region);"
            "CREATE TABLE readings_eu PARTITION OF readings FOR VALUES IN "
            "('eu');"
            "CREATE TABLE keep (id int PRIMARY KEY);"
            // A user's own objects that merely look like libwatch's.
            "CREATE FUNCTION ewallet_func() RETURNS trigger LANGUAGE plpgsql "
            "AS $$BEGIN RETURN NULL; END$$;"
            "CREATE TRIGGER lw_fake_trigger AFTER INSERT ON keep FOR EACH ROW "
            "EXECUTE FUNCTION ewallet_func();");
    // What an earlier configuration left behind.
    auto old = start({watcher_spec::on("Ta\"ble", event_kind::inserted)
                        .in_schema("Mixed Case"),
                      watcher_spec::on("readings", event_kind::inserted)
                        .labelled("old_readings")
                        .with_primary_key("id")});
    old.stop();
    instances.clear();
  }

  watch_config current(orphan_policy policy) {
    auto cfg_ = config_of({watcher_spec::on("keep", event_kind::deleted)});
    cfg_.orphans = policy;
    return cfg_;
  }

  std::string count(const std::string& what) {
    return db.scalar("SELECT count(*) FROM " + what);
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(orphan_tests, orphan_fixture)

CAF_TEST(orphans_are_reported_at_start_and_nothing_else_is) {
  log_capture logs;
  start(current(orphan_policy::warn));
  CAF_REQUIRE(
    eventually([&] { return logs.count("found libwatch objects") == 1; }));
  std::string line;
  {
    std::lock_guard<std::mutex> guard{logs.mtx};
    for (auto& l : logs.lines)
      if (l.find("found libwatch objects") != std::string::npos)
        line = l;
  }
  CAF_MESSAGE(line);
  auto names = derive_names(
    watcher_spec::on("Ta\"ble", event_kind::inserted).in_schema("Mixed Case"));
  CAF_CHECK(line.find("function \"Mixed Case\".\"" + names.function + "\"()")
            != std::string::npos);
  CAF_CHECK(line.find("trigger \"" + names.trigger
                      + "\" on \"Mixed Case\".\"Ta\"\"ble\"")
            != std::string::npos);
  CAF_CHECK(line.find("function \"public\".\"lw_old_readings_func\"()")
            != std::string::npos);
  CAF_CHECK(line.find("trigger \"lw_old_readings_trigger\" on "
                      "\"public\".\"readings\"")
            != std::string::npos);
  // Not the partition's clone, not the user's look-alikes, not our own.
  CAF_CHECK(line.find("readings_eu") == std::string::npos);
  CAF_CHECK(line.find("ewallet") == std::string::npos);
  CAF_CHECK(line.find("lw_fake_trigger") == std::string::npos);
  CAF_CHECK(line.find("keep") == std::string::npos);
  // Reporting changes nothing.
  CAF_CHECK_EQUAL(count("pg_proc WHERE proname LIKE 'lw\\_%'"), "3");
}

CAF_TEST(cleanup_drops_exactly_the_orphans) {
  log_capture logs;
  start(current(orphan_policy::drop));
  CAF_REQUIRE(
    eventually([&] { return logs.count("dropped libwatch objects") == 1; }));
  CAF_CHECK_EQUAL(count("pg_proc WHERE proname LIKE 'lw\\_%'"), "1");
  CAF_CHECK_EQUAL(count("pg_trigger WHERE NOT tgisinternal AND tgname LIKE "
                        "'lw\\_%' AND tgname <> 'lw_fake_trigger'"),
                  "1");
  CAF_CHECK_EQUAL(count("pg_proc WHERE proname = 'ewallet_func'"), "1");
  CAF_CHECK_EQUAL(count("pg_trigger WHERE tgname = 'lw_fake_trigger'"), "1");
  CAF_CHECK_EQUAL(count("pg_trigger WHERE tgrelid = "
                        "'readings_eu'::regclass"),
                  "0");
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(drift_tests, watch_fixture)

CAF_TEST(a_changed_configuration_replaces_the_drifted_trigger_and_says_so) {
  db.exec("CREATE TABLE posts (id int PRIMARY KEY, title text, likes int)");
  start({watcher_spec::on("posts", event_kind::updated)
           .labelled("post_edits")
           .with_extra_columns({"title"})})
    .stop();
  instances.clear();
  log_capture logs;
  auto inst = start({watcher_spec::on("posts", event_kind::updated)
                       .labelled("post_edits")
                       .with_extra_columns({"title", "likes"})
                       .with_trigger_columns({"likes"})});
  CAF_CHECK_EQUAL(logs.count("[post_edits] replaced a function/trigger that "
                             "differed from this configuration"),
                  1u);
  caf::scoped_actor self{sys};
  join(self, inst.all("post_edits"));
  db.exec("INSERT INTO posts VALUES (1, 'a', 0); UPDATE posts SET likes = 3");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("likes").as_integer(), 3);
  // A restart with the same configuration replaces nothing.
  inst.stop();
  instances.clear();
  log_capture again;
  start({watcher_spec::on("posts", event_kind::updated)
           .labelled("post_edits")
           .with_extra_columns({"title", "likes"})
           .with_trigger_columns({"likes"})});
  CAF_CHECK_EQUAL(again.count("replaced"), 0u);
}

CAF_TEST(an_object_that_is_not_libwatchs_is_never_replaced) {
  db.exec("CREATE TABLE posts (id int PRIMARY KEY);"
          "CREATE FUNCTION lw_mine_func() RETURNS trigger LANGUAGE plpgsql AS "
          "$$BEGIN RETURN NULL; END$$;");
  auto err = start_error(
    {watcher_spec::on("posts", event_kind::inserted).labelled("mine")});
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK(describe(err).find("is not libwatch's") != std::string::npos);
  CAF_CHECK_EQUAL(db.scalar("SELECT prosrc FROM pg_proc WHERE proname = "
                            "'lw_mine_func'"),
                  "BEGIN RETURN NULL; END");
}

CAF_TEST_FIXTURE_SCOPE_END()
