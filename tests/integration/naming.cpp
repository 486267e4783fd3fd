// Unusual but legal names, key types, labels, and the errors for tables,
// columns and keys libwatch cannot watch.
#define CAF_SUITE naming
#include <caf/test/unit_test.hpp>

#include "integration/watch_fixture.hpp"

using namespace libwatch;
using namespace libwatch::testing;

CAF_TEST_FIXTURE_SCOPE(naming_tests, watch_fixture)

CAF_TEST(schema_named_like_a_hex_number_works) {
  db.exec("CREATE SCHEMA \"0xabcd\";"
          "CREATE TABLE \"0xabcd\".things (id int PRIMARY KEY, name text)");
  auto inst = start({watcher_spec::on("things", event_kind::inserted)
                       .in_schema("0xabcd")
                       .with_extra_columns({"name"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("0xabcd.things:inserted"));
  db.exec("INSERT INTO \"0xabcd\".things VALUES (1, 'x')");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->schema, "0xabcd");
  CAF_CHECK_EQUAL(c->at("name").as_string(), "x");
}

CAF_TEST(mixed_case_and_spaced_table_and_column_names_work) {
  db.exec("CREATE TABLE \"Blog Posts\" (\"Post Id\" int PRIMARY KEY,"
          " \"Author ID\" int, \"TheTitle\" text)");
  auto inst = start({watcher_spec::on("Blog Posts", event_kind::updated)
                       .with_extra_columns({"TheTitle"})
                       .with_association_columns({"Author ID"})});
  db.exec("INSERT INTO \"Blog Posts\" VALUES (1, 7, 'a')");
  caf::scoped_actor self{sys};
  join(self, inst.by_column("Blog Posts:updated", "Author ID", 7));
  db.exec("UPDATE \"Blog Posts\" SET \"TheTitle\" = 'b'");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
  CAF_CHECK_EQUAL(c->values.front().column, "Post Id");
  CAF_CHECK_EQUAL(c->at("TheTitle").as_string(), "b");
}

CAF_TEST(uuid_primary_key_works) {
  db.exec("CREATE TABLE docs (id uuid PRIMARY KEY, v int)");
  db.exec("INSERT INTO docs VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1),"
          " ('b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1)");
  auto inst = start({watcher_spec::on("docs", event_kind::updated)});
  caf::scoped_actor self{sys};
  join(self,
       inst.by_key("docs:updated", "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  db.exec("UPDATE docs SET v = 2");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_string(), "b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(text_primary_key_works) {
  db.exec("CREATE TABLE settings (name text PRIMARY KEY, v int)");
  db.exec("INSERT INTO settings VALUES ('colour', 1), ('size', 1)");
  auto inst = start({watcher_spec::on("settings", event_kind::updated)});
  caf::scoped_actor self{sys};
  join(self, inst.by_key("settings:updated", "size"));
  db.exec("UPDATE settings SET v = 2");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_string(), "size");
  CAF_CHECK(nothing_arrives(self));
}

CAF_TEST(composite_primary_key_is_a_clear_error) {
  db.exec("CREATE TABLE memberships (user_id int, group_id int,"
          " PRIMARY KEY (user_id, group_id))");
  auto err
    = start_error({watcher_spec::on("memberships", event_kind::inserted)});
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK(describe(err).find("composite primary key (user_id, group_id)")
            != std::string::npos);
}

CAF_TEST(composite_primary_key_works_with_an_explicit_key_column) {
  db.exec("CREATE TABLE memberships (id serial UNIQUE, user_id int,"
          " group_id int, PRIMARY KEY (user_id, group_id))");
  auto inst = start({watcher_spec::on("memberships", event_kind::inserted)
                       .with_primary_key("id")
                       .with_extra_columns({"user_id", "group_id"})});
  caf::scoped_actor self{sys};
  join(self, inst.all("memberships:inserted"));
  db.exec("INSERT INTO memberships (user_id, group_id) VALUES (3, 4)");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->values.front().column, "id");
  CAF_CHECK_EQUAL(c->at("group_id").as_integer(), 4);
}

CAF_TEST(missing_table_is_a_clear_error) {
  auto err = start_error({watcher_spec::on("nope", event_kind::inserted)});
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK_EQUAL(describe(err), "watcher public.nope:inserted: table "
                                 "\"public\".\"nope\" does not exist");
}

CAF_TEST(missing_schema_is_a_clear_error) {
  auto err = start_error(
    {watcher_spec::on("t", event_kind::inserted).in_schema("missing")});
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK_EQUAL(describe(err), "watcher missing.t:inserted: schema "
                                 "\"missing\" does not exist");
}

CAF_TEST(missing_column_is_a_clear_error_naming_it) {
  db.exec("CREATE TABLE posts (id int PRIMARY KEY, title text)");
  auto err = start_error({watcher_spec::on("posts", event_kind::inserted)
                            .with_extra_columns({"title", "nope"})});
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK_EQUAL(describe(err),
                  "watcher public.posts:inserted: extra_columns: column "
                  "\"nope\" does not exist in \"public\".\"posts\" (columns: "
                  "id, title)");
}

CAF_TEST(table_without_primary_key_is_a_clear_error) {
  db.exec("CREATE TABLE logs (line text)");
  auto err = start_error({watcher_spec::on("logs", event_kind::inserted)});
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK(describe(err).find("has no primary key") != std::string::npos);
}

CAF_TEST(two_labelled_watchers_on_one_table_and_event_both_deliver) {
  db.exec("CREATE TABLE posts (id int PRIMARY KEY, title text, likes int)");
  auto inst = start({watcher_spec::on("posts", event_kind::inserted)
                       .labelled("new_post_titles")
                       .with_extra_columns({"title"}),
                     watcher_spec::on("posts", event_kind::inserted)
                       .labelled("new_post_likes")
                       .with_extra_columns({"likes"})});
  caf::scoped_actor titles{sys};
  caf::scoped_actor likes{sys};
  join(titles, inst.all("new_post_titles"));
  join(likes, inst.all("new_post_likes"));
  db.exec("INSERT INTO posts VALUES (1, 'a', 2)");
  auto t = next_change(titles);
  auto l = next_change(likes);
  CAF_REQUIRE(t && l);
  CAF_CHECK_EQUAL(t->watcher, "new_post_titles");
  CAF_CHECK_EQUAL(t->at("title").as_string(), "a");
  CAF_CHECK(t->find("likes") == nullptr);
  CAF_CHECK_EQUAL(l->watcher, "new_post_likes");
  CAF_CHECK_EQUAL(l->at("likes").as_integer(), 2);
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_trigger WHERE tgrelid = "
                            "'posts'::regclass AND NOT tgisinternal"),
                  "2");
}

CAF_TEST(duplicate_unlabelled_watchers_are_rejected) {
  auto err = start_error({watcher_spec::on("posts", event_kind::inserted),
                          watcher_spec::on("posts", event_kind::inserted)});
  CAF_CHECK(is(err, errc::invalid_spec));
  CAF_CHECK(describe(err).find("watcher 0 already watches "
                               "public.posts:inserted without a label")
            != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
