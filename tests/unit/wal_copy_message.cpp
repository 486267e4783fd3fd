// The CopyData framing: XLogData and keepalive in, standby status out.
#define CAF_SUITE wal.copy_message
#include <caf/test/unit_test.hpp>

#include "libwatch/wal/copy_message.hpp"

#include "libwatch/error.hpp"
#include "wal_test.hpp"

using namespace libwatch;
using namespace libwatch::wal;
using wal_test::contains;

namespace {

std::string reason(std::string_view bytes) {
  return wal_test::reason(decode_copy_message(bytes));
}

wal_test::bytes keepalive(uint8_t reply) {
  wal_test::bytes b;
  b.u8('k').u64(0x16B374D848).i64(1'000'000).u8(reply);
  return b;
}

} // namespace

CAF_TEST(xlog_data_carries_its_lsns_time_and_payload_view) {
  wal_test::bytes b;
  b.u8('w').u64(0x1000).u64(0x2000).i64(817'000'000'123'456).raw("B-payload");
  auto res = decode_copy_message(b);
  CAF_REQUIRE(res);
  auto* x = std::get_if<xlog_data>(&*res);
  CAF_REQUIRE(x != nullptr);
  CAF_CHECK_EQUAL(x->wal_start.value, 0x1000u);
  CAF_CHECK_EQUAL(x->wal_end.value, 0x2000u);
  CAF_CHECK_EQUAL(to_pg_time(x->send_time), 817'000'000'123'456);
  CAF_CHECK_EQUAL(x->payload, "B-payload");
  CAF_CHECK(x->payload.data() == b.out.data() + xlog_data_header_size);
}

CAF_TEST(xlog_data_may_have_an_empty_payload) {
  wal_test::bytes b;
  b.u8('w').u64(0).u64(0).i64(0);
  auto res = decode_copy_message(b);
  CAF_REQUIRE(res);
  CAF_CHECK(std::get<xlog_data>(*res).payload.empty());
}

CAF_TEST(xlog_data_truncated_in_any_header_field_is_rejected) {
  wal_test::bytes b;
  b.u8('w').u64(1).u64(2).i64(3);
  CAF_CHECK(contains(reason(b.out.substr(0, 5)), "walStart"));
  CAF_CHECK(contains(reason(b.out.substr(0, 12)), "walEnd"));
  CAF_CHECK(contains(reason(b.out.substr(0, 24)), "sendTime"));
  CAF_CHECK(contains(reason(b.out.substr(0, 24)), "at offset 17"));
}

CAF_TEST(keepalive_carries_wal_end_time_and_reply_request) {
  for (uint8_t reply : {0, 1}) {
    auto res = decode_copy_message(keepalive(reply));
    CAF_REQUIRE(res);
    auto* k = std::get_if<primary_keepalive>(&*res);
    CAF_REQUIRE(k != nullptr);
    CAF_CHECK_EQUAL(k->wal_end.value, 0x16B374D848u);
    CAF_CHECK_EQUAL(to_pg_time(k->send_time), 1'000'000);
    CAF_CHECK_EQUAL(k->reply_requested, reply == 1);
  }
}

CAF_TEST(keepalive_must_be_exactly_18_bytes) {
  auto k = keepalive(0);
  CAF_CHECK_EQUAL(k.out.size(), primary_keepalive_size);
  for (size_t n = 1; n < k.out.size(); ++n)
    CAF_CHECK(contains(reason(k.out.substr(0, n)), "truncated"));
  k.u8(0);
  CAF_CHECK(contains(reason(k), "1 trailing bytes"));
}

CAF_TEST(keepalive_reply_requested_other_than_0_or_1_is_rejected) {
  CAF_CHECK(contains(reason(keepalive(2)), "replyRequested must be 0 or 1"));
  CAF_CHECK(contains(reason(keepalive(2)), "at offset 17"));
}

CAF_TEST(unknown_tags_and_empty_messages_are_rejected_by_name) {
  CAF_CHECK(contains(reason(""), "truncated reading message tag"));
  CAF_CHECK(contains(reason("r123"), "unknown message tag 0x72 ('r')"));
  CAF_CHECK(contains(reason(std::string(1, '\0')), "unknown message tag 0x00"));
}

CAF_TEST(standby_status_is_34_bytes_in_protocol_order) {
  auto clock = from_pg_time(0x0A0B0C0D);
  auto msg
    = encode_standby_status(lsn{0x11}, lsn{0x22}, lsn{0x33}, clock, true);
  wal_test::bytes expected;
  expected.u8('r').u64(0x11).u64(0x22).u64(0x33).i64(0x0A0B0C0D).u8(1);
  CAF_CHECK_EQUAL(msg.size(), standby_status_size);
  CAF_CHECK(msg == expected.out);
  auto quiet = encode_standby_status(lsn{0}, lsn{0}, lsn{0}, clock, false);
  CAF_CHECK_EQUAL(quiet.back(), '\0');
}

CAF_TEST(standby_status_clock_may_precede_the_pg_epoch) {
  auto msg
    = encode_standby_status(lsn{0}, lsn{0}, lsn{0}, from_pg_time(-1), false);
  wal_test::bytes expected;
  expected.u8('r').u64(0).u64(0).u64(0).i64(-1).u8(0);
  CAF_CHECK(msg == expected.out);
}
