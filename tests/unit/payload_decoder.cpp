// Tests decoding of untrusted notification payloads into typed values.
#define CAF_SUITE payload_decoder

#include "libwatch/payload_decoder.hpp"

#include <caf/test/unit_test.hpp>

#include <random>
#include <string>
#include <vector>

#include "libwatch/error.hpp"

using namespace libwatch;
using namespace std::string_literals;

namespace {

using decoded = caf::expected<std::vector<field>>;

// The reason of a malformed_payload error, "(decoded)" on success, or a
// marker for any other error.
std::string reason(const decoded& res) {
  if (res)
    return "(decoded)";
  if (!is(res.error(), errc::malformed_payload))
    return "(wrong error code) " + describe(res.error());
  auto text = describe(res.error());
  return text.empty() ? "(empty reason)" : text;
}

bool rejected(const decoded& res) {
  if (res)
    return false;
  if (!is(res.error(), errc::malformed_payload)) {
    CAF_MESSAGE("unexpected error: " << describe(res.error()));
    return false;
  }
  return !describe(res.error()).empty();
}

// Decodes a payload that must carry one row; its values.
decoded values_of(payload_decoder& dec, std::string_view payload) {
  auto row = dec.decode_one(payload);
  if (!row)
    return row.error();
  return std::move(row->values);
}

std::string column_names(const std::vector<field>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : ",") + x.column;
  return out;
}

payload_decoder updated_decoder() {
  return payload_decoder{event_kind::updated, {"id", "title", "post_id"}};
}

const std::string good_updated
  = R"({"type":"updated","values":{"id":1,"title":"t","post_id":2}})";

} // namespace

CAF_TEST(payload_in_documented_server_format_decodes) {
  payload_decoder dec{event_kind::updated, {"id", "post_id"}};
  auto res = values_of(
    dec, R"({"type" : "updated", "values" : {"id" : 7, "post_id" : 3}})");
  CAF_REQUIRE(res);
  CAF_REQUIRE_EQUAL(res->size(), 2u);
  CAF_CHECK_EQUAL((*res)[0].column, "id");
  CAF_CHECK((*res)[0].value == value::of_integer(7));
  CAF_CHECK_EQUAL((*res)[1].column, "post_id");
  CAF_CHECK((*res)[1].value == value::of_integer(3));
}

CAF_TEST(every_value_kind_decodes) {
  payload_decoder dec{event_kind::inserted,
                      {"id", "n", "yes", "no", "neg", "ratio", "text", "obj",
                       "arr", "empty_arr", "empty_obj"}};
  auto res = values_of(dec, R"({"type":"inserted","values":{
    "id": 42,
    "n": null,
    "yes": true,
    "no": false,
    "neg": -9223372036854775808,
    "ratio": -1.5e-3,
    "text": "q\"uote \\ back\nline\ttab \u00e9 \u8868 é 表 \ud83d\ude00",
    "obj": {"a": 1, "b": [true, null, "x"], "c": {"d": 2.5}},
    "arr": [1, "two", -0.25],
    "empty_arr": [],
    "empty_obj": {}
  }})");
  CAF_REQUIRE(res);
  auto& xs = *res;
  CAF_REQUIRE_EQUAL(xs.size(), 11u);
  CAF_CHECK(xs[0].value == value::of_integer(42));
  CAF_CHECK(xs[1].value.is_null());
  CAF_CHECK(xs[1].value.type() == value::kind::null);
  CAF_CHECK(xs[2].value == value::of_bool(true));
  CAF_CHECK(xs[3].value == value::of_bool(false));
  CAF_CHECK(xs[4].value == value::of_integer(INT64_MIN));
  CAF_CHECK(xs[5].value.type() == value::kind::floating);
  CAF_CHECK(xs[5].value.as_double() == std::optional<double>{-1.5e-3});
  CAF_CHECK(xs[6].value.type() == value::kind::string);
  CAF_CHECK_EQUAL(std::string{xs[6].value.as_string().value_or("(none)")},
                  "q\"uote \\ back\nline\ttab \xC3\xA9 \xE8\xA1\xA8 "
                  "\xC3\xA9 \xE8\xA1\xA8 \xF0\x9F\x98\x80");
  CAF_CHECK(xs[7].value.type() == value::kind::json);
  CAF_CHECK_EQUAL(std::string{xs[7].value.as_json().value_or("(none)")},
                  R"({"a":1,"b":[true,null,"x"],"c":{"d":2.5}})");
  CAF_CHECK(xs[8].value.type() == value::kind::json);
  CAF_CHECK_EQUAL(std::string{xs[8].value.as_json().value_or("(none)")},
                  R"([1,"two",-0.25])");
  CAF_CHECK_EQUAL(std::string{xs[9].value.as_json().value_or("(none)")}, "[]");
  CAF_CHECK_EQUAL(std::string{xs[10].value.as_json().value_or("(none)")}, "{}");
}

CAF_TEST(integer_above_int64_max_decodes_as_float) {
  payload_decoder dec{event_kind::inserted, {"id", "big"}};
  auto res = values_of(
    dec, R"({"type":"inserted","values":{"id":1,"big":18446744073709551615}})");
  CAF_REQUIRE(res);
  CAF_CHECK((*res)[1].value.type() == value::kind::floating);
  CAF_CHECK((*res)[1].value.as_double()
            == std::optional<double>{18446744073709551615.0});
}

CAF_TEST(string_primary_key_decodes) {
  payload_decoder dec{event_kind::deleted, {"uuid"}};
  auto res = values_of(
    dec,
    R"({"type":"deleted","values":{"uuid":"7d3c2b1a-0000-4000-8000-000000000001"}})");
  CAF_REQUIRE(res);
  CAF_CHECK((*res)[0].value
            == value::of_string("7d3c2b1a-0000-4000-8000-000000000001"));
}

CAF_TEST(values_come_back_in_configured_column_order) {
  auto dec = updated_decoder();
  for (auto payload : {
         R"({"type":"updated","values":{"id":1,"title":"t","post_id":2}})",
         R"({"type":"updated","values":{"post_id":2,"title":"t","id":1}})",
         R"({"type":"updated","values":{"title":"t","id":1,"post_id":2}})",
         R"({"values":{"post_id":2,"id":1,"title":"t"},"type":"updated"})",
       }) {
    auto res = values_of(dec, payload);
    CAF_REQUIRE(res);
    CAF_CHECK_EQUAL(column_names(*res), "id,title,post_id");
    CAF_CHECK((*res)[0].value == value::of_integer(1));
    CAF_CHECK((*res)[1].value == value::of_string("t"));
    CAF_CHECK((*res)[2].value == value::of_integer(2));
  }
}

CAF_TEST(invalid_json_is_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK(rejected(values_of(dec, R"({"type":"updated","values":{"id":1)")));
  CAF_CHECK(rejected(values_of(dec, R"({'type':'updated'})")));
  CAF_CHECK(rejected(values_of(dec, good_updated + "}")));
  CAF_CHECK(rejected(values_of(dec, good_updated + " x")));
  CAF_CHECK(rejected(values_of(
    dec, R"({"type":"updated","values":{"id":1,"title":"t","post_id":2,}})")));
  CAF_CHECK(rejected(values_of(
    dec, R"({"type":"updated","values":{"id":01,"title":"t","post_id":2}})")));
  CAF_CHECK(rejected(values_of(
    dec, R"({"type":"updated","values":{"id":NaN,"title":"t","post_id":2}})")));
}

CAF_TEST(empty_and_whitespace_payloads_are_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK(rejected(values_of(dec, "")));
  CAF_CHECK(rejected(values_of(dec, "   ")));
  CAF_CHECK(rejected(values_of(dec, "\0"s)));
}

CAF_TEST(string_with_invalid_utf8_is_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK(rejected(values_of(
    dec, "{\"type\":\"updated\",\"values\":{\"id\":1,\"title\":\"\xFF\xFE\","
         "\"post_id\":2}}")));
  CAF_CHECK(rejected(values_of(
    dec, "{\"type\":\"updated\",\"values\":{\"id\":1,\"title\":\"\xC3\","
         "\"post_id\":2}}")));
}

CAF_TEST(non_object_payloads_are_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK_EQUAL(reason(values_of(dec, "[1,2]")), "not a JSON object");
  CAF_CHECK_EQUAL(reason(values_of(dec, "\"updated\"")), "not a JSON object");
  CAF_CHECK_EQUAL(reason(values_of(dec, "42")), "not a JSON object");
  CAF_CHECK_EQUAL(reason(values_of(dec, "null")), "not a JSON object");
  CAF_CHECK_EQUAL(reason(values_of(dec, "true")), "not a JSON object");
}

CAF_TEST(missing_top_level_keys_are_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK_EQUAL(reason(values_of(dec, "{}")), "missing \"type\"");
  CAF_CHECK_EQUAL(
    reason(values_of(dec, R"({"values":{"id":1,"title":"t","post_id":2}})")),
    "missing \"type\"");
  CAF_CHECK_EQUAL(reason(values_of(dec, R"({"type":"updated"})")),
                  "missing \"values\"");
}

CAF_TEST(extra_top_level_key_is_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK_EQUAL(
    reason(values_of(
      dec,
      R"({"type":"updated","values":{"id":1,"title":"t","post_id":2},"extra":1})")),
    "unexpected key \"extra\"");
  CAF_CHECK_EQUAL(
    reason(values_of(
      dec, R"({"Type":"updated","values":{"id":1,"title":"t","post_id":2}})")),
    "unexpected key \"Type\"");
}

CAF_TEST(repeated_top_level_key_is_rejected) {
  // Two "values" objects: which one counts would be a guess.
  auto dec = updated_decoder();
  CAF_CHECK(rejected(values_of(
    dec, R"({"type":"updated","values":{"id":1,"title":"a","post_id":2},)"
         R"("values":{"id":9,"title":"b","post_id":8}})")));
  CAF_CHECK(
    rejected(values_of(dec, R"({"type":"updated","type":"updated",)"
                            R"("values":{"id":1,"title":"a","post_id":2}})")));
}

CAF_TEST(wrong_type_is_rejected) {
  auto dec = updated_decoder();
  for (auto payload : {
         R"({"type":"inserted","values":{"id":1,"title":"t","post_id":2}})",
         R"({"type":"UPDATED","values":{"id":1,"title":"t","post_id":2}})",
         R"({"type":"","values":{"id":1,"title":"t","post_id":2}})",
         R"({"type":1,"values":{"id":1,"title":"t","post_id":2}})",
         R"({"type":null,"values":{"id":1,"title":"t","post_id":2}})",
         R"({"type":["updated"],"values":{"id":1,"title":"t","post_id":2}})",
       })
    CAF_CHECK_EQUAL(reason(values_of(dec, payload)),
                    "\"type\" is not \"updated\"");
}

CAF_TEST(values_that_are_not_an_object_are_rejected) {
  auto dec = updated_decoder();
  for (auto payload : {
         R"({"type":"updated","values":[1,"t",2]})",
         R"({"type":"updated","values":null})",
         R"({"type":"updated","values":"id=1"})",
         R"({"type":"updated","values":1})",
       })
    CAF_CHECK_EQUAL(reason(values_of(dec, payload)),
                    "\"values\" is not an object");
}

CAF_TEST(unknown_column_is_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK_EQUAL(
    reason(values_of(
      dec,
      R"({"type":"updated","values":{"id":1,"title":"t","post_id":2,"x":3}})")),
    "unexpected column \"x\"");
  CAF_CHECK_EQUAL(
    reason(values_of(
      dec, R"({"type":"updated","values":{"ID":1,"title":"t","post_id":2}})")),
    "unexpected column \"ID\"");
}

CAF_TEST(duplicate_column_is_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK_EQUAL(
    reason(values_of(
      dec,
      R"({"type":"updated","values":{"id":1,"title":"t","id":1,"post_id":2}})")),
    "column \"id\" appears twice");
}

CAF_TEST(missing_column_is_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK_EQUAL(
    reason(
      values_of(dec, R"({"type":"updated","values":{"id":1,"post_id":2}})")),
    "missing column \"title\"");
  CAF_CHECK_EQUAL(reason(values_of(dec, R"({"type":"updated","values":{}})")),
                  "missing column \"id\"");
}

CAF_TEST(null_primary_key_is_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK_EQUAL(
    reason(values_of(
      dec,
      R"({"type":"updated","values":{"id":null,"title":"t","post_id":2}})")),
    "primary key \"id\" is null");
  // Other columns may be null.
  auto res = values_of(
    dec, R"({"type":"updated","values":{"id":5,"title":null,"post_id":null}})");
  CAF_REQUIRE(res);
  CAF_CHECK((*res)[1].value.is_null());
  CAF_CHECK((*res)[2].value.is_null());
}

CAF_TEST(eight_kilobytes_of_junk_are_rejected) {
  auto dec = updated_decoder();
  CAF_CHECK(rejected(values_of(dec, std::string(7999, 'x'))));
  CAF_CHECK(rejected(values_of(dec, std::string(7999, '['))));
  CAF_CHECK(rejected(values_of(dec, std::string(7999, '{'))));
  CAF_CHECK(rejected(values_of(dec, std::string(7999, '\0'))));
  CAF_CHECK(rejected(values_of(dec, "{\"type\":\"updated\",\"values\":"
                                      + std::string(7970, '['))));
  std::mt19937 gen{20240601};
  std::uniform_int_distribution<int> byte{0, 255};
  for (int round = 0; round < 20; ++round) {
    std::string junk(7999, '\0');
    for (auto& c : junk)
      c = static_cast<char>(byte(gen));
    CAF_CHECK(rejected(values_of(dec, junk)));
  }
}

CAF_TEST(payload_close_to_the_notify_limit_decodes) {
  auto dec = updated_decoder();
  auto title = std::string(7900, 'a');
  auto res = values_of(dec, R"({"type":"updated","values":{"id":1,"title":")"
                              + title + R"(","post_id":2}})");
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(std::string{(*res)[1].value.as_string().value_or("")}, title);
}

CAF_TEST(decoder_is_reusable_after_an_error) {
  auto dec = updated_decoder();
  CAF_CHECK(rejected(values_of(dec, "{not json")));
  auto res = values_of(dec, good_updated);
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(column_names(*res), "id,title,post_id");
  CAF_CHECK(rejected(values_of(
    dec,
    R"({"type":"updated","values":{"id":1,"title":"t","id":1,"post_id":2}})")));
  CAF_CHECK(rejected(values_of(dec, std::string(7999, '['))));
  auto again = values_of(
    dec, R"({"type":"updated","values":{"id":3,"title":"u","post_id":4}})");
  CAF_REQUIRE(again);
  CAF_CHECK((*again)[0].value == value::of_integer(3));
  CAF_CHECK((*again)[1].value == value::of_string("u"));
}

CAF_TEST(moved_decoder_keeps_its_configuration) {
  auto dec = updated_decoder();
  payload_decoder moved{std::move(dec)};
  CAF_CHECK(values_of(moved, good_updated));
  payload_decoder other{event_kind::deleted, {"x"}};
  other = std::move(moved);
  auto res = values_of(other, good_updated);
  CAF_REQUIRE(res);
  CAF_CHECK_EQUAL(column_names(*res), "id,title,post_id");
}

CAF_TEST(reduced_payload_decodes_to_the_key_alone_and_says_so) {
  payload_decoder dec{event_kind::inserted, {"id", "body"}};
  auto row = dec.decode_one(
    R"({"type" : "inserted", "values" : {"id" : 7}, "reduced" : true})");
  CAF_REQUIRE(row);
  CAF_CHECK(row->reduced);
  CAF_REQUIRE_EQUAL(row->values.size(), 1u);
  CAF_CHECK_EQUAL(row->values[0].column, "id");
  CAF_CHECK_EQUAL(row->values[0].value.as_integer(), 7);
  auto full
    = dec.decode_one(R"({"type":"inserted","values":{"id":8,"body":"x"}})");
  CAF_REQUIRE(full);
  CAF_CHECK(!full->reduced);
}

CAF_TEST(reduced_payload_without_key_is_rejected_as_key_too_large) {
  payload_decoder dec{event_kind::inserted, {"id", "body"}};
  auto res = values_of(
    dec, R"({"type" : "inserted", "values" : {}, "reduced" : true})");
  CAF_REQUIRE(!res);
  CAF_CHECK(is(res.error(), errc::malformed_payload));
  CAF_CHECK(describe(res.error()).find("primary key is too large to notify")
            != std::string::npos);
}

CAF_TEST(reduced_payload_with_other_columns_or_false_flag_is_rejected) {
  payload_decoder dec{event_kind::inserted, {"id", "body"}};
  CAF_CHECK(!values_of(dec,
                       R"({"type":"inserted","values":{"id":1,"body":"b"},)"
                       R"("reduced":true})"));
  CAF_CHECK(!values_of(dec, R"({"type":"inserted","values":{"id":1},)"
                            R"("reduced":false})"));
  CAF_CHECK(!values_of(dec, R"({"type":"inserted","values":{"id":null},)"
                            R"("reduced":true})"));
  CAF_CHECK(!values_of(dec, R"({"type":"inserted","values":{"id":1},)"
                            R"("reduced":true,"reduced":true})"));
}

// -- chunks from statement-level triggers -------------------------------------

namespace {

std::vector<decoded_row> decode_chunk(payload_decoder& dec,
                                      std::string_view payload,
                                      std::string* why = nullptr) {
  std::vector<decoded_row> rows;
  auto err = dec.decode(payload, rows);
  if (err && why != nullptr)
    *why = describe(err);
  if (err)
    CAF_CHECK(rows.empty());
  return rows;
}

} // namespace

CAF_TEST(chunk_decodes_to_one_row_each_with_its_row_level_payload) {
  payload_decoder dec{event_kind::inserted, {"id", "owner_id"}};
  auto rows = decode_chunk(
    dec, R"({"type": "inserted", "rows": [{"id" : 1, "owner_id" : 2}, )"
         R"({"id" : 2, "owner_id" : null}]})");
  CAF_REQUIRE_EQUAL(rows.size(), 2u);
  CAF_CHECK_EQUAL(rows[0].values[0].value.as_integer(), 1);
  CAF_CHECK_EQUAL(rows[0].values[1].value.as_integer(), 2);
  CAF_CHECK_EQUAL(rows[1].values[0].value.as_integer(), 2);
  CAF_CHECK(rows[1].values[1].value.is_null());
  // Exactly what json_build_object('type', 'inserted', 'values', ...)
  // renders for the same row in row mode.
  CAF_CHECK_EQUAL(
    rows[0].raw,
    R"({"type" : "inserted", "values" : {"id" : 1, "owner_id" : 2}})");
  CAF_CHECK_EQUAL(
    rows[1].raw,
    R"({"type" : "inserted", "values" : {"id" : 2, "owner_id" : null}})");
  CAF_CHECK(!rows[0].reduced && !rows[1].reduced);
}

CAF_TEST(chunk_rows_keep_strings_with_json_punctuation_intact) {
  payload_decoder dec{event_kind::updated, {"id", "title"}};
  std::string first = R"({"id" : 1, "title" : "a, ]} \"q\" \\ [{"})";
  std::string second = R"({"id" : 2, "title" : {"nested" : [1, {"x" : ","}]}})";
  auto rows = decode_chunk(dec, "{ \"rows\" :\n[ " + first + " ,\t" + second
                                  + " ] , \"type\" : \"updated\" }");
  CAF_REQUIRE_EQUAL(rows.size(), 2u);
  CAF_CHECK_EQUAL(rows[0].values[1].value.as_string(),
                  std::string{R"(a, ]} "q" \ [{)"});
  CAF_CHECK_EQUAL(rows[0].raw,
                  R"({"type" : "updated", "values" : )" + first + "}");
  CAF_CHECK_EQUAL(rows[1].raw,
                  R"({"type" : "updated", "values" : )" + second + "}");
}

CAF_TEST(malformed_chunks_are_rejected_whole_with_the_reason) {
  payload_decoder dec{event_kind::inserted, {"id", "owner_id"}};
  auto reason_of = [&](std::string_view payload) {
    std::string why = "(decoded)";
    decode_chunk(dec, payload, &why);
    return why;
  };
  CAF_CHECK_EQUAL(reason_of(R"({"type":"inserted","rows":[]})"),
                  "\"rows\" is empty");
  CAF_CHECK_EQUAL(reason_of(R"({"type":"inserted","rows":{}})"),
                  "\"rows\" is not an array");
  CAF_CHECK_EQUAL(reason_of(R"({"type":"inserted","rows":[1]})"),
                  "row 0 is not an object");
  CAF_CHECK_EQUAL(
    reason_of(R"({"type":"inserted","rows":[{"id":1,"owner_id":2},{"id":2}]})"),
    "row 1: missing column \"owner_id\"");
  CAF_CHECK_EQUAL(
    reason_of(R"({"type":"inserted","rows":[{"id":null,"owner_id":2}]})"),
    "row 0: primary key \"id\" is null");
  CAF_CHECK_EQUAL(
    reason_of(R"({"type":"deleted","rows":[{"id":1,"owner_id":2}]})"),
    "\"type\" is not \"inserted\"");
  CAF_CHECK_EQUAL(
    reason_of(R"({"type":"inserted","rows":[{"id":1,)"
              R"("owner_id":2}],"values":{"id":1,"owner_id":2}})"),
    "\"rows\" cannot be combined with \"values\" or \"reduced\"");
  CAF_CHECK_EQUAL(reason_of(R"({"type":"inserted","rows":[{"id":1,)"
                            R"("owner_id":2}],"reduced":true})"),
                  "\"rows\" cannot be combined with \"values\" or \"reduced\"");
  CAF_CHECK_EQUAL(
    reason_of(R"({"type":"inserted","rows":[{"id":1,)"
              R"("owner_id":2}],"rows":[{"id":1,"owner_id":2}]})"),
    "\"rows\" appears twice");
  // simdjson unescapes keys; the span finder does not, so a key spelled
  // with escapes is refused rather than mis-split.
  CAF_CHECK_EQUAL(
    reason_of(R"({"type":"inserted","r\u006fws":[{"id":1,"owner_id":2}]})"),
    "\"rows\" could not be split into its elements");
  CAF_CHECK_EQUAL(reason_of(R"({"type":"inserted","rows":[{"id":1,)"
                            R"("owner_id":2}]})"),
                  "(decoded)");
}

CAF_TEST(decode_one_refuses_a_chunk_of_several_rows) {
  payload_decoder dec{event_kind::inserted, {"id"}};
  auto res
    = dec.decode_one(R"({"type":"inserted","rows":[{"id":1},{"id":2}]})");
  CAF_REQUIRE(!res);
  CAF_CHECK_EQUAL(describe(res.error()), "expected one row, got 2");
}
