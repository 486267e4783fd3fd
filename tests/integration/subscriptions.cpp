// Subscribing to all changes of a watcher, to one primary key, or to one
// association value; leaving; and the errors for subscriptions that could
// never receive anything.
#define CAF_SUITE subscriptions
#include <caf/test/unit_test.hpp>

#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct fixture : watch_fixture {
  fixture() {
    db.exec("CREATE TABLE posts (id bigserial PRIMARY KEY, title text);"
            "CREATE TABLE comments (id bigserial PRIMARY KEY,"
            " post_id bigint REFERENCES posts, body text);"
            "INSERT INTO posts (title) VALUES ('one'), ('two');");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(subscription_tests, fixture)

CAF_TEST(key_subscription_receives_only_its_row) {
  db.exec("INSERT INTO comments (post_id, body) VALUES (1, 'a'), (2, 'b')");
  auto inst = start({watcher_spec::on("comments", event_kind::updated)});
  caf::scoped_actor self{sys};
  join(self, inst.by_key("comments:updated", 2));
  db.exec("UPDATE comments SET body = 'changed'");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_integer(), 2);
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(key_subscription_accepts_the_key_as_text) {
  db.exec("INSERT INTO comments (post_id, body) VALUES (1, 'a')");
  auto inst = start({watcher_spec::on("comments", event_kind::deleted)});
  caf::scoped_actor self{sys};
  join(self, inst.by_key("comments:deleted", "1"));
  db.exec("DELETE FROM comments");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
}

CAF_TEST(association_subscription_receives_only_matching_rows) {
  auto inst = start({watcher_spec::on("comments", event_kind::inserted)
                       .with_association_columns({"post_id"})});
  caf::scoped_actor self{sys};
  join(self, inst.by_column("comments:inserted", "post_id", 1));
  db.exec("INSERT INTO comments (post_id, body) VALUES (2, 'x'), (1, 'y'),"
          " (2, 'z'), (NULL, 'orphan')");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("post_id").as_integer(), 1);
  CAF_CHECK_EQUAL(c->key().as_integer(), 2);
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(association_subscription_to_null_receives_rows_without_value) {
  auto inst = start({watcher_spec::on("comments", event_kind::inserted)
                       .with_association_columns({"post_id"})});
  caf::scoped_actor self{sys};
  join(self, inst.by_column("comments:inserted", "post_id", value{}));
  db.exec("INSERT INTO comments (post_id, body) VALUES (2, 'x'), (NULL, 'y')");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK(c->at("post_id").is_null());
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(association_subscription_for_deletes_uses_the_old_row) {
  db.exec("INSERT INTO comments (post_id, body) VALUES (1, 'a'), (2, 'b')");
  auto inst = start({watcher_spec::on("comments", event_kind::deleted)
                       .with_association_columns({"post_id"})});
  caf::scoped_actor self{sys};
  join(self, inst.by_column("comments:deleted", "post_id", 1));
  db.exec("DELETE FROM comments");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("post_id").as_integer(), 1);
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(key_subscription_on_an_inserted_watcher_is_an_error) {
  auto inst = start({watcher_spec::on("comments", event_kind::inserted)});
  auto group = inst.by_key("comments:inserted", 1);
  CAF_REQUIRE(!group);
  CAF_CHECK(is(group.error(), errc::invalid_subscription));
  CAF_CHECK(describe(group.error())
              .find("Cannot subscribe to primary_key for "
                    "inserted records")
            != std::string::npos);
}

CAF_TEST(column_that_is_not_an_association_column_is_an_error) {
  auto inst = start({watcher_spec::on("comments", event_kind::updated)
                       .with_extra_columns({"body"})});
  auto group = inst.by_column("comments:updated", "body", "x");
  CAF_REQUIRE(!group);
  CAF_CHECK(is(group.error(), errc::invalid_subscription));
  CAF_CHECK_EQUAL(describe(group.error()),
                  "Column body is not an association column of watcher "
                  "public.comments:updated (association columns: none)");
}

CAF_TEST(unknown_watcher_is_an_error_naming_the_known_ones) {
  auto inst = start({watcher_spec::on("comments", event_kind::updated)});
  auto group = inst.all("comments:deleted");
  CAF_REQUIRE(!group);
  CAF_CHECK(is(group.error(), errc::unknown_watcher));
  CAF_CHECK_EQUAL(describe(group.error()),
                  "No watcher found for public.comments:deleted (watchers: "
                  "public.comments:updated)");
}

CAF_TEST(leaving_a_group_stops_delivery) {
  auto inst = start({watcher_spec::on("comments", event_kind::inserted)});
  caf::scoped_actor self{sys};
  auto group = inst.all("comments:inserted");
  join(self, group);
  db.exec("INSERT INTO comments (body) VALUES ('first')");
  CAF_CHECK(next_change(self));
  self->leave(*group);
  db.exec("INSERT INTO comments (body) VALUES ('second')");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(leaving_a_key_group_obtained_again_stops_delivery) {
  db.exec("INSERT INTO comments (post_id, body) VALUES (1, 'a')");
  auto inst = start({watcher_spec::on("comments", event_kind::updated)});
  caf::scoped_actor self{sys};
  join(self, inst.by_key("comments:updated", 1));
  db.exec("UPDATE comments SET body = 'b'");
  CAF_CHECK(next_change(self));
  // A second lookup yields the same group, so leave() finds it.
  self->leave(*inst.by_key("comments:updated", 1));
  db.exec("UPDATE comments SET body = 'c'");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(general_and_key_subscriptions_each_deliver_a_copy) {
  db.exec("INSERT INTO comments (post_id, body) VALUES (1, 'a')");
  auto inst = start({watcher_spec::on("comments", event_kind::updated)});
  caf::scoped_actor self{sys};
  join(self, inst.all("comments:updated"));
  join(self, inst.by_key("comments:updated", 1));
  db.exec("UPDATE comments SET body = 'b'");
  CAF_CHECK_EQUAL(changes(self, 2).size(), 2u);
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST_FIXTURE_SCOPE_END()
