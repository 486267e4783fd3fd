// The WAL source's payloads: each value rendered as the trigger's to_json
// renders it, the key-only fallback for what cannot be rendered exactly,
// binding to Relation messages, and when an updated watcher's trigger fires.
// integration/wal_row_payload.cpp compares the same against the server.
#define CAF_SUITE wal.row_payload
#include <caf/test/unit_test.hpp>

#include "libwatch/wal/row_payload.hpp"

#include "libwatch/error.hpp"
#include "wal_test.hpp"

using namespace libwatch;
using namespace libwatch::wal;

namespace {

using wal_test::contains;

constexpr uint32_t int4_oid = 23;

column_info column(std::string name, std::string type_name, char category = 'U',
                   std::string element = {}) {
  return {std::move(name), type_name, type_name, category, std::move(element)};
}

// `id int4` first, then `columns`.
resolved_watcher watcher_of(event_kind event, std::vector<column_info> columns,
                            std::vector<column_info> trigger = {}) {
  resolved_watcher w;
  w.spec = watcher_spec::on("t", event);
  w.primary_key = column("id", "int4");
  w.payload_columns.push_back(w.primary_key);
  for (auto& c : columns)
    w.payload_columns.push_back(c);
  w.trigger_columns = std::move(trigger);
  return w;
}

relation_message relation_of(std::vector<relation_column> columns) {
  relation_message rel;
  rel.relid = 16385;
  rel.nspname = "public";
  rel.relname = "t";
  rel.columns = std::move(columns);
  return rel;
}

tuple_column text(std::string x) {
  return {column_kind::text, std::move(x)};
}

const tuple_column null_value{column_kind::null, {}};
const tuple_column unchanged{column_kind::unchanged_toast, {}};

row_payload_builder bound(resolved_watcher w, const relation_message& rel) {
  row_payload_builder b{std::move(w)};
  if (auto err = b.bind(rel))
    CAF_FAIL("bind failed: " << describe(err));
  return b;
}

std::string payload(const row_payload_builder& b, const tuple_data& row) {
  std::string out;
  if (auto err = b.build(row, out))
    CAF_FAIL("build failed: " << describe(err));
  return out;
}

const std::string key_only_1
  = R"({"type" : "inserted", "values" : {"id" : 1}, "reduced" : true})";

// The JSON of one value `value` of a column `c` whose type has `oid`, or
// the whole payload when it is not of the full form.
std::string value_of(const column_info& c, uint32_t oid, std::string value) {
  auto b = bound(watcher_of(event_kind::inserted, {c}),
                 relation_of({{1, "id", int4_oid, -1}, {0, c.name, oid, -1}}));
  auto out = payload(b, {text("1"), text(std::move(value))});
  std::string head
    = R"({"type" : "inserted", "values" : {"id" : 1, ")" + c.name + "\" : ";
  if (out.compare(0, head.size(), head) != 0 || out.size() < head.size() + 2)
    return out;
  return out.substr(head.size(), out.size() - head.size() - 2);
}

} // namespace

CAF_TEST(a_row_becomes_the_triggers_payload_in_payload_column_order) {
  auto w = watcher_of(event_kind::updated,
                      {column("ok", "bool"), column("price", "numeric"),
                       column("doc", "jsonb"), column("title", "text")});
  // The relation orders columns differently and has one the watcher skips.
  auto b = bound(w, relation_of({{0, "title", 25, -1},
                                 {0, "skipped", 25, -1},
                                 {0, "doc", 3802, -1},
                                 {1, "id", int4_oid, -1},
                                 {0, "price", 1700, -1},
                                 {0, "ok", 16, -1}}));
  auto row = tuple_data{text("x"), text("y"),    text(R"({"a": [1, 2]})"),
                        text("7"), text("1.50"), text("t")};
  CAF_CHECK_EQUAL(
    payload(b, row),
    R"({"type" : "updated", "values" : {"id" : 7, "ok" : true, )"
    R"("price" : "1.50", "doc" : {"a": [1, 2]}, "title" : "x"}})");
}

CAF_TEST(column_names_are_escaped_as_json_keys) {
  auto b
    = bound(watcher_of(event_kind::inserted, {column("a\"b\\c", "int4")}),
            relation_of({{1, "id", int4_oid, -1}, {0, "a\"b\\c", 23, -1}}));
  CAF_CHECK_EQUAL(payload(b, {text("1"), text("2")}),
                  R"({"type" : "inserted", "values" : {"id" : 1, )"
                  R"("a\"b\\c" : 2}})");
}

CAF_TEST(text_is_escaped_as_escape_json_does) {
  auto c = column("s", "text");
  CAF_CHECK_EQUAL(value_of(c, 25, "a\"b\\c/d"), R"("a\"b\\c/d")");
  CAF_CHECK_EQUAL(value_of(c, 25, "\b\f\n\r\t"), R"("\b\f\n\r\t")");
  CAF_CHECK_EQUAL(value_of(c, 25, "\x01\x1f\x7f"), "\"\\u0001\\u001f\x7f\"");
  CAF_CHECK_EQUAL(value_of(c, 25, "caf\xc3\xa9 \xf0\x9f\x98\x80"),
                  "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
  CAF_CHECK_EQUAL(value_of(c, 25, ""), R"("")");
}

CAF_TEST(booleans_become_true_and_false) {
  CAF_CHECK_EQUAL(value_of(column("b", "bool"), 16, "t"), "true");
  CAF_CHECK_EQUAL(value_of(column("b", "bool"), 16, "f"), "false");
}

CAF_TEST(numbers_stay_numbers_unless_they_are_not_json_numbers) {
  auto f = column("f", "float8");
  CAF_CHECK_EQUAL(value_of(f, 701, "1.5"), "1.5");
  CAF_CHECK_EQUAL(value_of(f, 701, "-0"), "-0");
  CAF_CHECK_EQUAL(value_of(f, 701, "1e+100"), "1e+100");
  CAF_CHECK_EQUAL(value_of(f, 701, "1.23e-05"), "1.23e-05");
  CAF_CHECK_EQUAL(value_of(f, 701, "NaN"), R"("NaN")");
  CAF_CHECK_EQUAL(value_of(f, 701, "Infinity"), R"("Infinity")");
  CAF_CHECK_EQUAL(value_of(f, 701, "-Infinity"), R"("-Infinity")");
  CAF_CHECK_EQUAL(value_of(column("i", "int8"), 20, "-9223372036854775808"),
                  "-9223372036854775808");
  // The trigger casts numeric to text so that no digit is lost.
  CAF_CHECK_EQUAL(value_of(column("n", "numeric"), 1700, "1.50"), R"("1.50")");
  // oid is not one of to_json's number types.
  CAF_CHECK_EQUAL(value_of(column("o", "oid"), 26, "4"), R"("4")");
}

CAF_TEST(json_and_jsonb_are_written_as_they_are) {
  CAF_CHECK_EQUAL(value_of(column("j", "json"), 114, R"( {"b":1,  "a":2})"),
                  R"( {"b":1,  "a":2})");
  CAF_CHECK_EQUAL(value_of(column("j", "jsonb"), 3802, R"("x")"), R"("x")");
}

CAF_TEST(timestamps_take_the_xsd_form_of_to_json) {
  auto ts = column("ts", "timestamp");
  CAF_CHECK_EQUAL(value_of(ts, 1114, "2020-01-02 03:04:05.123456"),
                  R"("2020-01-02T03:04:05.123456")");
  CAF_CHECK_EQUAL(value_of(ts, 1114, "0044-03-15 10:00:00 BC"),
                  R"("0044-03-15T10:00:00 BC")");
  CAF_CHECK_EQUAL(value_of(ts, 1114, "-infinity"), R"("-infinity")");
  auto tz = column("tz", "timestamptz");
  CAF_CHECK_EQUAL(value_of(tz, 1184, "2020-01-01 21:34:05.5+00"),
                  R"("2020-01-01T21:34:05.5+00:00")");
  CAF_CHECK_EQUAL(value_of(tz, 1184, "2020-01-01 21:34:05-05:30"),
                  R"("2020-01-01T21:34:05-05:30")");
  CAF_CHECK_EQUAL(value_of(tz, 1184, "1850-01-01 00:00:00+00:53:28"),
                  R"("1850-01-01T00:00:00+00:53:28")");
  CAF_CHECK_EQUAL(value_of(tz, 1184, "0044-03-15 10:00:00+00 BC"),
                  R"("0044-03-15T10:00:00+00:00 BC")");
  CAF_CHECK_EQUAL(value_of(tz, 1184, "infinity"), R"("infinity")");
  CAF_CHECK_EQUAL(value_of(column("d", "date"), 1082, "0044-03-15 BC"),
                  R"("0044-03-15 BC")");
}

CAF_TEST(enums_are_strings) {
  CAF_CHECK_EQUAL(value_of(column("e", "mood", 'E'), 16400, "happy"),
                  R"("happy")");
}

CAF_TEST(arrays_become_nested_json_arrays_without_their_bounds) {
  auto ints = column("a", "_int4", 'A', "int4");
  CAF_CHECK_EQUAL(value_of(ints, 1007, "{1,2,NULL}"), "[1,2,null]");
  CAF_CHECK_EQUAL(value_of(ints, 1007, "{{1,2},{3,4}}"), "[[1,2],[3,4]]");
  CAF_CHECK_EQUAL(value_of(ints, 1007, "[0:1]={1,2}"), "[1,2]");
  CAF_CHECK_EQUAL(value_of(ints, 1007, "[2:3][1:1]={{1},{2}}"), "[[1],[2]]");
  CAF_CHECK_EQUAL(value_of(ints, 1007, "{}"), "[]");
  auto texts = column("a", "_text", 'A', "text");
  CAF_CHECK_EQUAL(
    value_of(texts, 1009, R"({"a\"b","c\\d",NULL,"NULL","",x,"x y"})"),
    R"(["a\"b","c\\d",null,"NULL","","x","x y"])");
  CAF_CHECK_EQUAL(value_of(texts, 1009, "{\"a\nb\"}"), R"(["a\nb"])");
  // Elements of numeric arrays are not cast: numbers, NaN a string.
  CAF_CHECK_EQUAL(
    value_of(column("a", "_numeric", 'A', "numeric"), 1231, "{1.50,NaN,NULL}"),
    R"([1.50,"NaN",null])");
  CAF_CHECK_EQUAL(
    value_of(column("a", "_json", 'A', "json"), 199, R"({"{\"a\": 1}",NULL})"),
    R"([{"a": 1},null])");
  CAF_CHECK_EQUAL(value_of(column("a", "_timestamptz", 'A', "timestamptz"),
                           1185, R"({"2019-12-31 19:32:03+00"})"),
                  R"(["2019-12-31T19:32:03+00:00"])");
  CAF_CHECK_EQUAL(value_of(column("a", "_bool", 'A', "bool"), 1000, "{t,f}"),
                  "[true,false]");
}

CAF_TEST(nulls_are_json_null) {
  auto b = bound(watcher_of(event_kind::inserted, {column("s", "text")}),
                 relation_of({{1, "id", int4_oid, -1}, {0, "s", 25, -1}}));
  CAF_CHECK_EQUAL(
    payload(b, {text("1"), null_value}),
    R"({"type" : "inserted", "values" : {"id" : 1, "s" : null}})");
}

CAF_TEST(values_not_rendered_exactly_give_the_key_only_form) {
  auto w = watcher_of(event_kind::inserted,
                      {column("s", "text"), column("dom", "posint", 'N'),
                       column("a", "_mood", 'A', "mood")});
  auto rel = relation_of({{1, "id", int4_oid, -1},
                          {0, "s", 25, -1},
                          {0, "dom", 16401, -1},
                          {0, "a", 16402, -1}});
  auto b = bound(w, rel);
  // A domain or an enum array value is never exact; NULL is null whatever
  // the type.
  CAF_CHECK_EQUAL(payload(b, {text("1"), text("x"), text("5"), null_value}),
                  key_only_1);
  CAF_CHECK_EQUAL(payload(b, {text("1"), text("x"), null_value, text("{}")}),
                  key_only_1);
  CAF_CHECK_EQUAL(payload(b, {text("1"), text("x"), null_value, null_value}),
                  R"({"type" : "inserted", "values" : {"id" : 1, "s" : "x", )"
                  R"("dom" : null, "a" : null}})");
  auto only_text
    = bound(watcher_of(event_kind::inserted, {column("s", "text")}), rel);
  CAF_CHECK_EQUAL(
    payload(only_text, {text("1"), unchanged, text("5"), text("{}")}),
    key_only_1);
  CAF_CHECK_EQUAL(
    payload(only_text,
            {text("1"), {column_kind::binary, "x"}, text("5"), text("{}")}),
    key_only_1);
}

CAF_TEST(text_of_an_unexpected_shape_gives_the_key_only_form) {
  CAF_CHECK_EQUAL(value_of(column("b", "bool"), 16, "true"), key_only_1);
  auto ints = column("a", "_int4", 'A', "int4");
  for (auto bad : {"{1,2", "{1,,2}", "1,2}", "{1}x", "[0:1]{1}", "{\"1}"})
    CAF_CHECK_EQUAL(value_of(ints, 1007, bad), key_only_1);
  CAF_CHECK_EQUAL(value_of(column("ts", "timestamp"), 1114, "2020-01-02"),
                  key_only_1);
}

CAF_TEST(a_type_oid_other_than_the_name_promises_gives_the_key_only_form) {
  // A column whose type changed after the catalog was read, or a type
  // called int4 in another schema.
  CAF_CHECK_EQUAL(value_of(column("v", "int4"), 25, "7"), key_only_1);
  CAF_CHECK_EQUAL(value_of(column("v", "int4"), 16500, "7"), key_only_1);
  CAF_CHECK_EQUAL(value_of(column("e", "mood", 'E'), 25, "happy"), key_only_1);
}

CAF_TEST(binding_fails_naming_a_column_the_relation_lacks) {
  row_payload_builder b{watcher_of(event_kind::updated, {column("s", "text")},
                                   {column("n", "int4")})};
  auto err = b.bind(relation_of({{1, "id", int4_oid, -1}, {0, "n", 23, -1}}));
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK(contains(describe(err), "column s of public.t"));
  err = b.bind(relation_of({{1, "id", int4_oid, -1}, {0, "s", 25, -1}}));
  CAF_CHECK(contains(describe(err), "column n of public.t"));
  err = b.bind(relation_of({{0, "s", 25, -1}, {0, "n", 23, -1}}));
  CAF_CHECK(contains(describe(err), "column id of public.t"));
}

CAF_TEST(binding_fails_for_a_primary_key_not_rendered_exactly) {
  auto w = watcher_of(event_kind::inserted, {});
  w.primary_key = column("id", "posint", 'N');
  w.primary_key.type = "posint";
  w.payload_columns = {w.primary_key};
  row_payload_builder b{w};
  auto err = b.bind(relation_of({{1, "id", 16401, -1}}));
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK(contains(describe(err), "primary key id of public.t is of type "
                                    "posint"));
}

CAF_TEST(rows_without_a_usable_key_or_of_the_wrong_width_are_errors) {
  row_payload_builder b{
    watcher_of(event_kind::inserted, {column("s", "text")})};
  std::string out;
  auto err = b.build({text("1"), text("x")}, out);
  CAF_CHECK(is(err, errc::malformed_payload));
  CAF_CHECK(contains(describe(err), "before its table's Relation"));
  CAF_REQUIRE(
    !b.bind(relation_of({{1, "id", int4_oid, -1}, {0, "s", 25, -1}})));
  CAF_CHECK(contains(describe(b.build({text("1")}, out)),
                     "a row of 1 columns for a relation of 2"));
  for (auto& key :
       {null_value, unchanged, tuple_column{column_kind::binary, "x"}})
    CAF_CHECK(contains(describe(b.build({key, text("x")}, out)),
                       "primary key id is NULL, not sent, binary or not "
                       "rendered exactly"));
}

CAF_TEST(rebinding_finds_columns_that_moved) {
  row_payload_builder b{
    watcher_of(event_kind::inserted, {column("s", "text")})};
  CAF_REQUIRE(
    !b.bind(relation_of({{1, "id", int4_oid, -1}, {0, "s", 25, -1}})));
  CAF_REQUIRE(!b.bind(relation_of(
    {{0, "s", 25, -1}, {0, "new", 23, -1}, {1, "id", int4_oid, -1}})));
  CAF_CHECK_EQUAL(payload(b, {text("x"), text("5"), text("1")}),
                  R"({"type" : "inserted", "values" : {"id" : 1, "s" : "x"}})");
}

CAF_TEST(deletes_need_the_whole_old_row_for_more_than_the_key) {
  auto rel = relation_of({{1, "id", int4_oid, -1}, {0, "s", 25, -1}});
  auto b = bound(watcher_of(event_kind::deleted, {column("s", "text")}), rel);
  std::string out;
  CAF_REQUIRE(
    !b.build(old_tuple{old_tuple_kind::full, {text("1"), null_value}}, out));
  CAF_CHECK_EQUAL(out,
                  R"({"type" : "deleted", "values" : {"id" : 1, "s" : null}})");
  CAF_REQUIRE(
    !b.build(old_tuple{old_tuple_kind::key, {text("1"), null_value}}, out));
  CAF_CHECK_EQUAL(
    out, R"({"type" : "deleted", "values" : {"id" : 1}, "reduced" : true})");
  auto key_alone = bound(watcher_of(event_kind::deleted, {}), rel);
  CAF_REQUIRE(!key_alone.build(
    old_tuple{old_tuple_kind::key, {text("1"), null_value}}, out));
  CAF_CHECK_EQUAL(out, R"({"type" : "deleted", "values" : {"id" : 1}})");
}

CAF_TEST(renders_exactly_names_the_types_rendered_exactly) {
  for (auto name : {"bool",      "int2",        "int4",  "int8",    "float4",
                    "float8",    "numeric",     "json",  "jsonb",   "date",
                    "timestamp", "timestamptz", "text",  "varchar", "bpchar",
                    "uuid",      "interval",    "bytea", "inet",    "money"}) {
    CAF_CHECK(renders_exactly(column("c", name)));
    CAF_CHECK(renders_exactly(column("c", std::string{"_"} + name, 'A', name)));
  }
  CAF_CHECK(renders_exactly(column("c", "mood", 'E')));
  for (auto name : {"point", "posint", "tsvector", "int4range", "hstore"})
    CAF_CHECK(!renders_exactly(column("c", name)));
  CAF_CHECK(!renders_exactly(column("c", "_mood", 'A', "mood")));
}

// -- fires
// ---------------------------------------------------------------------

namespace {

row_payload_builder trigger_on_n() {
  return bound(
    watcher_of(event_kind::updated, {}, {column("n", "int4")}),
    relation_of(
      {{1, "id", int4_oid, -1}, {0, "n", 23, -1}, {0, "other", 25, -1}}));
}

bool fires(const tuple_data& before, const tuple_data& after) {
  auto res
    = trigger_on_n().fires(old_tuple{old_tuple_kind::full, before}, after);
  if (!res)
    CAF_FAIL("fires failed: " << describe(res.error()));
  return *res;
}

} // namespace

CAF_TEST(without_trigger_columns_every_update_fires) {
  auto b = bound(watcher_of(event_kind::updated, {}),
                 relation_of({{1, "id", int4_oid, -1}}));
  CAF_CHECK_EQUAL(b.fires(std::nullopt, {text("1")}), true);
}

CAF_TEST(an_update_fires_when_a_trigger_column_changes) {
  CAF_CHECK(fires({text("1"), text("5"), text("a")},
                  {text("1"), text("6"), text("a")}));
  CAF_CHECK(fires({text("1"), null_value, text("a")},
                  {text("1"), text("6"), text("a")}));
  CAF_CHECK(fires({text("1"), text("5"), text("a")},
                  {text("1"), null_value, text("a")}));
}

CAF_TEST(an_update_of_other_columns_does_not_fire) {
  CAF_CHECK(!fires({text("1"), text("5"), text("a")},
                   {text("1"), text("5"), text("b")}));
  CAF_CHECK(!fires({text("1"), null_value, text("a")},
                   {text("1"), null_value, text("b")}));
  // An unchanged TOASTed value was not sent because it did not change.
  CAF_CHECK(!fires({text("1"), text("5"), text("a")},
                   {text("1"), unchanged, text("b")}));
}

CAF_TEST(an_old_value_that_was_not_sent_fires_rather_than_miss_a_change) {
  CAF_CHECK(fires({text("1"), unchanged, text("a")},
                  {text("1"), text("5"), text("a")}));
}

CAF_TEST(trigger_columns_need_replica_identity_full) {
  auto b = trigger_on_n();
  tuple_data row{text("1"), text("5"), text("a")};
  auto err = b.fires(std::nullopt, row).error();
  CAF_CHECK(is(err, errc::catalog_mismatch));
  CAF_CHECK(contains(describe(err), "ALTER TABLE public.t REPLICA IDENTITY "
                                    "FULL"));
  err = b.fires(old_tuple{old_tuple_kind::key, row}, row).error();
  CAF_CHECK(contains(describe(err), "REPLICA IDENTITY FULL"));
}
