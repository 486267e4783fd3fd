// Lost connections are detected, reconnected and announced: subscribers see
// disconnected_msg, then resumed_msg with the window of possibly missed
// changes, and changes committed afterwards arrive. Crashed watchers are
// restarted alone; junk on a watcher's channel is dropped and counted.
#define CAF_SUITE recovery
#include <caf/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>

#include "actors/watcher.hpp"
#include "integration/private_cluster.hpp"
#include "integration/tcp_proxy.hpp"
#include "integration/watch_fixture.hpp"
#include "libwatch/log.hpp"
#include "libwatch/object_names.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

// Fast retries so tests wait on PostgreSQL, not on backoff.
watch_config quick(watch_config cfg) {
  cfg.reconnect.initial = std::chrono::milliseconds(50);
  cfg.reconnect.max = std::chrono::milliseconds(500);
  return cfg;
}

long resident_kb() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return -1;
}

struct fixture : watch_fixture {
  fixture() {
    db.exec("CREATE TABLE posts (id serial PRIMARY KEY, title text)");
  }

  watch_config posts_config() {
    return quick(config_of({watcher_spec::on("posts", event_kind::inserted)
                              .with_extra_columns({"title"})}));
  }

  std::string terminate_listener() {
    return db.scalar("SELECT count(pg_terminate_backend(pid)) FROM "
                     "pg_stat_activity WHERE datname = current_database() AND "
                     "application_name = 'libwatch-under-test'");
  }

  std::string listener_connections() {
    return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                     "current_database() AND application_name = "
                     "'libwatch-under-test'");
  }
};

// Creates `posts` in the private cluster's database.
void create_posts(const private_cluster& pc) {
  auto conn = pg::connection::open(pc.dsn(), "test-setup");
  CAF_REQUIRE(conn);
  CAF_REQUIRE(conn->exec(
    "setup", "CREATE TABLE posts (id serial PRIMARY KEY, title text)"));
}

void insert_post(const std::string& dsn, const std::string& title) {
  auto conn = pg::connection::open(dsn, "test-writer");
  CAF_REQUIRE(conn);
  CAF_REQUIRE(
    conn->exec("insert", "INSERT INTO posts (title) VALUES ($1)", {title}));
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(recovery_tests, fixture)

CAF_TEST(a_subscriber_that_joins_a_live_watcher_is_told_it_is_ready) {
  auto inst = start(posts_config());
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  auto ready = next_of<ready_msg>(self);
  CAF_REQUIRE(ready);
  CAF_CHECK_EQUAL(ready->watcher, "public.posts:inserted");
}

CAF_TEST(
  terminated_backend_twenty_times_gives_disconnected_resumed_and_delivery) {
  auto inst = start(posts_config());
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  CAF_REQUIRE(next_of<ready_msg>(self));
  long rss_after_warmup = 0;
  for (int i = 1; i <= 20; ++i) {
    CAF_REQUIRE_EQUAL(terminate_listener(), "1");
    auto down = next_of<disconnected_msg>(self);
    CAF_REQUIRE(down);
    auto back = next_of<resumed_msg>(self);
    CAF_REQUIRE(back);
    CAF_CHECK(back->missed_from <= back->missed_until);
    db.exec("INSERT INTO posts (title) VALUES ('after " + std::to_string(i)
            + "')");
    auto c = next_change(self);
    CAF_REQUIRE(c);
    CAF_CHECK_EQUAL(c->at("title").as_string(), "after " + std::to_string(i));
    CAF_CHECK_EQUAL(listener_connections(), "1");
    if (i == 5)
      rss_after_warmup = resident_kb();
  }
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                            "'posts'::regclass AND NOT tgisinternal"),
                  "1");
  auto st = inst.status();
  CAF_CHECK_EQUAL(st.reconnects, 20u);
  CAF_CHECK_EQUAL(st.connection, "connected");
  // 15 more cycles must not leave memory behind (a leak per cycle of even a
  // few hundred KB would show). ThreadSanitizer's shadow memory and history
  // grow with every cycle by themselves, so the bound means nothing there;
  // the ASan build checks leaks exactly (LeakSanitizer).
  auto growth = resident_kb() - rss_after_warmup;
  CAF_MESSAGE("RSS growth over 15 reconnect cycles: " << growth << " KB");
#ifndef __SANITIZE_THREAD__
  CAF_CHECK_LESS(growth, 4096);
#endif
}

CAF_TEST(junk_on_a_watcher_channel_is_dropped_counted_and_never_published) {
  auto spec = watcher_spec::on("posts", event_kind::inserted)
                .with_extra_columns({"title"});
  auto inst = start(quick(config_of({spec})));
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  auto channel = derive_names(spec).channel;
  db.exec("SELECT pg_notify('" + channel + "', 'not json')");
  db.exec("SELECT pg_notify('" + channel
          + "', '{\"type\":\"inserted\",\"values\":{\"id\":1,\"evil\":2}}')");
  db.exec("SELECT pg_notify('" + channel + "', repeat('x', 7999))");
  db.exec("SELECT pg_notify('" + channel
          + "', '{\"type\":\"inserted\",\"values\":{\"id\":null,"
            "\"title\":\"x\"}}')");
  CAF_CHECK(nothing_arrives(self));
  eventually([&] { return inst.status().watchers[0].dropped >= 4; });
  auto st = inst.status().watchers[0];
  CAF_CHECK_EQUAL(st.dropped, 4u);
  CAF_CHECK_EQUAL(st.received, 4u);
  CAF_CHECK_EQUAL(st.published, 0u);
  db.exec("INSERT INTO posts (title) VALUES ('real')");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("title").as_string(), "real");
}

CAF_TEST(a_watcher_that_throws_while_decoding_is_restarted_alone) {
  db.exec("CREATE TABLE comments (id serial PRIMARY KEY, body text)");
  detail::before_decode_hook = [](std::string_view payload) {
    if (payload.find("boom") != std::string_view::npos)
      throw std::runtime_error("decoder exploded");
  };
  auto inst
    = start(quick(config_of({watcher_spec::on("posts", event_kind::inserted)
                               .with_extra_columns({"title"}),
                             watcher_spec::on("comments", event_kind::inserted)
                               .with_extra_columns({"body"})})));
  caf::scoped_actor posts{sys};
  caf::scoped_actor comments{sys};
  join(posts, inst.all("posts:inserted"));
  join(comments, inst.all("comments:inserted"));
  db.exec("INSERT INTO posts (title) VALUES ('boom')");
  auto down = next_of<disconnected_msg>(posts);
  CAF_REQUIRE(down);
  CAF_CHECK(down->reason.find("decoder exploded") != std::string::npos);
  auto back = next_of<resumed_msg>(posts);
  CAF_REQUIRE(back);
  db.exec("INSERT INTO comments (body) VALUES ('still here')");
  auto c = next_change(comments);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("body").as_string(), "still here");
  CAF_CHECK(!next_of<disconnected_msg>(comments, quiet_period));
  db.exec("INSERT INTO posts (title) VALUES ('fine')");
  auto p = next_change(posts);
  CAF_REQUIRE(p);
  CAF_CHECK_EQUAL(p->at("title").as_string(), "fine");
  auto st = inst.status();
  CAF_CHECK_EQUAL(st.watchers[0].restarts, 1u);
  CAF_CHECK_EQUAL(st.watchers[1].restarts, 0u);
  detail::before_decode_hook = nullptr;
}

CAF_TEST(
  crashing_more_often_than_allowed_stops_the_instance_with_restart_limit) {
  detail::before_decode_hook = [](std::string_view payload) {
    if (payload.find("boom") != std::string_view::npos)
      throw std::runtime_error("decoder exploded");
  };
  auto config = posts_config();
  config.restarts.max_restarts = 1;
  auto inst = start(config);
  caf::scoped_actor self{sys};
  self->monitor(inst.supervisor());
  join(self, inst.all("posts:inserted"));
  db.exec("INSERT INTO posts (title) VALUES ('boom one')");
  // One restart is allowed: the watcher comes back.
  CAF_REQUIRE(next_of<resumed_msg>(self));
  db.exec("INSERT INTO posts (title) VALUES ('boom two')");
  caf::error reason;
  self->receive([&](caf::down_msg& dm) { reason = dm.reason; },
                caf::after(must_arrive) >> [] {});
  CAF_CHECK(is(reason, errc::restart_limit));
  CAF_MESSAGE(describe(reason));
  detail::before_decode_hook = nullptr;
}

CAF_TEST(unreachable_database_with_fail_fast_is_a_clear_error) {
  auto config = config_of({watcher_spec::on("posts", event_kind::inserted)});
  config.conninfo = "host=/nonexistent-libwatch-dir port=1 dbname=x";
  config.reconnect.fail_fast = true;
  auto inst = spawn_watchers(sys, config);
  CAF_REQUIRE(inst);
  instances.push_back(*inst);
  auto err = inst->await_ready(must_arrive);
  CAF_CHECK(is(err, errc::connection_failed));
  CAF_CHECK_EQUAL(describe(err).find("cannot connect to PostgreSQL"), 0u);
}

CAF_TEST(unreachable_database_without_fail_fast_keeps_trying_and_says_why) {
  auto config
    = quick(config_of({watcher_spec::on("posts", event_kind::inserted)}));
  config.conninfo = "host=/nonexistent-libwatch-dir port=1 dbname=x";
  auto inst = spawn_watchers(sys, config);
  CAF_REQUIRE(inst);
  instances.push_back(*inst);
  auto err = inst->await_ready(std::chrono::seconds(2));
  CAF_CHECK(is(err, errc::stopped));
  CAF_CHECK(describe(err).find("cannot connect to PostgreSQL")
            != std::string::npos);
  // Between attempts (waiting) or in the next one (connecting), with the
  // reason kept.
  auto st = inst->status();
  CAF_CHECK(st.connection == "waiting" || st.connection == "connecting");
  CAF_CHECK(st.last_connection_error.find("cannot connect to PostgreSQL")
            != std::string::npos);
}

CAF_TEST(password_never_appears_in_connection_errors_or_logs) {
  std::vector<std::string> lines;
  std::mutex mtx;
  set_log_sink([&](std::string_view line) {
    std::lock_guard<std::mutex> guard{mtx};
    lines.emplace_back(line);
  });
  auto config = config_of({watcher_spec::on("posts", event_kind::inserted)});
  config.conninfo = "host=127.0.0.1 port=1 dbname=x password=s3cr3t-pw";
  config.reconnect.fail_fast = true;
  auto inst = spawn_watchers(sys, config);
  CAF_REQUIRE(inst);
  instances.push_back(*inst);
  auto err = inst->await_ready(must_arrive);
  CAF_REQUIRE(err);
  CAF_CHECK_EQUAL(describe(err).find("s3cr3t-pw"), std::string::npos);
  auto st = inst->status();
  CAF_CHECK_EQUAL(st.last_connection_error.find("s3cr3t-pw"),
                  std::string::npos);
  set_log_sink(nullptr);
  std::lock_guard<std::mutex> guard{mtx};
  CAF_CHECK(!lines.empty());
  for (auto& line : lines)
    CAF_CHECK_EQUAL(line.find("s3cr3t-pw"), std::string::npos);
}

CAF_TEST(password_env_supplies_the_password_when_connecting) {
  auto config
    = quick(config_of({watcher_spec::on("posts", event_kind::inserted)}));
  config.password_env = "LIBWATCH_TEST_UNSET_PASSWORD_VARIABLE";
  config.reconnect.fail_fast = true;
  ::unsetenv("LIBWATCH_TEST_UNSET_PASSWORD_VARIABLE");
  auto missing = spawn_watchers(sys, config);
  CAF_REQUIRE(missing);
  instances.push_back(*missing);
  auto err = missing->await_ready(must_arrive);
  CAF_CHECK(is(err, errc::connection_failed));
  CAF_CHECK(describe(err).find("LIBWATCH_TEST_UNSET_PASSWORD_VARIABLE "
                               "(password_env) is not set")
            != std::string::npos);
  // With the variable set the password is sent (the test server trusts
  // every local connection, so any value is accepted).
  config.password_env = "LIBWATCH_TEST_PASSWORD";
  ::setenv("LIBWATCH_TEST_PASSWORD", "anything", 1);
  auto ok = spawn_watchers(sys, config);
  CAF_REQUIRE(ok);
  instances.push_back(*ok);
  CAF_CHECK(!ok->await_ready(must_arrive));
  ::unsetenv("LIBWATCH_TEST_PASSWORD");
}

CAF_TEST_FIXTURE_SCOPE_END()

CAF_TEST_FIXTURE_SCOPE(server_tests, watch_fixture)

CAF_TEST(server_restart_gives_disconnected_resumed_and_delivery) {
  private_cluster pc;
  create_posts(pc);
  auto config = quick(config_of({watcher_spec::on("posts", event_kind::inserted)
                                   .with_extra_columns({"title"})}));
  config.conninfo = pc.dsn();
  auto inst = start(config);
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  CAF_REQUIRE(next_of<ready_msg>(self));
  pc.restart();
  CAF_REQUIRE(next_of<disconnected_msg>(self));
  CAF_REQUIRE(next_of<resumed_msg>(self));
  insert_post(pc.dsn(), "after restart");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("title").as_string(), "after restart");
  inst.stop();
}

CAF_TEST(server_down_at_start_and_up_five_seconds_later_becomes_ready) {
  private_cluster pc;
  create_posts(pc);
  pc.pause();
  auto config = quick(config_of({watcher_spec::on("posts", event_kind::inserted)
                                   .with_extra_columns({"title"})}));
  config.conninfo = pc.dsn();
  auto inst = spawn_watchers(sys, config);
  CAF_REQUIRE(inst);
  instances.push_back(*inst);
  caf::scoped_actor self{sys};
  join(self, inst->all("posts:inserted"));
  // Joining while down (or going down right after) tells the subscriber.
  auto down = next_of<disconnected_msg>(self);
  CAF_REQUIRE(down);
  CAF_MESSAGE("told: " << down->reason);
  std::this_thread::sleep_for(std::chrono::seconds(5));
  pc.resume();
  CAF_REQUIRE(!inst->await_ready(must_arrive));
  CAF_REQUIRE(next_of<ready_msg>(self));
  insert_post(pc.dsn(), "first");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("title").as_string(), "first");
  inst->stop();
}

CAF_TEST(half_open_connection_is_detected_within_the_liveness_bound) {
  private_cluster pc;
  create_posts(pc);
  tcp_proxy proxy{pc.port()};
  auto config = quick(config_of({watcher_spec::on("posts", event_kind::inserted)
                                   .with_extra_columns({"title"})}));
  config.conninfo = "host=127.0.0.1 port=" + std::to_string(proxy.port())
                    + " dbname=postgres user=postgres";
  config.liveness.interval = std::chrono::milliseconds(500);
  config.liveness.timeout = std::chrono::milliseconds(500);
  auto inst = start(config);
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  CAF_REQUIRE(next_of<ready_msg>(self));
  auto frozen_at = std::chrono::steady_clock::now();
  proxy.freeze();
  auto down = next_of<disconnected_msg>(self);
  CAF_REQUIRE(down);
  auto detected_after = std::chrono::steady_clock::now() - frozen_at;
  CAF_MESSAGE("detected after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                   detected_after)
                   .count()
              << " ms: " << down->reason);
  // Bound: one idle interval plus the answer timeout, with slack for a busy
  // machine.
  CAF_CHECK_LESS(detected_after, std::chrono::seconds(3));
  CAF_REQUIRE(next_of<resumed_msg>(self));
  insert_post(pc.dsn(), "through the new connection");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("title").as_string(), "through the new connection");
  inst.stop();
}

CAF_TEST_FIXTURE_SCOPE_END()
