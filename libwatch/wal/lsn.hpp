// Log sequence numbers and timestamps as the replication protocol spells
// them: an LSN is a 64-bit WAL position written `X/Y` in hex, a time is int64
// microseconds since 2000-01-01 UTC (PostgreSQL's epoch, not Unix's).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <caf/expected.hpp>
#include <caf/timestamp.hpp>

namespace libwatch::wal {

/// A WAL position. `0/0` (value 0) means "none" in several protocol fields,
/// e.g. walStart of Relation and Type messages.
struct lsn {
  uint64_t value = 0;
};

constexpr bool operator==(lsn x, lsn y) noexcept {
  return x.value == y.value;
}

constexpr bool operator!=(lsn x, lsn y) noexcept {
  return x.value != y.value;
}

constexpr bool operator<(lsn x, lsn y) noexcept {
  return x.value < y.value;
}

constexpr bool operator<=(lsn x, lsn y) noexcept {
  return x.value <= y.value;
}

constexpr bool operator>(lsn x, lsn y) noexcept {
  return x.value > y.value;
}

constexpr bool operator>=(lsn x, lsn y) noexcept {
  return x.value >= y.value;
}

/// Renders `x` as PostgreSQL does (`%X/%X`): upper-case hex of the high and
/// low 32 bits, without leading zeros, e.g. `16/B374D848`.
std::string to_string(lsn x);

/// Parses `X/Y` with 1 to 8 hex digits on each side (either case), nothing
/// else: no blanks, signs or `0x`. Fails with `errc::malformed_payload`
/// naming the text.
caf::expected<lsn> parse_lsn(std::string_view text);

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC).
constexpr int64_t pg_epoch_offset_us = 946'684'800'000'000;

/// Converts a protocol time (µs since 2000-01-01 UTC) to a CAF timestamp,
/// which is a `std::chrono::system_clock` time point in nanoseconds. Times
/// beyond its range of about ±292 years around 1970, such as PostgreSQL's
/// `infinity` (INT64_MAX), saturate to the nearest representable time.
caf::timestamp from_pg_time(int64_t pg_us);

/// Converts a CAF timestamp to a protocol time, truncating to microseconds
/// (towards zero, as `std::chrono::duration_cast` does). Never overflows.
int64_t to_pg_time(caf::timestamp ts);

} // namespace libwatch::wal
