// Tests libwatch::value: kinds, typed accessors, text/JSON forms, equality.
#define CAF_SUITE value

#include "libwatch/value.hpp"

#include <caf/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace libwatch;
using namespace std::string_literals;

namespace {

template <class T>
bool is_none(const std::optional<T>& x) {
  return !x.has_value();
}

std::string text_or_none(const std::optional<std::string_view>& x) {
  return x ? std::string{*x} : "(none)";
}

} // namespace

CAF_TEST(default_value_is_null) {
  value v;
  CAF_CHECK(v.is_null());
  CAF_CHECK(v.type() == value::kind::null);
  CAF_CHECK(is_none(v.as_bool()));
  CAF_CHECK(is_none(v.as_integer()));
  CAF_CHECK(is_none(v.as_double()));
  CAF_CHECK(is_none(v.as_string()));
  CAF_CHECK(is_none(v.as_json()));
}

CAF_TEST(each_factory_sets_its_kind) {
  CAF_CHECK(value::of_bool(false).type() == value::kind::boolean);
  CAF_CHECK(value::of_integer(0).type() == value::kind::integer);
  CAF_CHECK(value::of_float(0.0).type() == value::kind::floating);
  CAF_CHECK(value::of_string("").type() == value::kind::string);
  CAF_CHECK(value::of_json("[]").type() == value::kind::json);
  CAF_CHECK(!value::of_bool(false).is_null());
  CAF_CHECK(!value::of_integer(0).is_null());
  CAF_CHECK(!value::of_string("").is_null());
  CAF_CHECK(!value::of_string("null").is_null());
}

CAF_TEST(accessors_return_the_value_of_their_own_kind) {
  CAF_CHECK(value::of_bool(true).as_bool() == std::optional<bool>{true});
  CAF_CHECK(value::of_bool(false).as_bool() == std::optional<bool>{false});
  CAF_CHECK(value::of_integer(-42).as_integer() == std::optional<int64_t>{-42});
  CAF_CHECK(value::of_integer(INT64_MAX).as_integer()
            == std::optional<int64_t>{INT64_MAX});
  CAF_CHECK(value::of_float(2.5).as_double() == std::optional<double>{2.5});
  CAF_CHECK_EQUAL(text_or_none(value::of_string("abc").as_string()), "abc");
  CAF_CHECK_EQUAL(text_or_none(value::of_string("a\0b"s).as_string()), "a\0b"s);
  CAF_CHECK_EQUAL(text_or_none(value::of_json("{\"a\":1}").as_json()),
                  "{\"a\":1}");
}

CAF_TEST(accessors_return_nothing_for_other_kinds) {
  auto b = value::of_bool(true);
  CAF_CHECK(is_none(b.as_integer()));
  CAF_CHECK(is_none(b.as_double()));
  CAF_CHECK(is_none(b.as_string()));
  CAF_CHECK(is_none(b.as_json()));
  auto i = value::of_integer(1);
  CAF_CHECK(is_none(i.as_bool()));
  CAF_CHECK(is_none(i.as_string()));
  CAF_CHECK(is_none(i.as_json()));
  auto f = value::of_float(1.0);
  CAF_CHECK(is_none(f.as_bool()));
  CAF_CHECK(is_none(f.as_integer()));
  CAF_CHECK(is_none(f.as_string()));
  CAF_CHECK(is_none(f.as_json()));
  auto s = value::of_string("7");
  CAF_CHECK(is_none(s.as_bool()));
  CAF_CHECK(is_none(s.as_integer()));
  CAF_CHECK(is_none(s.as_double()));
  CAF_CHECK(is_none(s.as_json()));
  auto j = value::of_json("[1]");
  CAF_CHECK(is_none(j.as_bool()));
  CAF_CHECK(is_none(j.as_integer()));
  CAF_CHECK(is_none(j.as_double()));
  CAF_CHECK(is_none(j.as_string()));
}

CAF_TEST(as_double_converts_integers) {
  CAF_CHECK(value::of_integer(-3).as_double() == std::optional<double>{-3.0});
  CAF_CHECK(value::of_integer(0).as_double() == std::optional<double>{0.0});
  CAF_CHECK(value::of_integer(int64_t{1} << 53).as_double()
            == std::optional<double>{9007199254740992.0});
  CAF_CHECK(value::of_float(-0.5).as_double() == std::optional<double>{-0.5});
}

CAF_TEST(to_text_spells_null_booleans_and_integers) {
  CAF_CHECK_EQUAL(value{}.to_text(), "null");
  CAF_CHECK_EQUAL(value::of_bool(true).to_text(), "true");
  CAF_CHECK_EQUAL(value::of_bool(false).to_text(), "false");
  CAF_CHECK_EQUAL(value::of_integer(7).to_text(), "7");
  CAF_CHECK_EQUAL(value::of_integer(0).to_text(), "0");
  CAF_CHECK_EQUAL(value::of_integer(-42).to_text(), "-42");
  CAF_CHECK_EQUAL(value::of_integer(INT64_MIN).to_text(),
                  "-9223372036854775808");
  CAF_CHECK_EQUAL(value::of_integer(INT64_MAX).to_text(),
                  "9223372036854775807");
}

CAF_TEST(to_text_spells_floats_in_shortest_round_trip_form) {
  CAF_CHECK_EQUAL(value::of_float(1.5).to_text(), "1.5");
  CAF_CHECK_EQUAL(value::of_float(0.1).to_text(), "0.1");
  CAF_CHECK_EQUAL(value::of_float(-2.25).to_text(), "-2.25");
  CAF_CHECK_EQUAL(value::of_float(100.0).to_text(), "100");
  CAF_CHECK_EQUAL(value::of_float(1e21).to_text(), "1e+21");
  CAF_CHECK_EQUAL(value::of_float(0.1 + 0.2).to_text(), "0.30000000000000004");
  auto third = 1.0 / 3.0;
  CAF_CHECK(std::stod(value::of_float(third).to_text()) == third);
}

CAF_TEST(to_text_of_strings_and_json_is_the_text_itself) {
  CAF_CHECK_EQUAL(value::of_string("a \"b\" \\ c").to_text(), "a \"b\" \\ c");
  CAF_CHECK_EQUAL(value::of_string("").to_text(), "");
  CAF_CHECK_EQUAL(value::of_string("null").to_text(), "null");
  CAF_CHECK_EQUAL(value::of_string("é表").to_text(), "é表");
  CAF_CHECK_EQUAL(value::of_json("{\"a\":[1,2]}").to_text(), "{\"a\":[1,2]}");
}

CAF_TEST(to_json_quotes_and_escapes_strings) {
  CAF_CHECK_EQUAL(value::of_string("abc").to_json(), "\"abc\"");
  CAF_CHECK_EQUAL(value::of_string("").to_json(), "\"\"");
  CAF_CHECK_EQUAL(value::of_string("say \"hi\"").to_json(),
                  "\"say \\\"hi\\\"\"");
  CAF_CHECK_EQUAL(value::of_string("a\\b").to_json(), "\"a\\\\b\"");
  CAF_CHECK_EQUAL(value::of_string("l1\nl2\r\tx").to_json(),
                  "\"l1\\nl2\\r\\tx\"");
  CAF_CHECK_EQUAL(value::of_string("\x01").to_json(), "\"\\u0001\"");
  CAF_CHECK_EQUAL(value::of_string("\x1f").to_json(), "\"\\u001f\"");
  CAF_CHECK_EQUAL(value::of_string("\0"s).to_json(), "\"\\u0000\"");
  CAF_CHECK_EQUAL(value::of_string("\b\f").to_json(), "\"\\u0008\\u000c\"");
  // Multibyte UTF-8 and '/' pass through unchanged.
  CAF_CHECK_EQUAL(value::of_string("é表/").to_json(), "\"é表/\"");
}

CAF_TEST(to_json_of_non_strings_is_their_json_text) {
  CAF_CHECK_EQUAL(value{}.to_json(), "null");
  CAF_CHECK_EQUAL(value::of_bool(true).to_json(), "true");
  CAF_CHECK_EQUAL(value::of_integer(7).to_json(), "7");
  CAF_CHECK_EQUAL(value::of_integer(-7).to_json(), "-7");
  CAF_CHECK_EQUAL(value::of_float(0.5).to_json(), "0.5");
  CAF_CHECK_EQUAL(value::of_json("[1,\"x\"]").to_json(), "[1,\"x\"]");
  CAF_CHECK_EQUAL(to_string(value::of_string("q\"")), "\"q\\\"\"");
  CAF_CHECK_EQUAL(to_string(value::of_integer(3)), "3");
}

CAF_TEST(equal_values_compare_equal) {
  CAF_CHECK(value{} == value{});
  CAF_CHECK(value::of_bool(true) == value::of_bool(true));
  CAF_CHECK(value::of_integer(7) == value::of_integer(7));
  CAF_CHECK(value::of_float(1.25) == value::of_float(1.25));
  CAF_CHECK(value::of_string("x") == value::of_string("x"));
  CAF_CHECK(value::of_json("[1]") == value::of_json("[1]"));
  CAF_CHECK(!(value::of_integer(7) != value::of_integer(7)));
}

CAF_TEST(values_of_different_content_or_kind_differ) {
  CAF_CHECK(value::of_integer(7) != value::of_integer(8));
  CAF_CHECK(value::of_bool(true) != value::of_bool(false));
  CAF_CHECK(value::of_string("x") != value::of_string("y"));
  CAF_CHECK(value::of_float(1.0) != value::of_float(1.5));
  CAF_CHECK(value::of_json("[1]") != value::of_json("[2]"));
  // Same text, different kind.
  CAF_CHECK(value::of_integer(7) != value::of_string("7"));
  CAF_CHECK(value::of_integer(7) != value::of_float(7.0));
  CAF_CHECK(value::of_integer(1) != value::of_bool(true));
  CAF_CHECK(value::of_integer(0) != value::of_bool(false));
  CAF_CHECK(value{} != value::of_string("null"));
  CAF_CHECK(value{} != value::of_integer(0));
  CAF_CHECK(value::of_string("[1]") != value::of_json("[1]"));
  CAF_CHECK(value::of_string("") != value{});
}

CAF_TEST(kind_names_are_spelled_out) {
  CAF_CHECK_EQUAL(to_string(value::kind::null), "null");
  CAF_CHECK_EQUAL(to_string(value::kind::boolean), "boolean");
  CAF_CHECK_EQUAL(to_string(value::kind::integer), "integer");
  CAF_CHECK_EQUAL(to_string(value::kind::floating), "floating");
  CAF_CHECK_EQUAL(to_string(value::kind::string), "string");
  CAF_CHECK_EQUAL(to_string(value::kind::json), "json");
}
