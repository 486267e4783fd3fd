// Names from a configuration are data, never SQL: schemas, tables and columns
// full of quotes, semicolons, comment starters, dollar quotes, backslashes
// and non-ASCII letters are watched end to end, and a 64-byte name is refused
// before anything touches the database.
#define CAF_SUITE hostile_names
#include <caf/test/unit_test.hpp>

#include "integration/watch_fixture.hpp"
#include "libwatch/identifiers.hpp"

using namespace libwatch;
using namespace libwatch::testing;

CAF_TEST_FIXTURE_SCOPE(hostile_name_tests, watch_fixture)

CAF_TEST(hostile_schema_table_and_column_names_are_watched_end_to_end) {
  std::string schema = "s\"q; DROP SCHEMA public; --";
  std::string table = "t$$a\\b 'ü' $lw$";
  std::string key = "i\"d";
  std::string extra = "c'1 ;-- $$x$$";
  std::string assoc = "ПОСТ_id";
  auto q = [](const std::string& x) { return quote_identifier(x); };
  db.exec("CREATE SCHEMA " + q(schema) + "; CREATE TABLE " + q(schema) + "."
          + q(table) + " (" + q(key) + " int PRIMARY KEY, " + q(extra)
          + " text, " + q(assoc) + " int)");
  auto inst = start({watcher_spec::on(table, event_kind::inserted)
                       .in_schema(schema)
                       .with_extra_columns({extra})
                       .with_association_columns({assoc})});
  caf::scoped_actor self{sys};
  join(self, inst.by_column(watcher_ref{table, event_kind::inserted, schema},
                            assoc, 7));
  db.exec("INSERT INTO " + q(schema) + "." + q(table) + " VALUES (1, "
          + quote_literal("it's \\ fine; --") + ", 7), (2, 'x', 8)");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->schema, schema);
  CAF_CHECK_EQUAL(c->table, table);
  CAF_CHECK_EQUAL(c->values.front().column, key);
  CAF_CHECK_EQUAL(c->key().as_integer(), 1);
  CAF_CHECK_EQUAL(c->at(extra).as_string(), "it's \\ fine; --");
  CAF_CHECK(nothing_arrives(self));
  // Nothing was dropped along the way.
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_namespace WHERE nspname "
                            "= 'public'"),
                  "1");
}

CAF_TEST(statement_level_and_durable_functions_quote_every_name) {
  // Hostile names, and columns named like the functions' own aliases and
  // variables.
  std::string schema = "s\"q; --";
  std::string table = "t$$a 'ü' $lw$";
  std::string key = "i\"d";
  std::string extra = "c'1 ;-- $$x$$";
  auto q = [](const std::string& x) { return quote_identifier(x); };
  db.exec("CREATE SCHEMA " + q(schema) + "; CREATE TABLE " + q(schema) + "."
          + q(table) + " (" + q(key) + " int PRIMARY KEY, " + q(extra)
          + " text, lw_paired int, c1 text, lw_json text, lw_pos int, r int)");
  auto spec = [&](std::string label) {
    return watcher_spec::on(table, event_kind::updated)
      .in_schema(schema)
      .labelled(std::move(label))
      .with_extra_columns({extra, "c1", "lw_json", "lw_pos", "r"})
      .with_trigger_columns({"lw_paired", "c1"})
      .with_trigger_level(trigger_level::statement);
  };
  auto config = config_of({spec("chunks"), spec("logged").durable()});
  config.durable.consumer = "hostile";
  auto inst = start(config);
  db.exec("INSERT INTO " + q(schema) + "." + q(table)
          + " VALUES (1, 'a', 0, 'x', 'j', 5, 6), (2, 'b', 0, 'y', 'k', 7, 8)");
  caf::scoped_actor chunks{sys};
  caf::scoped_actor logged{sys};
  join(chunks, inst.all("chunks"));
  join(logged, inst.all("logged"));
  db.exec("UPDATE " + q(schema) + "." + q(table)
          + " SET lw_paired = " + "lw_paired + 1 WHERE " + q(key) + " = 2");
  for (auto* self : {&chunks, &logged}) {
    auto c = next_change(*self);
    CAF_REQUIRE(c);
    CAF_CHECK_EQUAL(c->key().as_integer(), 2);
    CAF_CHECK_EQUAL(c->at(extra).as_string(), "b");
    CAF_CHECK_EQUAL(c->at("c1").as_string(), "y");
    CAF_CHECK_EQUAL(c->at("lw_json").as_string(), "k");
    CAF_CHECK_EQUAL(c->at("r").as_integer(), 8);
    CAF_CHECK(nothing_arrives(*self));
  }
}

CAF_TEST(a_64_byte_name_is_refused_before_touching_the_database) {
  std::string long_name(64, 'x');
  auto err = start_error({watcher_spec::on(long_name, event_kind::inserted)});
  CAF_CHECK(is(err, errc::invalid_spec));
  CAF_CHECK(describe(err).find("is 64 bytes long") != std::string::npos);
  CAF_CHECK_EQUAL(db.scalar("SELECT count(*) FROM pg_proc WHERE proname LIKE "
                            "'lw\\_%'"),
                  "0");
}

CAF_TEST(a_63_byte_table_name_is_watched) {
  std::string name(63, 'y');
  db.exec("CREATE TABLE " + name + " (id int PRIMARY KEY)");
  auto inst = start({watcher_spec::on(name, event_kind::inserted)});
  caf::scoped_actor self{sys};
  join(self, inst.all(name + ":inserted"));
  db.exec("INSERT INTO " + name + " VALUES (5)");
  auto c = next_change(self);
  CAF_REQUIRE(c);
  CAF_CHECK_EQUAL(c->key().as_integer(), 5);
}

CAF_TEST_FIXTURE_SCOPE_END()
