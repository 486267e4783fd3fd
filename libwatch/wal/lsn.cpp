#include "libwatch/wal/lsn.hpp"

#include <chrono>
#include <cstdio>
#include <limits>

#include "libwatch/error.hpp"

namespace libwatch::wal {

std::string to_string(lsn x) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "%X/%X", static_cast<unsigned>(x.value >> 32),
                static_cast<unsigned>(x.value & 0xFFFFFFFFu));
  return buf;
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// Parses 1 to 8 hex digits; false for anything else.
bool parse_half(std::string_view text, uint32_t& out) {
  if (text.empty() || text.size() > 8)
    return false;
  uint32_t result = 0;
  for (auto c : text) {
    auto digit = hex_digit(c);
    if (digit < 0)
      return false;
    result = (result << 4) | static_cast<uint32_t>(digit);
  }
  out = result;
  return true;
}

} // namespace

caf::expected<lsn> parse_lsn(std::string_view text) {
  auto slash = text.find('/');
  uint32_t hi = 0;
  uint32_t lo = 0;
  if (slash == std::string_view::npos || !parse_half(text.substr(0, slash), hi)
      || !parse_half(text.substr(slash + 1), lo))
    return make_error(errc::malformed_payload,
                      "invalid LSN \"" + std::string{text}
                        + "\": expected X/Y with 1 to 8 hex digits each, "
                          "e.g. 16/B374D848");
  return lsn{(uint64_t{hi} << 32) | lo};
}

caf::timestamp from_pg_time(int64_t pg_us) {
  // The Unix-based count in nanoseconds must fit into int64.
  constexpr auto max_ns = std::numeric_limits<int64_t>::max();
  constexpr auto min_ns = std::numeric_limits<int64_t>::min();
  constexpr int64_t hi = max_ns / 1000 - pg_epoch_offset_us;
  constexpr int64_t lo = min_ns / 1000 - pg_epoch_offset_us;
  if (pg_us > hi)
    return caf::timestamp{caf::timestamp::duration{max_ns}};
  if (pg_us < lo)
    return caf::timestamp{caf::timestamp::duration{min_ns}};
  return caf::timestamp{std::chrono::duration_cast<caf::timestamp::duration>(
    std::chrono::microseconds{pg_us + pg_epoch_offset_us})};
}

int64_t to_pg_time(caf::timestamp ts) {
  auto unix_us = std::chrono::duration_cast<std::chrono::microseconds>(
                   ts.time_since_epoch())
                   .count();
  return unix_us - pg_epoch_offset_us;
}

} // namespace libwatch::wal
