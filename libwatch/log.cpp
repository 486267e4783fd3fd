#include "libwatch/log.hpp"

#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

namespace libwatch {

namespace {

log_level level_from_environment() {
  auto* text = std::getenv("LIBWATCH_LOG");
  if (text == nullptr)
    return log_level::warning;
  std::string_view x{text};
  if (x == "error")
    return log_level::error;
  if (x == "info")
    return log_level::info;
  if (x == "debug")
    return log_level::debug;
  return log_level::warning;
}

const char* name(log_level x) {
  switch (x) {
    case log_level::error:
      return "ERROR";
    case log_level::warning:
      return "WARNING";
    case log_level::info:
      return "INFO";
    case log_level::debug:
      return "DEBUG";
  }
  return "?";
}

std::mutex sink_mtx;
std::function<void(std::string_view)> sink;

} // namespace

void set_log_sink(std::function<void(std::string_view)> f) {
  std::lock_guard<std::mutex> guard{sink_mtx};
  sink = std::move(f);
}

bool log_enabled(log_level level) noexcept {
  static const log_level threshold = level_from_environment();
  return level <= threshold;
}

void log(log_level level, std::string_view component, std::string_view text,
         bool force) {
  if (!force && !log_enabled(level))
    return;
  std::string line = "libwatch ";
  line += name(level);
  line += " [";
  line += component;
  line += "] ";
  line += text;
  {
    std::lock_guard<std::mutex> guard{sink_mtx};
    if (sink) {
      sink(line);
      return;
    }
  }
  line += '\n';
  // One write per line keeps lines from different threads whole.
  [[maybe_unused]] auto res = write(STDERR_FILENO, line.data(), line.size());
}

} // namespace libwatch
