// How a durable watcher's stored position follows its subscribers'
// acknowledgements, read straight from libwatch.consumers: a manual
// subscriber holds it until instance::ack, an ordinary one acknowledges when
// its handler returns, a plain view never holds it back, and with nobody
// subscribed nothing is read at all.
#define CAF_SUITE acknowledgement
#include <caf/test/unit_test.hpp>

#include <thread>

#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct fixture : watch_fixture {
  fixture() {
    db.exec("CREATE TABLE posts (id bigint PRIMARY KEY, title text)");
  }

  instance start_durable() {
    auto config = config_of({watcher_spec::on("posts", event_kind::inserted)
                               .labelled("posts_log")
                               .durable(wakeup_mode::notify)});
    config.durable.consumer = "app";
    return start(config);
  }

  // The consumer's stored position as "tick/entry".
  std::string stored() {
    return db.scalar("SELECT tick || '/' || entry FROM libwatch.consumers "
                     "WHERE consumer = 'app'");
  }

  // Whether the stored position has moved past `p`.
  bool stored_past(const stream_position& p) {
    auto text = stored();
    auto slash = text.find('/');
    auto tick = std::stoll(text.substr(0, slash));
    auto entry = std::stoll(text.substr(slash + 1));
    return tick >= p.batch || (tick == p.batch - 1 && entry >= p.entry);
  }

  static std::string cursor_of(int64_t tick, int64_t entry) {
    return std::to_string(tick) + "/" + std::to_string(entry);
  }

  // Waits until the stored position is `expected`; returns the last one.
  std::string stored_becomes(const std::string& expected) {
    std::string last;
    eventually([&] { return (last = stored()) == expected; });
    return last;
  }

  void insert_range(int from, int to) {
    db.exec("INSERT INTO posts SELECT i, 'p' || i FROM generate_series("
            + std::to_string(from) + ", " + std::to_string(to) + ") i");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(acknowledgement_tests, fixture)

CAF_TEST(a_manual_subscriber_holds_the_position_until_it_acknowledges) {
  auto inst = start_durable();
  caf::scoped_actor self{sys};
  join(self, inst.all("posts_log", ack_mode::manual));
  insert_range(1, 5);
  auto got = changes(self, 5);
  CAF_REQUIRE_EQUAL(got.size(), 5u);
  // Processed, not acknowledged: the position does not pass the first.
  std::this_thread::sleep_for(quiet_period);
  CAF_CHECK(!stored_past(got[0].position));
  auto& third = got[2].position;
  CAF_CHECK(!inst.ack(self->address(), got[2]));
  CAF_CHECK_EQUAL(stored_becomes(cursor_of(third.batch - 1, third.entry)),
                  cursor_of(third.batch - 1, third.entry));
  CAF_CHECK(!stored_past(got[3].position));
  // The last one: the position passes the whole batch (and any empty ones
  // read after it).
  CAF_CHECK(!inst.ack(self->address(), got[4]));
  CAF_CHECK(eventually([&] { return stored_past(got[4].position); }));
}

CAF_TEST(a_handler_return_acknowledges_and_a_plain_view_never_holds_back) {
  auto inst = start_durable();
  caf::scoped_actor acking{sys};
  caf::scoped_actor plain{sys};
  join(acking, inst.all("posts_log"));
  join(plain, inst.all("posts_log", ack_mode::none));
  insert_range(1, 3);
  auto got = changes(acking, 3);
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  // `plain` has not handled anything and does not count.
  CAF_CHECK(eventually([&] { return stored_past(got[2].position); }));
  CAF_CHECK_EQUAL(changes(plain, 3).size(), 3u);
}

CAF_TEST(a_durable_watcher_reads_nothing_while_nobody_subscribes) {
  auto inst = start_durable();
  auto registered = stored();
  insert_range(1, 3);
  std::this_thread::sleep_for(quiet_period);
  CAF_CHECK_EQUAL(stored(), registered);
  auto st = inst.status();
  CAF_REQUIRE_EQUAL(st.watchers.size(), 1u);
  CAF_CHECK_EQUAL(st.watchers[0].published, 0u);
  // The first subscriber gets them from the log.
  caf::scoped_actor self{sys};
  join(self, inst.all("posts_log"));
  auto got = changes(self, 3);
  CAF_REQUIRE_EQUAL(got.size(), 3u);
  CAF_CHECK_EQUAL(got[0].key().as_integer(), 1);
  CAF_CHECK_EQUAL(got[2].key().as_integer(), 3);
}

CAF_TEST(manual_acknowledgement_needs_a_durable_watcher) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted)});
  auto g = inst.all("posts:inserted", ack_mode::manual);
  CAF_REQUIRE(!g);
  CAF_CHECK(is(g.error(), errc::invalid_subscription));
  CAF_CHECK(describe(g.error()).find("is not durable") != std::string::npos);
  caf::scoped_actor self{sys};
  auto err = inst.ack(self->address(), "posts:inserted", stream_position{});
  CAF_CHECK(is(err, errc::invalid_subscription));
}

CAF_TEST_FIXTURE_SCOPE_END()
