// libwatch never makes the writer's transaction fail because of the 8000-byte
// NOTIFY limit: oversized changes are sent as their key, and the watcher
// reads the rest of the row (or publishes the key alone when the row is gone).
#define CAF_SUITE large_payloads
#include <caf/test/unit_test.hpp>

#include <thread>

#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

namespace {

struct fixture : watch_fixture {
  fixture() {
    db.exec("CREATE TABLE notes (id serial PRIMARY KEY, body text, n int)");
  }

  instance start_notes(event_kind event) {
    return start(
      {watcher_spec::on("notes", event).with_extra_columns({"body", "n"})});
  }

  void insert(const std::string& body) {
    auto conn = db.connect();
    auto res
      = conn.exec("insert", "INSERT INTO notes (body) VALUES ($1)", {body});
    if (!res)
      CAF_FAIL("the write failed: " << describe(res.error()));
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(large_payload_tests, fixture)

CAF_TEST(inserts_of_every_size_commit_and_arrive_with_their_full_text) {
  auto inst = start_notes(event_kind::inserted);
  caf::scoped_actor self{sys};
  join(self, inst.all("notes:inserted"));
  struct sample {
    size_t bytes;
    value_source expected;
  };
  for (auto s : {sample{7'900, value_source::notification},
                 sample{7'990, value_source::fetched},
                 sample{8'000, value_source::fetched},
                 sample{100'000, value_source::fetched}}) {
    auto body = text_of(s.bytes);
    insert(body);
    auto c = next_change(self);
    CAF_REQUIRE(c);
    CAF_MESSAGE(s.bytes << " bytes: " << to_string(c->source));
    CAF_CHECK_EQUAL(c->source, s.expected);
    CAF_CHECK_EQUAL(c->at("body").as_string().value_or("").size(), s.bytes);
    CAF_CHECK(c->at("body").as_string() == std::string_view{body});
  }
}

CAF_TEST(large_updates_commit_and_arrive_with_the_rows_values) {
  db.exec("INSERT INTO notes (body, n) VALUES ('small', 1)");
  auto inst = start_notes(event_kind::updated);
  caf::scoped_actor self{sys};
  join(self, inst.all("notes:updated"));
  auto body = text_of(100'000);
  db.exec("UPDATE notes SET body = '" + body + "', n = 2");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->source, value_source::fetched);
  CAF_CHECK(c->at("body").as_string() == std::string_view{body});
  CAF_CHECK_EQUAL(c->at("n").as_integer(), 2);
}

CAF_TEST(large_deletes_commit_and_arrive_as_their_key) {
  auto body = text_of(100'000);
  db.exec("INSERT INTO notes (body) VALUES ('" + body + "')");
  auto inst = start_notes(event_kind::deleted);
  caf::scoped_actor self{sys};
  join(self, inst.all("notes:deleted"));
  db.exec("DELETE FROM notes");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->source, value_source::key_only);
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
  CAF_CHECK_EQUAL(c->values.size(), 1u);
}

CAF_TEST(a_large_row_gone_before_it_is_read_arrives_as_its_key) {
  auto inst = start_notes(event_kind::inserted);
  caf::scoped_actor self{sys};
  join(self, inst.all("notes:inserted"));
  db.exec("BEGIN; INSERT INTO notes (body) VALUES ('" + text_of(9'000)
          + "'); DELETE FROM notes; COMMIT");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->source, value_source::key_only);
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
}

CAF_TEST(a_fetched_change_keeps_its_place_in_commit_order) {
  auto inst = start_notes(event_kind::inserted);
  caf::scoped_actor self{sys};
  join(self, inst.all("notes:inserted"));
  db.exec("INSERT INTO notes (body) VALUES ('" + text_of(20'000)
          + "'), ('small'), ('" + text_of(20'000) + "'), ('tiny')");
  auto got = changes(self, 4);
  CAF_REQUIRE_EQUAL(got.size(), 4u);
  for (int64_t i = 0; i < 4; ++i)
    CAF_CHECK_EQUAL(got[i].key().as_integer(), i + 1);
  CAF_CHECK_EQUAL(got[0].source, value_source::fetched);
  CAF_CHECK_EQUAL(got[1].source, value_source::notification);
}

CAF_TEST(a_key_too_large_to_notify_still_commits_and_is_counted_as_dropped) {
  db.exec("CREATE TABLE tags (name text PRIMARY KEY)");
  auto inst = start({watcher_spec::on("tags", event_kind::inserted)});
  caf::scoped_actor self{sys};
  join(self, inst.all("tags:inserted"));
  db.exec("INSERT INTO tags VALUES ('" + text_of(9'000) + "')");
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM tags"), "1");
  CAF_CHECK(nothing_arrives(self));
  eventually([&] { return inst.status().watchers[0].dropped >= 1; });
  auto st = inst.status();
  CAF_CHECK_EQUAL(st.watchers[0].dropped, 1u);
}

CAF_TEST_FIXTURE_SCOPE_END()
