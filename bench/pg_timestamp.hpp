// Reads a timestamptz as PostgreSQL prints it, for the benchmark subscribers'
// W2 latency (receive time − updated_at): libwatch's JSON rendering
// ("2026-12-02T10:00:00.123456+00:00") and the server's text output that
// pgoutput carries ("2026-12-02 10:00:00.123456+00"). Header-only: both
// subscribers in bench/ share it.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace libwatch_bench {

namespace detail {

inline int digits(const char*& p, int n) {
  int v = 0;
  for (int i = 0; i < n; ++i, ++p) {
    if (*p < '0' || *p > '9')
      return -1;
    v = v * 10 + (*p - '0');
  }
  return v;
}

} // namespace detail

/// Epoch nanoseconds of `text` (ISO 8601 with 'T' or ' ', optional
/// fraction, offset `+HH[:MM]`), or -1 when it is not one.
inline int64_t timestamp_ns(std::string_view text) {
  using detail::digits;
  std::string copy{text}; // NUL-terminated: the scan may look one past
  const char* p = copy.c_str();
  tm t{};
  int Y = digits(p, 4);
  if (*p++ != '-')
    return -1;
  int M = digits(p, 2);
  if (*p++ != '-')
    return -1;
  int D = digits(p, 2);
  if (*p != 'T' && *p != ' ')
    return -1;
  ++p;
  int h = digits(p, 2);
  if (*p++ != ':')
    return -1;
  int m = digits(p, 2);
  if (*p++ != ':')
    return -1;
  int s = digits(p, 2);
  if (Y < 0 || M < 0 || D < 0 || h < 0 || m < 0 || s < 0)
    return -1;
  int64_t frac = 0;
  if (*p == '.') {
    ++p;
    int64_t scale = 100'000'000;
    while (*p >= '0' && *p <= '9') {
      frac += (*p++ - '0') * scale;
      scale /= 10;
    }
  }
  int off = 0;
  if (*p == '+' || *p == '-') {
    int sign = *p++ == '-' ? -1 : 1;
    int oh = digits(p, 2), om = 0;
    if (*p == ':') {
      ++p;
      om = digits(p, 2);
    }
    off = sign * (oh * 3600 + om * 60);
  }
  t.tm_year = Y - 1900;
  t.tm_mon = M - 1;
  t.tm_mday = D;
  t.tm_hour = h;
  t.tm_min = m;
  t.tm_sec = s;
  return (int64_t{timegm(&t)} - off) * 1'000'000'000 + frac;
}

} // namespace libwatch_bench
