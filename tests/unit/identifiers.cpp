// Tests SQL identifier/literal quoting, identifier rules, labels and UTF-8.
#define CAF_SUITE identifiers

#include "libwatch/identifiers.hpp"

#include <caf/test/unit_test.hpp>

#include <string>

using namespace libwatch;
using namespace std::string_literals;

namespace {

// The problem text, or "(none)" when the name is acceptable.
std::string problem_of(std::string_view name) {
  return identifier_problem(name).value_or("(none)");
}

std::string repeat(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i)
    out += unit;
  return out;
}

} // namespace

// -- quote_identifier ---------------------------------------------------------

CAF_TEST(plain_identifier_is_wrapped_in_double_quotes) {
  CAF_CHECK_EQUAL(quote_identifier("posts"), "\"posts\"");
  CAF_CHECK_EQUAL(quote_identifier("a"), "\"a\"");
}

CAF_TEST(identifier_keeps_mixed_case_and_spaces) {
  CAF_CHECK_EQUAL(quote_identifier("My Table"), "\"My Table\"");
  CAF_CHECK_EQUAL(quote_identifier("CamelCase"), "\"CamelCase\"");
  CAF_CHECK_EQUAL(quote_identifier(" lead and trail "), "\" lead and trail \"");
}

CAF_TEST(double_quote_in_identifier_is_doubled) {
  CAF_CHECK_EQUAL(quote_identifier("a\"b"), "\"a\"\"b\"");
  CAF_CHECK_EQUAL(quote_identifier("\""), "\"\"\"\"");
  CAF_CHECK_EQUAL(quote_identifier("\"\""), "\"\"\"\"\"\"");
  CAF_CHECK_EQUAL(quote_identifier("x\"; DROP TABLE t; --"),
                  "\"x\"\"; DROP TABLE t; --\"");
}

CAF_TEST(semicolons_comments_and_dollar_quotes_stay_inside_quoted_identifier) {
  CAF_CHECK_EQUAL(quote_identifier("a;b"), "\"a;b\"");
  CAF_CHECK_EQUAL(quote_identifier("a--b"), "\"a--b\"");
  CAF_CHECK_EQUAL(quote_identifier("/* c */"), "\"/* c */\"");
  CAF_CHECK_EQUAL(quote_identifier("$$x$$"), "\"$$x$$\"");
  CAF_CHECK_EQUAL(quote_identifier("$lw$"), "\"$lw$\"");
  CAF_CHECK_EQUAL(quote_identifier("it's"), "\"it's\"");
}

CAF_TEST(backslash_in_identifier_is_kept_as_is) {
  // Quoted identifiers know no backslash escapes.
  CAF_CHECK_EQUAL(quote_identifier("a\\b"), "\"a\\b\"");
  CAF_CHECK_EQUAL(quote_identifier("\\\""), "\"\\\"\"\"");
}

CAF_TEST(unicode_identifier_bytes_are_kept_unchanged) {
  CAF_CHECK_EQUAL(quote_identifier("Ünïcødé 表"), "\"Ünïcødé 表\"");
  CAF_CHECK_EQUAL(quote_identifier("\xF0\x9F\x98\x80"), "\"\xF0\x9F\x98\x80\"");
}

// -- quote_literal ------------------------------------------------------------

CAF_TEST(plain_literal_is_wrapped_in_single_quotes) {
  CAF_CHECK_EQUAL(quote_literal("abc"), "'abc'");
  CAF_CHECK_EQUAL(quote_literal(""), "''");
  CAF_CHECK_EQUAL(quote_literal("Ünï 表"), "'Ünï 表'");
}

CAF_TEST(single_quote_in_literal_is_doubled) {
  CAF_CHECK_EQUAL(quote_literal("it's"), "'it''s'");
  CAF_CHECK_EQUAL(quote_literal("'"), "''''");
  CAF_CHECK_EQUAL(quote_literal("'; DROP TABLE x; --"),
                  "'''; DROP TABLE x; --'");
}

CAF_TEST(literal_without_backslash_has_no_e_prefix) {
  CAF_CHECK_EQUAL(quote_literal("$$"), "'$$'");
  CAF_CHECK_EQUAL(quote_literal("a\"b"), "'a\"b'");
  CAF_CHECK_EQUAL(quote_literal("E"), "'E'");
}

CAF_TEST(literal_with_backslash_uses_e_string_with_backslashes_doubled) {
  CAF_CHECK_EQUAL(quote_literal("a\\b"), "E'a\\\\b'");
  CAF_CHECK_EQUAL(quote_literal("\\"), "E'\\\\'");
  // A backslash before a quote must not escape the (doubled) quote.
  CAF_CHECK_EQUAL(quote_literal("\\'"), "E'\\\\'''");
  CAF_CHECK_EQUAL(quote_literal("x\\'; DROP TABLE t; --"),
                  "E'x\\\\''; DROP TABLE t; --'");
}

// -- identifier_problem -------------------------------------------------------

CAF_TEST(ordinary_identifiers_have_no_problem) {
  CAF_CHECK_EQUAL(problem_of("posts"), "(none)");
  CAF_CHECK_EQUAL(problem_of("My Table"), "(none)");
  CAF_CHECK_EQUAL(problem_of("x\"; DROP TABLE t; --"), "(none)");
  CAF_CHECK_EQUAL(problem_of("$$"), "(none)");
  CAF_CHECK_EQUAL(problem_of("a\\b"), "(none)");
  CAF_CHECK_EQUAL(problem_of("表"), "(none)");
}

CAF_TEST(empty_identifier_is_rejected) {
  CAF_CHECK_EQUAL(problem_of(""), "must not be empty");
}

CAF_TEST(identifier_with_nul_byte_is_rejected) {
  CAF_CHECK_EQUAL(problem_of("a\0b"s), "must not contain a NUL byte");
  CAF_CHECK_EQUAL(problem_of("\0"s), "must not contain a NUL byte");
  CAF_CHECK_EQUAL(problem_of("abc\0"s), "must not contain a NUL byte");
}

CAF_TEST(identifier_with_invalid_utf8_is_rejected) {
  CAF_CHECK_EQUAL(problem_of("\xFF"), "must be valid UTF-8");
  CAF_CHECK_EQUAL(problem_of("a\x80"
                             "b"),
                  "must be valid UTF-8");
  CAF_CHECK_EQUAL(problem_of("caf\xC3"), "must be valid UTF-8");
  CAF_CHECK_EQUAL(problem_of("\xC0\x80"), "must be valid UTF-8");
  CAF_CHECK_EQUAL(problem_of("\xED\xA0\x80"), "must be valid UTF-8");
}

CAF_TEST(identifier_of_exactly_63_bytes_is_accepted) {
  auto name = std::string(63, 'a');
  CAF_CHECK_EQUAL(max_identifier_bytes, 63u);
  CAF_CHECK_EQUAL(problem_of(name), "(none)");
}

CAF_TEST(identifier_of_64_bytes_is_rejected_naming_its_length) {
  CAF_CHECK_EQUAL(problem_of(std::string(64, 'a')),
                  "is 64 bytes long; PostgreSQL names are at most 63 bytes");
  CAF_CHECK_EQUAL(problem_of(std::string(200, 'x')),
                  "is 200 bytes long; PostgreSQL names are at most 63 bytes");
}

CAF_TEST(multibyte_identifier_length_is_counted_in_bytes) {
  // 21 three-byte characters are 63 bytes: fine.
  CAF_CHECK_EQUAL(problem_of(repeat("表", 21)), "(none)");
  // 22 of them are only 22 characters but 66 bytes.
  CAF_CHECK_EQUAL(problem_of(repeat("表", 22)),
                  "is 66 bytes long; PostgreSQL names are at most 63 bytes");
  // 31 two-byte characters plus one ASCII byte: 63 bytes.
  CAF_CHECK_EQUAL(problem_of(repeat("é", 31) + "a"), "(none)");
  // 32 two-byte characters: 64 bytes.
  CAF_CHECK_EQUAL(problem_of(repeat("é", 32)),
                  "is 64 bytes long; PostgreSQL names are at most 63 bytes");
  // 15 four-byte characters plus three ASCII bytes: 63 bytes.
  CAF_CHECK_EQUAL(problem_of(repeat("\xF0\x9F\x98\x80", 15) + "abc"), "(none)");
}

// -- is_valid_label -----------------------------------------------------------

CAF_TEST(lower_case_labels_with_digits_and_underscores_are_valid) {
  for (auto label : {"a", "_", "posts", "post_2", "_x9", "abc_def_123", "z0"})
    CAF_CHECK(is_valid_label(label));
}

CAF_TEST(labels_outside_the_plain_pattern_are_invalid) {
  CAF_CHECK(!is_valid_label(""));
  CAF_CHECK(!is_valid_label("Posts"));
  CAF_CHECK(!is_valid_label("posTs"));
  CAF_CHECK(!is_valid_label("9abc"));
  CAF_CHECK(!is_valid_label("0"));
  CAF_CHECK(!is_valid_label("post-2"));
  CAF_CHECK(!is_valid_label("post 2"));
  CAF_CHECK(!is_valid_label("a.b"));
  CAF_CHECK(!is_valid_label("a$"));
  CAF_CHECK(!is_valid_label("a\"b"));
  CAF_CHECK(!is_valid_label("posts\n"));
  CAF_CHECK(!is_valid_label("p\xC3\xB6st"));
  CAF_CHECK(!is_valid_label("a\0b"s));
}

// -- is_valid_utf8 ------------------------------------------------------------

CAF_TEST(well_formed_utf8_is_accepted) {
  CAF_CHECK(is_valid_utf8(""));
  CAF_CHECK(is_valid_utf8("plain ascii"));
  CAF_CHECK(is_valid_utf8("\xC3\xA9"));         // é, 2 bytes
  CAF_CHECK(is_valid_utf8("\xE8\xA1\xA8"));     // 表, 3 bytes
  CAF_CHECK(is_valid_utf8("\xF0\x9F\x98\x80")); // U+1F600, 4 bytes
  CAF_CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF")); // U+10FFFF, the last one
  CAF_CHECK(is_valid_utf8("\xC2\x80"));         // U+0080, smallest 2-byte
  CAF_CHECK(is_valid_utf8("\xEF\xBF\xBF"));     // U+FFFF
  CAF_CHECK(is_valid_utf8("a\xC3\xA9z"));
}

CAF_TEST(malformed_utf8_is_rejected) {
  CAF_CHECK(!is_valid_utf8("\x80"));            // lone continuation byte
  CAF_CHECK(!is_valid_utf8("\xE8\xA1"));        // truncated 3-byte
  CAF_CHECK(!is_valid_utf8("abc\xF0\x9F\x98")); // truncated at the end
  CAF_CHECK(!is_valid_utf8("\xC3"
                           "a"));                // bad continuation
  CAF_CHECK(!is_valid_utf8("\xC0\xAF"));         // overlong '/'
  CAF_CHECK(!is_valid_utf8("\xE0\x80\x80"));     // overlong NUL
  CAF_CHECK(!is_valid_utf8("\xF0\x80\x80\x80")); // overlong NUL
  CAF_CHECK(!is_valid_utf8("\xED\xA0\x80"));     // surrogate U+D800
  CAF_CHECK(!is_valid_utf8("\xED\xBF\xBF"));     // surrogate U+DFFF
  CAF_CHECK(!is_valid_utf8("\xF4\x90\x80\x80")); // U+110000
  CAF_CHECK(!is_valid_utf8("\xF8\x88\x80\x80\x80"));
  CAF_CHECK(!is_valid_utf8("\xFE"));
  CAF_CHECK(!is_valid_utf8("\xFF"));
}
