// What a subscriber node may ask through connect_remote: the same requests
// and errors as the watcher node's instance, except manual acknowledgement,
// which needs the watcher node's tracker and is refused with a clear error.
// Both nodes live in one process here, connected over loopback TCP.
#define CAF_SUITE remote_requests
#include <caf/test/unit_test.hpp>

#include <caf/io/all.hpp>

#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct node_config : caf::actor_system_config {
  node_config() {
    register_types(*this);
    load<caf::io::middleman>();
  }
};

struct fixture {
  node_config cfg;
  caf::actor_system sys{cfg};
  test_database db;
  instance watcher_node;
  remote_instance subscriber_node;

  fixture() {
    db.exec("CREATE TABLE posts (id serial PRIMARY KEY, title text)");
    watch_config config;
    config.conninfo = db.dsn();
    config.application_name = "libwatch-under-test";
    config.durable.consumer = "remote_requests_test";
    config.cluster.enabled = true;
    config.watchers = {watcher_spec::on("posts", event_kind::inserted)
                         .labelled("posts_log")
                         .with_extra_columns({"title"})
                         .durable(wakeup_mode::notify)};
    auto inst = spawn_watchers(sys, config);
    CAF_REQUIRE(inst);
    watcher_node = *inst;
    CAF_REQUIRE(!watcher_node.await_ready(must_arrive));
    auto remote = connect_remote(sys, "127.0.0.1", watcher_node.cluster_port());
    CAF_REQUIRE(remote);
    subscriber_node = *remote;
  }

  ~fixture() {
    subscriber_node.stop();
    watcher_node.stop();
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(remote_requests_tests, fixture)

CAF_TEST(manual_acknowledgement_is_refused_through_connect_remote) {
  auto manual = subscriber_node.all("posts_log", ack_mode::manual);
  CAF_REQUIRE(!manual);
  CAF_CHECK(is(manual.error(), errc::invalid_subscription));
  CAF_CHECK(describe(manual.error()).find("connect_remote")
            != std::string::npos);
  // The watcher node itself accepts it.
  CAF_CHECK(watcher_node.all("posts_log", ack_mode::manual));
}

CAF_TEST(a_remote_subscriber_receives_changes_of_a_durable_watcher) {
  caf::scoped_actor self{sys};
  join(self, subscriber_node.all("posts_log"));
  CAF_REQUIRE(next_of<ready_msg>(self));
  db.exec("INSERT INTO posts (title) VALUES ('hello')");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("title").to_text(), "hello");
}

CAF_TEST(remote_requests_fail_as_local_ones_do) {
  auto unknown = subscriber_node.all("nope");
  CAF_REQUIRE(!unknown);
  CAF_CHECK(is(unknown.error(), errc::unknown_watcher));
  CAF_CHECK_EQUAL(describe(unknown.error()),
                  describe(watcher_node.all("nope").error()));
}

CAF_TEST_FIXTURE_SCOPE_END()
