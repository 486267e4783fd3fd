// LSNs in PostgreSQL's X/Y form and protocol times since 2000-01-01.
#define CAF_SUITE wal.lsn
#include <caf/test/unit_test.hpp>

#include "libwatch/wal/lsn.hpp"

#include <chrono>
#include <limits>

#include "libwatch/error.hpp"

using namespace libwatch;
using namespace libwatch::wal;

namespace {

bool rejected(std::string_view text) {
  auto res = parse_lsn(text);
  if (res)
    return false;
  CAF_CHECK(is(res.error(), errc::malformed_payload));
  return describe(res.error()).find("invalid LSN") != std::string::npos;
}

} // namespace

CAF_TEST(to_string_prints_upper_hex_halves_without_leading_zeros) {
  CAF_CHECK_EQUAL(to_string(lsn{0}), "0/0");
  CAF_CHECK_EQUAL(to_string(lsn{0x16B374D848}), "16/B374D848");
  CAF_CHECK_EQUAL(to_string(lsn{0x000000010000000A}), "1/A");
  CAF_CHECK_EQUAL(to_string(lsn{std::numeric_limits<uint64_t>::max()}),
                  "FFFFFFFF/FFFFFFFF");
}

CAF_TEST(parse_lsn_reads_what_to_string_writes) {
  auto x = parse_lsn("16/B374D848");
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x->value, 0x16B374D848u);
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0xFFFFFFFF},
                     uint64_t{0x100000000}, uint64_t{0xDEADBEEFCAFEBABE}}) {
    auto y = parse_lsn(to_string(lsn{v}));
    CAF_REQUIRE(y);
    CAF_CHECK_EQUAL(y->value, v);
  }
}

CAF_TEST(parse_lsn_accepts_lower_case_and_leading_zeros) {
  auto x = parse_lsn("00000016/b374d848");
  CAF_REQUIRE(x);
  CAF_CHECK_EQUAL(x->value, 0x16B374D848u);
}

CAF_TEST(parse_lsn_rejects_junk_missing_halves_and_long_halves) {
  CAF_CHECK(rejected(""));
  CAF_CHECK(rejected("16"));
  CAF_CHECK(rejected("16B374D848"));
  CAF_CHECK(rejected("/B374D848"));
  CAF_CHECK(rejected("16/"));
  CAF_CHECK(rejected("16/B374D848/1"));
  CAF_CHECK(rejected("123456789/0"));
  CAF_CHECK(rejected("0/123456789"));
  CAF_CHECK(rejected(" 16/B374D848"));
  CAF_CHECK(rejected("16/B374D848 "));
  CAF_CHECK(rejected("+16/B374D848"));
  CAF_CHECK(rejected("0x16/B374D848"));
  CAF_CHECK(rejected("16/G374D848"));
}

CAF_TEST(lsns_compare_by_position) {
  CAF_CHECK(lsn{1} < lsn{2});
  CAF_CHECK(lsn{2} > lsn{1});
  CAF_CHECK(lsn{2} <= lsn{2});
  CAF_CHECK(lsn{2} >= lsn{2});
  CAF_CHECK(lsn{3} == lsn{3});
  CAF_CHECK(lsn{3} != lsn{4});
}

CAF_TEST(pg_time_zero_is_2000_01_01_utc) {
  auto ts = from_pg_time(0);
  auto unix_s
    = std::chrono::duration_cast<std::chrono::seconds>(ts.time_since_epoch());
  CAF_CHECK_EQUAL(unix_s.count(), 946684800);
  CAF_CHECK_EQUAL(to_pg_time(ts), 0);
}

CAF_TEST(pg_time_round_trips_at_microsecond_precision) {
  for (int64_t us : {int64_t{-1}, int64_t{1}, int64_t{817'000'000'123'456},
                     int64_t{-946'684'800'000'000}}) {
    CAF_CHECK_EQUAL(to_pg_time(from_pg_time(us)), us);
  }
  auto now = caf::make_timestamp();
  auto back = from_pg_time(to_pg_time(now));
  CAF_CHECK(now - back < std::chrono::microseconds{1});
  CAF_CHECK(now >= back);
}

CAF_TEST(pg_time_infinity_saturates_instead_of_overflowing) {
  using lim = std::numeric_limits<int64_t>;
  CAF_CHECK_EQUAL(from_pg_time(lim::max()).time_since_epoch().count(),
                  lim::max());
  CAF_CHECK_EQUAL(from_pg_time(lim::min()).time_since_epoch().count(),
                  lim::min());
}
