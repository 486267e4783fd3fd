// The WAL source's payloads are byte for byte the trigger's: rows of every
// type the builder renders go through a real pgoutput slot, and what the
// builder makes of each decoded row is compared with what the server's own
// payload expression (sql::fetch_statement) returns for it. Types it does not
// render (unless NULL), and TOASTed values the server did not send, give the
// trigger's key-only form.
#define CAF_SUITE wal_row_payload
#include <caf/test/unit_test.hpp>

#include <map>

#include "integration/test_database.hpp"
#include "libwatch/error.hpp"
#include "libwatch/pg/catalog.hpp"
#include "libwatch/sql/trigger_sql.hpp"
#include "libwatch/wal/pgoutput.hpp"
#include "libwatch/wal/row_payload.hpp"

using namespace libwatch;
using namespace libwatch::testing;
using namespace libwatch::wal;

namespace {

// The settings the WAL source's replication session runs with; here they
// apply to pgoutput's text output and to the reference payloads alike.
constexpr auto session_settings
  = "SET datestyle = ISO; SET timezone = UTC; SET intervalstyle = postgres;"
    "SET extra_float_digits = 1; SET bytea_output = hex";

std::string from_hex(std::string_view hex) {
  CAF_REQUIRE(hex.substr(0, 2) == "\\x");
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (size_t i = 2; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  return out;
}

// What one slot read decoded: the latest Relation and the row changes.
struct changes {
  std::map<std::string, relation_message> relations;
  std::vector<insert_message> inserts;
  std::vector<update_message> updates;
  std::vector<delete_message> deletes;
};

struct fixture {
  test_database db;
  pg::connection conn = open(db.dsn());
  std::string slot = db.name() + "_slot";
  bool has_slot = false;

  static pg::connection open(const std::string& dsn) {
    auto conn = pg::connection::open(dsn, "libwatch-tests");
    if (!conn)
      CAF_FAIL("cannot connect: " << describe(conn.error()));
    return std::move(*conn);
  }

  fixture() {
    run(session_settings);
    // The test server commits asynchronously, and a slot reads only WAL
    // that has been flushed: the writes here wait for their flush.
    run("SET synchronous_commit = on");
  }

  ~fixture() {
    if (has_slot)
      conn.exec("drop slot", "SELECT pg_drop_replication_slot($1)", {slot});
  }

  pg::result run(const std::string& sql,
                 const std::vector<pg::param>& params = {}) {
    auto res = params.empty() ? conn.exec_script("test", sql)
                              : conn.exec("test", sql, params);
    if (!res)
      CAF_FAIL("SQL failed: " << describe(res.error()) << "\n  in: " << sql);
    return std::move(*res);
  }

  // Publishes `tables` and starts a slot: changes from here on are read.
  void publish(const std::string& tables) {
    run("CREATE PUBLICATION lw_pub FOR TABLE " + tables);
    run("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", {slot});
    has_slot = true;
  }

  changes read_changes() {
    auto res = run("SELECT data FROM pg_logical_slot_get_binary_changes($1, "
                   "NULL, NULL, 'proto_version', '1', 'publication_names', "
                   "'lw_pub')",
                   {slot});
    changes out;
    for (int r = 0; r < res.rows(); ++r) {
      auto msg = decode_pgoutput(from_hex(res.get(r, 0)));
      CAF_REQUIRE(msg);
      if (auto* rel = std::get_if<relation_message>(&*msg))
        out.relations[rel->relname] = *rel;
      else if (auto* ins = std::get_if<insert_message>(&*msg))
        out.inserts.push_back(*ins);
      else if (auto* upd = std::get_if<update_message>(&*msg))
        out.updates.push_back(*upd);
      else if (auto* del = std::get_if<delete_message>(&*msg))
        out.deletes.push_back(*del);
    }
    return out;
  }

  resolved_watcher resolve_watcher(const watcher_spec& spec) {
    auto table = pg::read_table(conn, spec.schema, spec.table);
    CAF_REQUIRE(table);
    auto w = resolve(spec, *table);
    if (!w)
      CAF_FAIL("cannot resolve: " << describe(w.error()));
    return std::move(*w);
  }

  // The server's payload for the row with `key`: `expression` (the full
  // or key-only payload expression) evaluated as fetch_statement does.
  std::string reference(const resolved_watcher& w, const std::string& key,
                        bool key_only = false) {
    auto sql = sql::fetch_statement(w);
    if (key_only) {
      auto full = sql::payload_expression(w);
      sql.replace(sql.find(full), full.size(), sql::key_only_expression(w));
    }
    auto res = run(sql, {key});
    CAF_REQUIRE_EQUAL(res.rows(), 1);
    return std::string{res.get(0, 0)};
  }

  std::string build(const row_payload_builder& b, const tuple_data& row) {
    std::string out;
    if (auto err = b.build(row, out))
      CAF_FAIL("build failed: " << describe(err));
    return out;
  }
};

std::string key_of(const tuple_data& row) {
  CAF_REQUIRE(!row.empty() && row[0].kind == column_kind::text);
  return row[0].data;
}

// Every column but the first (`id`) of `table`, in table order.
std::vector<std::string> other_columns(const table_info& table) {
  std::vector<std::string> out;
  for (size_t i = 1; i < table.columns.size(); ++i)
    out.push_back(table.columns[i].name);
  return out;
}

} // namespace

CAF_TEST_FIXTURE_SCOPE(wal_row_payload_tests, fixture)

CAF_TEST(rows_of_every_exact_type_give_the_triggers_payload_byte_for_byte) {
  run(R"(
CREATE TYPE mood AS ENUM ('happy', 'sad "quoted"');
CREATE TABLE everything (
  id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4,
  f8 float8, n numeric, j json, jb jsonb, d date, ts timestamp,
  tz timestamptz, t text, vc varchar(20), bp char(5), nm name, ch "char",
  u uuid, tm time, ttz timetz, iv interval, by bytea, ip inet, cd cidr,
  mac macaddr, mac8 macaddr8, mn money, o oid, x xml, bt bit(3), vb varbit,
  e mood, ai int4[], af float8[], an numeric[], at text[], ab bool[],
  ad date[], ats timestamp[], atz timestamptz[], aj json[], ajb jsonb[],
  au uuid[], abp char(2)[], aby bytea[]))");
  publish("everything");
  run(R"(
INSERT INTO everything VALUES (1, true, 1, 2, 3, 1.5, 0.1, 1.50,
  '{"b": 1, "a":  [1,2]}', '{"b": 1, "a":  [1,2]}', '2020-01-02',
  '2020-01-02 03:04:05.123456', '2020-01-02 03:04:05.5+05:30', 'plain',
  'varchar', 'ab', 'name', 'c', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '12:34:56.5', '12:34:56+05:30', '1 day 02:03:04', '\x00ff', '10.0.0.1/8',
  '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', '1.5', 4,
  '<a b="c">&amp;</a>', B'101', B'1', 'happy', '{1,2,3}', '{1.5,0.1}',
  '{1.50,2}', '{a,b}', '{t,f}', '{2020-01-01}', '{"2020-01-01 00:00:00"}',
  '{"2020-01-01 01:02:03+05:30"}', ARRAY['{"a": 1}'::json],
  ARRAY['{"b": 1, "a": 2}'::jsonb], '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
  '{a,bb}', ARRAY['\x00'::bytea]);
INSERT INTO everything VALUES (2, false, -32768, 2147483647,
  -9223372036854775808, 'NaN', '-Infinity', 1.500,
  '  {"k": "v\"q", "n" : [1, 2.50]}  ', '{"z": [1, "a\nb"], "a": null}',
  '0044-03-15 BC', '0044-03-15 10:00:00.5 BC',
  '2020-01-02 03:04:05.123+05:30',
  E'quote" backslash\\ nl\n cr\r tab\t ff\f bs\b ctl\x01\x1f del\x7f'
  ' é 😀 {}', E'a,b{c}"\\', ' ', 'Name With Space', E'\\',
  '00000000-0000-0000-0000-000000000000', '23:59:59.999999', '00:00:00-12',
  '-1 year 2 mons -3 days 04:05:06.7', E'\\x005c22', '::1', '2001:db8::/32',
  'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff', '-1234.5', 4294967295,
  '<x>"\</x>', B'000', B'', 'sad "quoted"',
  '[0:1][2:3]={{1,2},{3,NULL}}', '{NaN,Infinity,-Infinity,-0,1.5e-300}',
  '{1.500,NaN,-Infinity,NULL}',
  ARRAY[E'a"b', E'c\\d', NULL, 'NULL', 'null', '', 'x y', E'nl\n', E'\x01',
        '{}', ',', 'é'],
  '{t,NULL,f}', '{infinity,0044-03-15 BC,2020-01-01}',
  '{"2020-01-01 00:00:00.000001",-infinity}',
  ARRAY['2020-01-02 03:04:05+05:30'::timestamptz, 'infinity'],
  ARRAY['{"a": "b\"c"}'::json, NULL, ' [1, 2] '],
  ARRAY['{"b": 1, "a": [true]}'::jsonb, '"s"', 'null'], '{}',
  '{a,NULL," "}', ARRAY['\x'::bytea, '\x5c']);
INSERT INTO everything (id) VALUES (3);
INSERT INTO everything (id, f4, f8, n, j, jb, d, ts, tz, t, iv, ai, at, ab)
  VALUES (4, '3.4028235e+38', '1e-300', 'Infinity',
  '"\u0000 \ud83d\ude00"', '{"e": "\u00e9", "n": 1.0e3}', 'infinity',
  '294276-12-31 23:59:59.999999', '12345-06-07 08:09:10+00', '',
  '-1000000 years 1 sec', '{}', '{"{\"a\": 1}"}', '{{t},{f}}');
)");
  auto table = pg::read_table(conn, "public", "everything");
  CAF_REQUIRE(table);
  for (auto& c : table->columns)
    if (!renders_exactly(c))
      CAF_FAIL("column " << c.name << " of type " << c.type
                         << " is meant to be exact");
  auto w = resolve_watcher(watcher_spec::on("everything", event_kind::inserted)
                             .with_extra_columns(other_columns(*table)));
  auto got = read_changes();
  row_payload_builder b{w};
  CAF_REQUIRE(!b.bind(got.relations.at("everything")));
  CAF_REQUIRE_EQUAL(got.inserts.size(), 4u);
  for (auto& ins : got.inserts) {
    auto key = key_of(ins.new_tuple);
    auto expected = reference(w, key);
    CAF_MESSAGE("row " << key << ": " << expected);
    CAF_CHECK_EQUAL(build(b, ins.new_tuple), expected);
  }
}

CAF_TEST(types_not_rendered_exactly_give_the_triggers_key_only_form) {
  run(R"(
CREATE DOMAIN posint AS int CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text);
CREATE TYPE mood AS ENUM ('happy');
CREATE TABLE odd (id int PRIMARY KEY, dom posint, comp pair, pt point,
  moods mood[], rng int4range, ts tsvector))");
  publish("odd");
  run("INSERT INTO odd VALUES (1, 5, (1, 'x'), '(1,2)', '{happy}', "
      "'[1,5)', 'a b'), (2, NULL, NULL, NULL, NULL, NULL, NULL)");
  auto table = pg::read_table(conn, "public", "odd");
  CAF_REQUIRE(table);
  auto got = read_changes();
  CAF_REQUIRE_EQUAL(got.inserts.size(), 2u);
  for (auto& column : other_columns(*table)) {
    auto w = resolve_watcher(watcher_spec::on("odd", event_kind::inserted)
                               .with_extra_columns({column}));
    CAF_CHECK(!renders_exactly(w.payload_columns.back()));
    row_payload_builder b{w};
    CAF_REQUIRE(!b.bind(got.relations.at("odd")));
    for (auto& ins : got.inserts) {
      auto key = key_of(ins.new_tuple);
      CAF_MESSAGE(column << ", row " << key);
      // Row 2 holds NULLs: null whatever the type, so the payload is whole.
      CAF_CHECK_EQUAL(build(b, ins.new_tuple), reference(w, key, key == "1"));
    }
  }
}

CAF_TEST(
  an_unchanged_toasted_value_gives_the_key_only_form_and_others_stay_exact) {
  run("CREATE TABLE notes (id int PRIMARY KEY, body text, n int, note text);"
      "ALTER TABLE notes REPLICA IDENTITY FULL;"
      // Random text does not compress: it is stored out of line.
      "INSERT INTO notes SELECT 1, string_agg(md5(random()::text), '') "
      "FROM generate_series(1, 4000)");
  publish("notes");
  run("UPDATE notes SET n = 2; UPDATE notes SET note = 'x'");
  auto got = read_changes();
  CAF_REQUIRE_EQUAL(got.updates.size(), 2u);
  auto& upd = got.updates[0];
  CAF_REQUIRE_EQUAL(upd.new_tuple.size(), 4u);
  CAF_CHECK(upd.new_tuple[1].kind == column_kind::unchanged_toast);
  auto& rel = got.relations.at("notes");
  auto with_body
    = resolve_watcher(watcher_spec::on("notes", event_kind::updated)
                        .with_extra_columns({"n", "body"}));
  row_payload_builder b{with_body};
  CAF_REQUIRE(!b.bind(rel));
  CAF_CHECK_EQUAL(build(b, upd.new_tuple), reference(with_body, "1", true));
  auto without_body = resolve_watcher(
    watcher_spec::on("notes", event_kind::updated).with_extra_columns({"n"}));
  row_payload_builder small{without_body};
  CAF_REQUIRE(!small.bind(rel));
  // The second update's row is what the table holds now.
  auto now = build(small, got.updates[1].new_tuple);
  CAF_CHECK_EQUAL(now, reference(without_body, "1"));
  CAF_CHECK(now.find("\"n\" : 2") != std::string::npos);
  CAF_CHECK(now.find("\"note\"") == std::string::npos);
}

CAF_TEST(trigger_columns_decide_from_the_old_and_new_rows_of_the_stream) {
  run("CREATE TABLE notes (id int PRIMARY KEY, body text, n int, note text);"
      "ALTER TABLE notes REPLICA IDENTITY FULL;"
      "INSERT INTO notes SELECT 1, string_agg(md5(random()::text), ''), 1 "
      "FROM generate_series(1, 4000)");
  publish("notes");
  run("UPDATE notes SET n = 2; UPDATE notes SET note = 'x';"
      "UPDATE notes SET n = NULL; UPDATE notes SET n = NULL");
  auto w = resolve_watcher(watcher_spec::on("notes", event_kind::updated)
                             .labelled("n_changes")
                             .with_trigger_columns({"n"}));
  row_payload_builder b{w};
  auto got = read_changes();
  CAF_REQUIRE(!b.bind(got.relations.at("notes")));
  CAF_REQUIRE_EQUAL(got.updates.size(), 4u);
  std::vector<bool> fired;
  for (auto& upd : got.updates) {
    auto res = b.fires(upd.old, upd.new_tuple);
    CAF_REQUIRE(res);
    fired.push_back(*res);
  }
  CAF_CHECK(fired == (std::vector<bool>{true, false, true, false}));
}

CAF_TEST(trigger_columns_without_replica_identity_full_are_an_error) {
  run("CREATE TABLE plain (id int PRIMARY KEY, n int);"
      "INSERT INTO plain VALUES (1, 1)");
  publish("plain");
  run("UPDATE plain SET n = 2");
  auto w = resolve_watcher(watcher_spec::on("plain", event_kind::updated)
                             .labelled("n_changes")
                             .with_trigger_columns({"n"}));
  row_payload_builder b{w};
  auto got = read_changes();
  CAF_REQUIRE(!b.bind(got.relations.at("plain")));
  CAF_REQUIRE_EQUAL(got.updates.size(), 1u);
  auto res = b.fires(got.updates[0].old, got.updates[0].new_tuple);
  CAF_REQUIRE(!res);
  CAF_CHECK(is(res.error(), errc::catalog_mismatch));
  CAF_CHECK(describe(res.error()).find("REPLICA IDENTITY FULL")
            != std::string::npos);
}

CAF_TEST_FIXTURE_SCOPE_END()
