// Runs the `libwatch` executable as a child process for the CLI's tests:
// to completion with its exit code and output, or in the background (tail)
// reading stdout line by line with timeouts and sending it signals.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace libwatch::testing {

/// Path of the tool under test (the build's libwatch_cli target).
std::string cli_path();

/// What a finished command did.
struct cli_result {
  /// The exit code; -1 if it did not exit normally or in time.
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// A running `libwatch` process. The destructor kills and reaps it if it is
/// still running, so a failed test leaves nothing behind.
class cli_process {
public:
  explicit cli_process(const std::vector<std::string>& args);
  /// Runs `program` instead of the libwatch tool (e.g. a test helper).
  cli_process(const std::string& program, const std::vector<std::string>& args);
  ~cli_process();
  cli_process(const cli_process&) = delete;
  cli_process& operator=(const cli_process&) = delete;

  /// The next line of stdout without its newline, or nothing if none
  /// arrives within `timeout` (or stdout closed).
  std::optional<std::string> next_line(std::chrono::milliseconds timeout);

  /// Sends `sig` to the process.
  void signal(int sig);

  /// The process id (e.g. for /proc/PID).
  pid_t pid() const noexcept {
    return pid_;
  }

  /// Waits up to `timeout` for the process to end; its exit code, -1 if it
  /// died of a signal, nothing if it still runs.
  std::optional<int> wait(std::chrono::milliseconds timeout);

  /// Everything read from stdout / stderr so far (reads what is pending).
  const std::string& out();
  const std::string& err();

private:
  // Reads whatever the pipes hold, waiting at most `timeout` for data.
  void pump(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  size_t consumed_ = 0; // bytes of out_ returned by next_line
  std::optional<int> exit_code_;
};

/// Runs `libwatch ARGS...` to completion (killing it after `timeout`).
cli_result run_cli(const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout
                   = std::chrono::seconds(60));

} // namespace libwatch::testing
