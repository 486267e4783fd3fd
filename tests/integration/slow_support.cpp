#include "integration/slow_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace libwatch::testing {

int64_t rows_to_insert(int64_t fallback) {
  if (auto* text = std::getenv("LIBWATCH_SLOW_TEST_ROWS"); text && *text)
    return std::max<int64_t>(std::atoll(text), 1);
  return fallback;
}

double lines_per_second_or(double fallback) {
  if (auto* text = std::getenv("LIBWATCH_SLOW_TEST_RATE"); text && *text)
    return std::max(std::atof(text), 1.0);
  return fallback;
}

std::string last_chars(const std::string& text, size_t n) {
  return text.size() <= n ? text : "..." + text.substr(text.size() - n);
}

long status_kib(pid_t pid, const std::string& field) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/status"};
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size() + 1, field + ":") == 0) {
      std::istringstream value{line.substr(field.size() + 1)};
      long kib = -1;
      value >> kib;
      return kib;
    }
  }
  return -1;
}

throttle::throttle(double per_second)
    : per_second_(per_second), start_(clock_type::now()) {
  // nop
}

void throttle::line() {
  if (++count_ % 50 != 0)
    return;
  auto due = std::chrono::duration<double>(count_ / per_second_);
  std::this_thread::sleep_until(
    start_ + std::chrono::duration_cast<clock_type::duration>(due));
}

bool patience::out_of_time(clock_type::time_point last_line) const {
  auto now = clock_type::now();
  return now - last_line > stall || now > deadline;
}

std::chrono::milliseconds patience::time_left() const {
  using std::chrono::milliseconds;
  auto left = std::chrono::duration_cast<milliseconds>(
    deadline + std::chrono::seconds(4) - clock_type::now());
  return std::clamp<milliseconds>(
    left, milliseconds(500), std::chrono::duration_cast<milliseconds>(stall));
}

} // namespace libwatch::testing
