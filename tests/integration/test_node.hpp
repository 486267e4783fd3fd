// Running libwatch nodes as child processes (harness/node.cpp) for the
// multi-node tests: start one, wait for a line, collect its changes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "integration/cli_process.hpp"

/// Fail the test (REQUIRE: and stop it) unless `proc` prints a line
/// `token` (see `wait_for_line`) or its stderr gets `text`, showing its
/// stderr. The condition is evaluated once: it consumes lines.
#define REQUIRE_LINE(proc, token)                                              \
  do {                                                                         \
    auto line_ = ::libwatch::testing::wait_for_line(proc, token);              \
    if (!line_)                                                                \
      CAF_FAIL("no line " << token << "; stderr:\n" << (proc).err());          \
  } while (false)

#define CHECK_LINE(proc, token)                                                \
  do {                                                                         \
    auto line_ = ::libwatch::testing::wait_for_line(proc, token);              \
    if (!line_)                                                                \
      CAF_TEST_PRINT_ERROR("no line " << token << "; stderr:\n"                \
                                      << (proc).err());                        \
    CAF_CHECK(line_.has_value());                                              \
  } while (false)

#define CHECK_STDERR(proc, text)                                               \
  do {                                                                         \
    bool found_ = ::libwatch::testing::wait_for_stderr(proc, text);            \
    if (!found_)                                                               \
      CAF_TEST_PRINT_ERROR("no " << text << " in stderr:\n" << (proc).err());  \
    CAF_CHECK(found_);                                                         \
  } while (false)

namespace libwatch::testing {

/// How long a multi-node test waits for something that must happen (a bound
/// for failing, not a measurement).
constexpr auto node_must_arrive = std::chrono::seconds(60);

/// `libwatch_test_node watch CONFIG WATCHER` ("-": no subscriber).
std::unique_ptr<cli_process> start_watch_node(const std::string& config,
                                              const std::string& watcher);

/// `libwatch_test_node remote 127.0.0.1 PORT WATCHER`.
std::unique_ptr<cli_process> start_remote_node(uint16_t port,
                                               const std::string& watcher);

/// Reads lines until one is `token` or starts with `token` and a space;
/// returns it, or nothing on timeout or when the process ended.
std::optional<std::string> wait_for_line(cli_process& p,
                                         const std::string& token);

/// Waits until the process's stderr contains `needle`; false on timeout.
bool wait_for_stderr(cli_process& p, const std::string& needle);

/// The next `n` lines starting with "change " (others are skipped); fewer
/// when they do not arrive in time.
std::vector<std::string> collect_changes(cli_process& p, size_t n);

/// The `id` value printed in a change line, or -1.
int64_t id_of(const std::string& change_line);

/// A TCP port on 127.0.0.1 that was free a moment ago.
uint16_t free_port();

} // namespace libwatch::testing
