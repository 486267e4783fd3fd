// Bounds-checked big-endian reads: values, strings, lengths, and errors that
// name the field and offset instead of reading past the end.
#define CAF_SUITE wal.byte_reader
#include <caf/test/unit_test.hpp>

#include "libwatch/wal/byte_reader.hpp"

#include <limits>

#include "libwatch/error.hpp"
#include "wal_test.hpp"

using namespace libwatch;
using namespace libwatch::wal;
using wal_test::contains;
using wal_test::reason;

CAF_TEST(integers_are_read_big_endian_and_signed_ones_keep_their_sign) {
  wal_test::bytes b;
  b.u8(0xAB)
    .i16(-2)
    .u32(0xDEADBEEF)
    .i32(-5)
    .u64(0x0102030405060708)
    .i64(std::numeric_limits<int64_t>::min());
  byte_reader in{b};
  uint8_t a = 0;
  int16_t c = 0;
  uint32_t d = 0;
  int32_t e = 0;
  uint64_t f = 0;
  int64_t g = 0;
  CAF_CHECK(!in.read_u8(a, "a"));
  CAF_CHECK(!in.read_i16(c, "c"));
  CAF_CHECK(!in.read_u32(d, "d"));
  CAF_CHECK(!in.read_i32(e, "e"));
  CAF_CHECK(!in.read_u64(f, "f"));
  CAF_CHECK(!in.read_i64(g, "g"));
  CAF_CHECK_EQUAL(a, 0xABu);
  CAF_CHECK_EQUAL(c, -2);
  CAF_CHECK_EQUAL(d, 0xDEADBEEFu);
  CAF_CHECK_EQUAL(e, -5);
  CAF_CHECK_EQUAL(f, 0x0102030405060708u);
  CAF_CHECK_EQUAL(g, std::numeric_limits<int64_t>::min());
  CAF_CHECK(in.at_end());
  CAF_CHECK(!in.expect_end("test"));
}

CAF_TEST(a_short_read_fails_with_field_offset_and_counts) {
  wal_test::bytes b;
  b.u8(1).u8(2).u8(3);
  byte_reader in{b, "ctx", 10};
  uint8_t x = 0;
  CAF_CHECK(!in.read_u8(x, "first"));
  uint32_t y = 0;
  auto msg = reason(in.read_u32(y, "relid"));
  CAF_CHECK(contains(msg, "ctx: truncated reading relid"));
  CAF_CHECK(contains(msg, "needs 4 bytes, 2 left"));
  CAF_CHECK(contains(msg, "at offset 11"));
  // A failed read consumes nothing.
  CAF_CHECK_EQUAL(in.remaining(), 2u);
}

CAF_TEST(every_read_fails_on_empty_input) {
  byte_reader in{std::string_view{}};
  uint8_t a;
  int16_t b;
  uint32_t c;
  int32_t d;
  uint64_t e;
  int64_t f;
  std::string_view g;
  CAF_CHECK(in.read_u8(a, "x"));
  CAF_CHECK(in.read_i16(b, "x"));
  CAF_CHECK(in.read_u32(c, "x"));
  CAF_CHECK(in.read_i32(d, "x"));
  CAF_CHECK(in.read_u64(e, "x"));
  CAF_CHECK(in.read_i64(f, "x"));
  CAF_CHECK(in.read_cstring(g, "x"));
  CAF_CHECK(in.read_bytes(1, g, "x"));
  CAF_CHECK(in.read_length_prefixed(g, "x"));
  CAF_CHECK(!in.read_bytes(0, g, "x"));
}

CAF_TEST(cstrings_end_at_their_nul_and_fail_without_one) {
  wal_test::bytes b;
  b.str("public").str("").raw("tail");
  byte_reader in{b};
  std::string_view s;
  CAF_CHECK(!in.read_cstring(s, "nsp"));
  CAF_CHECK_EQUAL(s, "public");
  CAF_CHECK(!in.read_cstring(s, "empty"));
  CAF_CHECK_EQUAL(s, "");
  CAF_CHECK_EQUAL(in.offset(), 8u);
  auto msg = reason(in.read_cstring(s, "name"));
  CAF_CHECK(contains(msg, "no NUL terminator for name"));
  CAF_CHECK(contains(msg, "at offset 8"));
}

CAF_TEST(length_prefixed_bytes_are_checked_against_what_is_left) {
  wal_test::bytes ok;
  ok.u32(3).raw("abc");
  byte_reader in{ok};
  std::string_view s;
  CAF_CHECK(!in.read_length_prefixed(s, "value"));
  CAF_CHECK_EQUAL(s, "abc");
  wal_test::bytes huge;
  huge.u32(0xFFFFFFFF).raw("abc");
  byte_reader in2{huge};
  auto msg = reason(in2.read_length_prefixed(s, "value"));
  CAF_CHECK(contains(msg, "value length 4294967295 exceeds the 3 bytes left"));
  CAF_CHECK(contains(msg, "at offset 0"));
}

CAF_TEST(expect_end_reports_trailing_bytes) {
  wal_test::bytes b;
  b.u8(1).u8(2);
  byte_reader in{b};
  uint8_t x;
  CAF_CHECK(!in.read_u8(x, "x"));
  auto msg = reason(in.expect_end("thing"));
  CAF_CHECK(contains(msg, "1 trailing bytes after a complete thing"));
}

CAF_TEST(describe_byte_shows_printable_characters) {
  CAF_CHECK_EQUAL(describe_byte('A'), "0x41 ('A')");
  CAF_CHECK_EQUAL(describe_byte(0), "0x00");
  CAF_CHECK_EQUAL(describe_byte(0xFF), "0xFF");
}

CAF_TEST(read_fields_reads_in_order_and_stops_at_the_first_missing_field) {
  wal_test::bytes b;
  b.u64(0x16B374D848).i64(0).str("app").u32(7);
  lsn pos;
  caf::timestamp ts;
  std::string name;
  uint32_t xid = 0;
  byte_reader in{b};
  CAF_CHECK(!read_fields(in, field(pos, "lsn"), field(ts, "time"),
                         field(name, "name"), field(xid, "xid")));
  CAF_CHECK_EQUAL(pos.value, 0x16B374D848u);
  CAF_CHECK_EQUAL(to_pg_time(ts), 0);
  CAF_CHECK_EQUAL(name, "app");
  CAF_CHECK_EQUAL(xid, 7u);
  byte_reader short_in{std::string_view{b}.substr(0, 10)};
  int32_t never = 5;
  auto msg = reason(read_fields(short_in, field(pos, "lsn"), field(ts, "time"),
                                field(never, "never")));
  CAF_CHECK(contains(msg, "truncated reading time"));
  CAF_CHECK_EQUAL(never, 5);
}
