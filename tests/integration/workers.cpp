// libwatch's database work runs on two connections: catalog reads and DDL on
// one, the durable change log on the other. A trigger installation that
// waits on a table lock must not hold up delivery of durable watchers.
#define CAF_SUITE workers
#include <caf/test/unit_test.hpp>

#include <stdexcept>

#include "actors/watcher.hpp"
#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct fixture : watch_fixture {
  ~fixture() {
    detail::before_decode_hook = nullptr;
  }
};

// Whether a session of this database waits for a lock.
bool somebody_waits_on_a_lock(test_database& db) {
  return db.scalar("SELECT count(*) FROM pg_stat_activity "
                   "WHERE datname = current_database() "
                   "AND wait_event_type = 'Lock'")
         != "0";
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(workers_tests, fixture)

CAF_TEST(a_durable_watcher_keeps_delivering_while_an_install_waits_on_a_lock) {
  db.exec("CREATE TABLE posts (id serial PRIMARY KEY, title text);"
          "CREATE TABLE comments (id serial PRIMARY KEY, body text)");
  detail::before_decode_hook = [](std::string_view payload) {
    if (payload.find("boom") != std::string_view::npos)
      throw std::runtime_error("decoder exploded");
  };
  auto config = config_of({watcher_spec::on("posts", event_kind::inserted)
                             .labelled("posts_log")
                             .durable(wakeup_mode::notify),
                           watcher_spec::on("comments", event_kind::inserted)});
  // Statements of the workers may take a minute: far longer than this test
  // waits for a change, so a log read queued behind the blocked
  // installation would be noticed.
  config.liveness.interval = std::chrono::seconds(60);
  config.durable.consumer = "workers_test";
  auto inst = start(config);
  caf::scoped_actor self{sys};
  join(self, inst.all("posts_log"));
  CAF_REQUIRE(next_of<ready_msg>(self));
  auto channel = inst.details("public.comments:inserted")->channel;
  // A long transaction holds the lock that installing on comments needs.
  auto blocker = db.connect();
  CAF_REQUIRE(blocker.exec("test", "BEGIN"));
  CAF_REQUIRE(
    blocker.exec("test", "LOCK TABLE comments IN ACCESS EXCLUSIVE MODE"));
  // The comments watcher crashes; its restart installs again and waits.
  db.exec("SELECT pg_notify('" + channel + "', 'boom')");
  CAF_REQUIRE(eventually([&] { return somebody_waits_on_a_lock(db); }));
  db.exec("INSERT INTO posts (title) SELECT 'p' || g "
          "FROM generate_series(1, 100) g");
  auto got = changes(self, 100);
  CAF_CHECK_EQUAL(got.size(), 100u);
  CAF_CHECK(somebody_waits_on_a_lock(db)); // still blocked meanwhile
  // Once the lock is gone the comments watcher is live again.
  CAF_REQUIRE(blocker.exec("test", "ROLLBACK"));
  CAF_CHECK(eventually(
    [&] { return inst.status().watchers[1].state == watcher_state::live; }));
}

CAF_TEST_FIXTURE_SCOPE_END()
