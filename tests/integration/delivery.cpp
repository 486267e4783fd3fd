// Changes committed in PostgreSQL reach subscribers once, with the right
// values, in commit order; nothing else reaches them.
#define CAF_SUITE delivery
#include <caf/test/unit_test.hpp>

#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct fixture : watch_fixture {
  fixture() {
    db.exec("CREATE TABLE posts (id bigserial PRIMARY KEY, title text NOT NULL,"
            " likes int NOT NULL DEFAULT 0, body text)");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(delivery_tests, fixture)

CAF_TEST(insert_is_delivered_once_with_new_row_values) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted)
                       .with_extra_columns({"title", "likes"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  db.exec("INSERT INTO posts (title, likes) VALUES ('hello', 3)");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->watcher, "public.posts:inserted");
  CAF_CHECK_EQUAL(c->event, event_kind::inserted);
  CAF_CHECK_EQUAL(c->schema, "public");
  CAF_CHECK_EQUAL(c->table, "posts");
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
  CAF_CHECK_EQUAL(c->at("title").as_string(), "hello");
  CAF_CHECK_EQUAL(c->at("likes").as_integer(), 3);
  CAF_CHECK_EQUAL(c->values.size(), 3u);
  CAF_CHECK(c->raw.find("\"hello\"") != std::string::npos);
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(update_is_delivered_with_new_row_values) {
  db.exec("INSERT INTO posts (title) VALUES ('old')");
  auto inst = start({watcher_spec::on("posts", event_kind::updated)
                       .with_extra_columns({"title"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:updated"));
  db.exec("UPDATE posts SET title = 'new' WHERE id = 1");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->event, event_kind::updated);
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
  CAF_CHECK_EQUAL(c->at("title").as_string(), "new");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(delete_is_delivered_with_old_row_values) {
  db.exec("INSERT INTO posts (title) VALUES ('doomed')");
  auto inst = start({watcher_spec::on("posts", event_kind::deleted)
                       .with_extra_columns({"title"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:deleted"));
  db.exec("DELETE FROM posts WHERE id = 1");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->event, event_kind::deleted);
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
  CAF_CHECK_EQUAL(c->at("title").as_string(), "doomed");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(each_watcher_reports_only_its_own_event) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted),
                     watcher_spec::on("posts", event_kind::updated),
                     watcher_spec::on("posts", event_kind::deleted)});
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:updated"));
  db.exec("INSERT INTO posts (title) VALUES ('a')");
  db.exec("UPDATE posts SET likes = 1");
  db.exec("DELETE FROM posts");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->event, event_kind::updated);
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(update_of_a_column_outside_trigger_columns_sends_nothing) {
  db.exec("INSERT INTO posts (title) VALUES ('t')");
  auto inst = start({watcher_spec::on("posts", event_kind::updated)
                       .labelled("post_likes")
                       .with_trigger_columns({"likes"})
                       .with_extra_columns({"likes"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("post_likes"));
  db.exec("UPDATE posts SET title = 'other' WHERE id = 1");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(update_of_a_trigger_column_sends_and_same_value_does_not) {
  db.exec("INSERT INTO posts (title) VALUES ('t')");
  auto inst = start({watcher_spec::on("posts", event_kind::updated)
                       .labelled("post_likes")
                       .with_trigger_columns({"likes"})
                       .with_extra_columns({"likes"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("post_likes"));
  db.exec("UPDATE posts SET likes = 5 WHERE id = 1");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->watcher, "post_likes");
  CAF_CHECK_EQUAL(c->at("likes").as_integer(), 5);
  // Setting the column to the value it already has is no change.
  db.exec("UPDATE posts SET likes = 5 WHERE id = 1");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(rolled_back_transaction_sends_nothing) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted)});
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  db.exec("BEGIN; INSERT INTO posts (title) VALUES ('x'); ROLLBACK");
  CAF_CHECK(nothing_arrives(self));
  db.exec("INSERT INTO posts (title) VALUES ('y')");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  // id 1 went to the rolled-back row.
  CAF_CHECK_EQUAL(c->key().as_integer(), 2);
}

CAF_TEST(rows_of_one_transaction_arrive_as_one_message_each_in_order) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted)
                       .with_extra_columns({"likes"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("posts:inserted"));
  db.exec("INSERT INTO posts (title, likes) SELECT 'p' || i, i "
          "FROM generate_series(1, 1000) i");
  auto got = changes(self, 1000);
  CAF_REQUIRE_EQUAL(got.size(), 1000u);
  for (size_t i = 0; i < got.size(); ++i) {
    CAF_CHECK_EQUAL(got[i].key().as_integer(), static_cast<int64_t>(i + 1));
    CAF_CHECK_EQUAL(got[i].at("likes").as_integer(),
                    static_cast<int64_t>(i + 1));
  }
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(a_batch_subscriber_gets_every_change_in_order_in_fewer_messages) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted)
                       .with_extra_columns({"likes"})});
  caf::scoped_actor self{sys};
  join(self, inst.all_batched("posts:inserted"));
  db.exec("INSERT INTO posts (title, likes) SELECT 'p' || i, i "
          "FROM generate_series(1, 5000) i");
  std::vector<change> got;
  size_t messages = 0;
  bool timed_out = false;
  while (got.size() < 5000 && !timed_out)
    self->receive(
      [&](change_batch& b) {
        ++messages;
        CAF_CHECK_EQUAL(b.watcher, "public.posts:inserted");
        for (auto& c : b.changes)
          got.push_back(std::move(c));
      },
      caf::after(must_arrive) >> [&] { timed_out = true; });
  CAF_REQUIRE_EQUAL(got.size(), 5000u);
  for (size_t i = 0; i < got.size(); ++i)
    CAF_CHECK_EQUAL(got[i].at("likes").as_integer(),
                    static_cast<int64_t>(i + 1));
  CAF_MESSAGE(messages << " batch messages for 5000 changes");
  CAF_CHECK_LESS(messages, 5000u);
  // Batch subscribers get no individual change messages.
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(two_subscribers_each_get_exactly_one_copy) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted)});
  caf::scoped_actor first{sys};
  caf::scoped_actor second{sys};
  join(first, inst.all("posts:inserted"));
  join(second, inst.all("posts:inserted"));
  db.exec("INSERT INTO posts (title) VALUES ('x')");
  CAF_CHECK(next_change(first));
  CAF_CHECK(next_change(second));
  CAF_CHECK(nothing_arrives(first));
  CAF_CHECK(nothing_arrives(second));
}

CAF_TEST(an_actor_without_subscription_receives_nothing) {
  auto inst = start({watcher_spec::on("posts", event_kind::inserted),
                     watcher_spec::on("posts", event_kind::deleted)});
  caf::scoped_actor bystander{sys};
  caf::scoped_actor other_watcher{sys};
  join(other_watcher, inst.all("posts:deleted"));
  db.exec("INSERT INTO posts (title) VALUES ('x')");
  CAF_CHECK(nothing_arrives(bystander));
  CAF_CHECK(nothing_arrives(other_watcher));
}

CAF_TEST(values_arrive_typed) {
  db.exec("CREATE TABLE typed (id int PRIMARY KEY, b bool, i bigint, f float8,"
          " n numeric, t text, j jsonb, ts timestamptz, u uuid, nothing text,"
          " tags text[])");
  auto inst = start({watcher_spec::on("typed", event_kind::inserted)
                       .with_extra_columns({"b", "i", "f", "n", "t", "j", "ts",
                                            "u", "nothing", "tags"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("typed:inserted"));
  db.exec("INSERT INTO typed VALUES (1, true, -9007199254740993, 2.5, "
          "12345678901234567890.000000000001, 'a \"quoted\" ünïcode', "
          "'{\"k\": [1, 2]}', '2026-01-02 03:04:05.678+00', "
          "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL, '{x,y}')");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->at("b").as_bool(), true);
  CAF_CHECK_EQUAL(c->at("i").as_integer(), INT64_C(-9007199254740993));
  CAF_CHECK_EQUAL(c->at("f").as_double(), 2.5);
  // numeric keeps every digit: it arrives as text.
  CAF_CHECK_EQUAL(c->at("n").as_string(), "12345678901234567890.000000000001");
  CAF_CHECK_EQUAL(c->at("t").as_string(), "a \"quoted\" ünïcode");
  CAF_CHECK_EQUAL(c->at("j").as_json(), R"({"k":[1,2]})");
  CAF_CHECK_EQUAL(c->at("ts").as_string(), "2026-01-02T03:04:05.678+00:00");
  CAF_CHECK_EQUAL(c->at("u").as_string(),
                  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  CAF_CHECK(c->at("nothing").is_null());
  CAF_CHECK_EQUAL(c->at("tags").as_json(), R"(["x","y"])");
}

CAF_TEST_FIXTURE_SCOPE_END()
