// pgoutput v1 messages as WAL-NOTES §4 lists them, and every way a message
// can be malformed.
#define CAF_SUITE wal.pgoutput
#include <caf/test/unit_test.hpp>

#include "libwatch/wal/pgoutput.hpp"

#include <vector>

#include "libwatch/error.hpp"
#include "wal_test.hpp"

using namespace libwatch;
using namespace libwatch::wal;

namespace {

using wal_test::bytes;
using wal_test::contains;

template <class T>
T decoded(std::string_view input) {
  auto res = decode_pgoutput(input);
  if (!res)
    CAF_FAIL("decoding failed: " << describe(res.error()));
  auto* x = std::get_if<T>(&*res);
  if (x == nullptr)
    CAF_FAIL("decoded to the wrong message type " << res->index());
  return std::move(*x);
}

std::string reason(std::string_view input) {
  return wal_test::reason(decode_pgoutput(input));
}

bytes begin_msg() {
  return bytes{}.u8('B').u64(0x16B374D848).i64(817'000'000'123'456).u32(741);
}

bytes commit_msg() {
  return bytes{}.u8('C').u8(0).u64(0x100).u64(0x180).i64(42);
}

bytes relation_msg() {
  return bytes{}
    .u8('R')
    .u32(16385)
    .str("public")
    .str("t_def")
    .u8('f')
    .i16(2)
    .u8(1)
    .str("id")
    .u32(23)
    .i32(-1)
    .u8(0)
    .str("price")
    .u32(1700)
    .i32(655366);
}

bytes update_k_n() {
  return bytes{}
    .u8('U')
    .u32(16385)
    .u8('K')
    .i16(3)
    .text("1")
    .u8('n')
    .u8('n')
    .u8('N')
    .i16(3)
    .text("11")
    .text("v")
    .u8('u');
}

bytes delete_o() {
  return bytes{}.u8('D').u32(16385).u8('O').i16(2).text("1").text("\x01{}",
                                                                  'b');
}

bytes truncate_msg() {
  return bytes{}.u8('T').u32(2).u8(3).u32(16385).u32(16390);
}

bytes message_msg() {
  return bytes{}.u8('M').u8(1).u64(0x200).str("app").u32(5).raw("hello");
}

// One valid message of every type.
std::vector<bytes> all_messages() {
  return {begin_msg(),
          commit_msg(),
          bytes{}.u8('O').u64(0x300).str("origin_a"),
          relation_msg(),
          bytes{}.u8('Y').u32(16400).str("public").str("mood"),
          bytes{}.u8('I').u32(16385).u8('N').i16(1).text("x"),
          update_k_n(),
          delete_o(),
          truncate_msg(),
          message_msg()};
}

} // namespace

CAF_TEST(begin_carries_final_lsn_commit_time_and_xid) {
  auto x = decoded<begin_message>(begin_msg());
  CAF_CHECK_EQUAL(x.final_lsn.value, 0x16B374D848u);
  CAF_CHECK_EQUAL(to_pg_time(x.commit_ts), 817'000'000'123'456);
  CAF_CHECK_EQUAL(x.xid, 741u);
}

CAF_TEST(commit_carries_flags_lsns_and_time) {
  auto x = decoded<commit_message>(commit_msg());
  CAF_CHECK_EQUAL(x.flags, 0u);
  CAF_CHECK_EQUAL(x.commit_lsn.value, 0x100u);
  CAF_CHECK_EQUAL(x.end_lsn.value, 0x180u);
  CAF_CHECK_EQUAL(to_pg_time(x.commit_ts), 42);
}

CAF_TEST(origin_carries_lsn_and_name) {
  auto x = decoded<origin_message>(bytes{}.u8('O').u64(0x300).str("o1"));
  CAF_CHECK_EQUAL(x.origin_lsn.value, 0x300u);
  CAF_CHECK_EQUAL(x.name, "o1");
}

CAF_TEST(relation_carries_identity_and_columns_with_key_flags) {
  auto x = decoded<relation_message>(relation_msg());
  CAF_CHECK_EQUAL(x.relid, 16385u);
  CAF_CHECK_EQUAL(x.nspname, "public");
  CAF_CHECK_EQUAL(x.relname, "t_def");
  CAF_CHECK(x.identity == replica_identity::full);
  CAF_REQUIRE_EQUAL(x.columns.size(), 2u);
  CAF_CHECK(x.columns[0].is_key());
  CAF_CHECK_EQUAL(x.columns[0].name, "id");
  CAF_CHECK_EQUAL(x.columns[0].type_oid, 23u);
  CAF_CHECK_EQUAL(x.columns[0].typmod, -1);
  CAF_CHECK(!x.columns[1].is_key());
  CAF_CHECK_EQUAL(x.columns[1].name, "price");
  CAF_CHECK_EQUAL(x.columns[1].type_oid, 1700u);
  CAF_CHECK_EQUAL(x.columns[1].typmod, 655366);
}

CAF_TEST(relation_accepts_each_replica_identity) {
  for (char c : {'d', 'f', 'i', 'n'}) {
    auto b = bytes{}.u8('R').u32(1).str("s").str("t").u8(c).i16(0);
    CAF_CHECK(decoded<relation_message>(b).identity
              == static_cast<replica_identity>(c));
  }
}

CAF_TEST(relation_with_a_bad_replica_identity_is_rejected) {
  auto b = bytes{}.u8('R').u32(1).str("s").str("t").u8('x').i16(0);
  auto msg = reason(b);
  CAF_CHECK(contains(msg, "pgoutput Relation: unknown replica identity"));
  CAF_CHECK(contains(msg, "0x78 ('x')"));
  CAF_CHECK(contains(msg, "at offset 9"));
}

CAF_TEST(type_carries_oid_namespace_and_name) {
  auto x = decoded<type_message>(
    bytes{}.u8('Y').u32(16400).str("public").str("mood"));
  CAF_CHECK_EQUAL(x.type_oid, 16400u);
  CAF_CHECK_EQUAL(x.nspname, "public");
  CAF_CHECK_EQUAL(x.name, "mood");
}

CAF_TEST(insert_carries_its_new_tuple_in_every_column_kind) {
  auto x = decoded<insert_message>(bytes{}
                                     .u8('I')
                                     .u32(7)
                                     .u8('N')
                                     .i16(4)
                                     .text("42")
                                     .u8('n')
                                     .text(std::string("\0\x01", 2), 'b')
                                     .text(""));
  CAF_CHECK_EQUAL(x.relid, 7u);
  CAF_REQUIRE_EQUAL(x.new_tuple.size(), 4u);
  CAF_CHECK(x.new_tuple[0].kind == column_kind::text);
  CAF_CHECK_EQUAL(x.new_tuple[0].data, "42");
  CAF_CHECK(x.new_tuple[1].kind == column_kind::null);
  CAF_CHECK(x.new_tuple[2].kind == column_kind::binary);
  CAF_CHECK_EQUAL(x.new_tuple[2].data, std::string("\0\x01", 2));
  CAF_CHECK(x.new_tuple[3].kind == column_kind::text);
  CAF_CHECK_EQUAL(x.new_tuple[3].data, "");
}

CAF_TEST(update_with_key_tuple_keeps_unchanged_toast_apart_from_null) {
  auto x = decoded<update_message>(update_k_n());
  CAF_CHECK_EQUAL(x.relid, 16385u);
  CAF_REQUIRE(x.old.has_value());
  CAF_CHECK(x.old->kind == old_tuple_kind::key);
  CAF_REQUIRE_EQUAL(x.old->values.size(), 3u);
  CAF_CHECK_EQUAL(x.old->values[0].data, "1");
  CAF_CHECK(x.old->values[1].kind == column_kind::null);
  CAF_REQUIRE_EQUAL(x.new_tuple.size(), 3u);
  CAF_CHECK_EQUAL(x.new_tuple[0].data, "11");
  CAF_CHECK(x.new_tuple[2].kind == column_kind::unchanged_toast);
  CAF_CHECK(x.new_tuple[2].kind != column_kind::null);
}

CAF_TEST(update_without_old_tuple_has_none) {
  auto x = decoded<update_message>(
    bytes{}.u8('U').u32(5).u8('N').i16(2).text("1").u8('u'));
  CAF_CHECK(!x.old.has_value());
  CAF_REQUIRE_EQUAL(x.new_tuple.size(), 2u);
  CAF_CHECK(x.new_tuple[1].kind == column_kind::unchanged_toast);
}

CAF_TEST(update_with_full_old_tuple_is_kind_o) {
  auto x = decoded<update_message>(
    bytes{}.u8('U').u32(5).u8('O').i16(1).text("a").u8('N').i16(1).text("b"));
  CAF_REQUIRE(x.old.has_value());
  CAF_CHECK(x.old->kind == old_tuple_kind::full);
  CAF_CHECK_EQUAL(x.old->values[0].data, "a");
  CAF_CHECK_EQUAL(x.new_tuple[0].data, "b");
}

CAF_TEST(update_needs_n_after_the_old_tuple) {
  auto msg = reason(
    bytes{}.u8('U').u32(5).u8('K').i16(1).text("a").u8('K').i16(1).text("b"));
  CAF_CHECK(contains(msg, "unexpected tuple marker 0x4B ('K'), expected 'N'"));
}

CAF_TEST(delete_with_full_old_tuple_is_kind_o) {
  auto x = decoded<delete_message>(delete_o());
  CAF_CHECK_EQUAL(x.relid, 16385u);
  CAF_CHECK(x.old.kind == old_tuple_kind::full);
  CAF_REQUIRE_EQUAL(x.old.values.size(), 2u);
  CAF_CHECK(x.old.values[1].kind == column_kind::binary);
  CAF_CHECK_EQUAL(x.old.values[1].data, "\x01{}");
}

CAF_TEST(delete_and_insert_reject_the_wrong_tuple_marker) {
  CAF_CHECK(contains(reason(bytes{}.u8('D').u32(1).u8('N').i16(0)),
                     "expected 'K' or 'O'"));
  CAF_CHECK(contains(reason(bytes{}.u8('I').u32(1).u8('K').i16(0)),
                     "pgoutput Insert: unexpected tuple marker 0x4B ('K'), "
                     "expected 'N' at offset 5"));
  CAF_CHECK(contains(reason(bytes{}.u8('U').u32(1).u8('X').i16(0)),
                     "expected 'K', 'O' or 'N'"));
}

CAF_TEST(truncate_carries_options_and_every_relid) {
  auto x = decoded<truncate_message>(truncate_msg());
  CAF_CHECK_EQUAL(x.options, 3u);
  CAF_REQUIRE_EQUAL(x.relids.size(), 2u);
  CAF_CHECK_EQUAL(x.relids[0], 16385u);
  CAF_CHECK_EQUAL(x.relids[1], 16390u);
}

CAF_TEST(truncate_relation_count_must_match_the_bytes) {
  auto more = bytes{}.u8('T').u32(3).u8(0).u32(1).u32(2);
  CAF_CHECK(contains(reason(more), "relation count 3 does not match the 8"));
  auto fewer = bytes{}.u8('T').u32(1).u8(0).u32(1).u32(2);
  CAF_CHECK(contains(reason(fewer), "relation count 1 does not match"));
  auto huge = bytes{}.u8('T').u32(0xFFFFFFFF).u8(0);
  CAF_CHECK(contains(reason(huge), "relation count 4294967295"));
}

CAF_TEST(message_carries_flags_lsn_prefix_and_content) {
  auto x = decoded<logical_message>(message_msg());
  CAF_CHECK_EQUAL(x.flags, 1u);
  CAF_CHECK_EQUAL(x.message_lsn.value, 0x200u);
  CAF_CHECK_EQUAL(x.prefix, "app");
  CAF_CHECK_EQUAL(x.content, "hello");
}

CAF_TEST(every_message_truncated_anywhere_is_rejected) {
  for (auto& msg : all_messages()) {
    for (size_t n = 0; n < msg.out.size(); ++n) {
      auto text = reason(msg.out.substr(0, n));
      if (text == "(decoded)" || text.empty())
        CAF_FAIL("prefix of " << n << " bytes of '" << msg.out[0]
                              << "' was accepted");
    }
  }
}

CAF_TEST(every_message_with_trailing_bytes_is_rejected) {
  for (auto msg : all_messages()) {
    msg.u8(0);
    // Truncate's relids fill the rest, so its count check fires first.
    auto expected = msg.out[0] == 'T' ? "relation count 2 does not match the 9"
                                      : "1 trailing bytes after a complete";
    CAF_CHECK(contains(reason(msg), expected));
  }
}

CAF_TEST(unknown_message_tags_are_rejected_by_name) {
  CAF_CHECK(
    contains(reason("S\0\0"), "pgoutput: unknown message tag 0x53 ('S')"));
  CAF_CHECK(contains(reason(""), "truncated reading message tag"));
}

CAF_TEST(unknown_tuple_column_kinds_are_rejected_with_column_and_offset) {
  auto msg = reason(bytes{}.u8('I').u32(1).u8('N').i16(2).u8('n').u8('x'));
  CAF_CHECK(contains(msg, "unknown tuple column kind 0x78 ('x') for column 1"));
  CAF_CHECK(contains(msg, "at offset 9"));
}

CAF_TEST(negative_counts_are_rejected) {
  CAF_CHECK(contains(reason(bytes{}.u8('I').u32(1).u8('N').i16(-1)),
                     "tuple column count is negative (-1)"));
  CAF_CHECK(
    contains(reason(bytes{}.u8('R').u32(1).str("s").str("t").u8('d').i16(-3)),
             "relation column count is negative (-3)"));
}

CAF_TEST(counts_beyond_the_input_fail_before_allocating) {
  CAF_CHECK(contains(reason(bytes{}.u8('I').u32(1).u8('N').i16(32767)),
                     "tuple column count 32767 exceeds the 0 bytes left"));
  CAF_CHECK(contains(
    reason(bytes{}.u8('R').u32(1).str("s").str("t").u8('d').i16(2).u8(0)),
    "relation column count 2 exceeds the 1 bytes left"));
}

CAF_TEST(huge_lengths_are_rejected_not_allocated) {
  auto col = bytes{}.u8('I').u32(1).u8('N').i16(1).u8('t').u32(0xFFFFFFFF);
  CAF_CHECK(contains(reason(col), "tuple column value length 4294967295 "
                                  "exceeds the 0 bytes left"));
  auto content = bytes{}.u8('M').u8(0).u64(1).str("p").u32(0x7FFFFFFF).raw("x");
  CAF_CHECK(contains(reason(content), "content length 2147483647 exceeds"));
}

CAF_TEST(missing_nul_terminators_are_rejected) {
  CAF_CHECK(contains(reason(bytes{}.u8('O').u64(1).raw("name")),
                     "no NUL terminator for origin name"));
  CAF_CHECK(contains(reason(bytes{}.u8('Y').u32(1).str("s").raw("t")),
                     "no NUL terminator for type name"));
}
