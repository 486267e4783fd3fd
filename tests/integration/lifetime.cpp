// libwatch can be stopped, and an application that stops it exits promptly
// even when its subscriber actors are still joined to libwatch's groups.
#define CAF_SUITE lifetime
#include <caf/test/unit_test.hpp>

#include <future>
#include <thread>

#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

CAF_TEST(stopping_lets_an_actor_system_with_joined_subscribers_end_promptly) {
  test_database db;
  db.exec("CREATE TABLE events (id int PRIMARY KEY, kind text)");
  std::promise<void> stopped;
  auto run = std::async(std::launch::async, [&] {
    test_config cfg;
    caf::actor_system sys{cfg};
    watch_config config;
    config.conninfo = db.dsn();
    config.watchers = {watcher_spec::on("events", event_kind::inserted)
                         .with_association_columns({"kind"})};
    auto inst = spawn_watchers(sys, config);
    if (!inst || inst->await_ready(must_arrive))
      return std::string{"not ready"};
    std::promise<void> joined;
    std::promise<void> got_one;
    auto subscriber = sys.spawn(
      [lw = *inst, &joined, &got_one](caf::event_based_actor* self) {
        self->join(*lw.all("events:inserted"));
        joined.set_value();
        return caf::behavior{[&](const change&) { got_one.set_value(); },
                             [](const ready_msg&) {}};
      });
    // A second subscriber, on a value topic, that nobody else references.
    sys.spawn([lw = *inst](caf::event_based_actor* self) {
      self->join(*lw.by_column("events:inserted", "kind", "x"));
      return caf::behavior{[](const change&) {}, [](const ready_msg&) {}};
    });
    subscriber = nullptr;
    // Joining happens when the actor first runs; insert only after it.
    if (joined.get_future().wait_for(must_arrive) != std::future_status::ready)
      return std::string{"not joined"};
    db.exec("INSERT INTO events VALUES (1)");
    if (got_one.get_future().wait_for(must_arrive) != std::future_status::ready)
      return std::string{"no change"};
    inst->stop();
    stopped.set_value();
    return std::string{"ok"};
    // ~actor_system waits for every actor here.
  });
  // Setting up may take a while on a loaded machine; only the shutdown after
  // stop() is bounded.
  auto setup = stopped.get_future();
  while (setup.wait_for(std::chrono::milliseconds(100))
           != std::future_status::ready
         && run.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    ; // wait for either
  if (setup.wait_for(std::chrono::seconds(0)) == std::future_status::ready
      && run.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
    CAF_FAIL("the actor system did not shut down within 20 s after stop()");
  CAF_CHECK_EQUAL(run.get(), "ok");
  // libwatch's connections are gone once the system is (the server notices
  // a closed connection a moment later, so poll for it).
  auto query = "SELECT count(*) FROM pg_stat_activity WHERE "
               "application_name = 'libwatch' AND datname = '"
               + db.name() + "'";
  std::string open;
  eventually([&] { return (open = db.scalar(query)) == "0"; });
  CAF_CHECK_EQUAL(open, "0");
}

CAF_TEST(stopping_twice_is_harmless) {
  test_database db;
  db.exec("CREATE TABLE events (id int PRIMARY KEY)");
  test_config cfg;
  caf::actor_system sys{cfg};
  watch_config config;
  config.conninfo = db.dsn();
  config.watchers = {watcher_spec::on("events", event_kind::inserted)};
  auto inst = spawn_watchers(sys, config);
  CAF_REQUIRE(inst);
  CAF_CHECK(!inst->await_ready(must_arrive));
  inst->stop();
  inst->stop();
}
