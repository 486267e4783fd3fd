// What the slow-subscriber tests (cli_slow_*.cpp, remote_slow.cpp) share:
// how much slower this build runs, their knobs from the environment, a
// reader that keeps a pace, and a process's memory from /proc.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace libwatch::testing {

/// Whether sanitizers instrument this build: processes run several times
/// slower and keep freed memory in quarantine (peak memory says little).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized_build = true;
#  else
constexpr bool sanitized_build = false;
#  endif
#else
constexpr bool sanitized_build = false;
#endif

/// Sanitizer and debug builds: smaller workloads, slower readers.
#ifdef NDEBUG
constexpr bool slow_build = sanitized_build;
#else
constexpr bool slow_build = true;
#endif

/// Rows a test inserts: `fallback`, or LIBWATCH_SLOW_TEST_ROWS when set.
int64_t rows_to_insert(int64_t fallback);

/// Lines per second a slow reader takes: `fallback`, or
/// LIBWATCH_SLOW_TEST_RATE when set.
double lines_per_second_or(double fallback);

/// The end of `text` (for failure messages with a process's output).
std::string last_chars(const std::string& text, size_t n = 4000);

/// A field of /proc/PID/status in KiB (VmRSS, VmHWM); -1 if unavailable.
long status_kib(pid_t pid, const std::string& field);

/// Reads at most `per_second` lines per second on average: the reader that
/// makes a process's stdout pipe fill while the database has more to give.
class throttle {
public:
  explicit throttle(double per_second);

  /// Call after each line; sleeps when ahead of the pace.
  void line();

private:
  using clock_type = std::chrono::steady_clock;
  double per_second_;
  clock_type::time_point start_;
  uint64_t count_ = 0;
};

/// A slow test's patience: how long it waits for the next line, and when it
/// gives up: before caf-test's watchdog aborts a test after 30 s, which
/// would leave its child processes running.
struct patience {
  using clock_type = std::chrono::steady_clock;

  /// Whether a test that last saw a line at `last_line` must give up.
  bool out_of_time(clock_type::time_point last_line) const;

  /// How long to wait for a child to end: up to `stall`, less when the
  /// test's time is almost up.
  std::chrono::milliseconds time_left() const;

  /// Longest wait for a child's next line.
  clock_type::duration stall = std::chrono::seconds(slow_build ? 20 : 10);

  clock_type::time_point deadline
    = clock_type::now() + std::chrono::seconds(25);
};

} // namespace libwatch::testing
