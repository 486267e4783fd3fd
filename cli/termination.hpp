// How `tail` ends: SIGINT or SIGTERM from outside, or a request from an
// actor that saw libwatch fail. The signals are blocked before any thread
// exists, so every thread CAF starts inherits the mask and only the main
// thread, in sigwait(), ever sees them: no async-signal-safety puzzles, and
// the main thread can stop libwatch before the actor system is destroyed.
#pragma once

#include <csignal>
#include <mutex>
#include <optional>
#include <string>

namespace libwatch::cli {

/// Why waiting ended.
struct termination_cause {
  /// The exit code (0 for SIGINT/SIGTERM).
  int code = 0;
  /// What to tell the user on stderr; empty for a signal.
  std::string message;
};

class termination {
public:
  /// Blocks SIGINT, SIGTERM, SIGUSR1 (the internal wake-up) and SIGPIPE (so
  /// writing to a closed pipe fails instead of killing the process) in the
  /// calling thread. Construct it before any other thread starts.
  termination();

  termination(const termination&) = delete;
  termination& operator=(const termination&) = delete;

  /// Ends `wait()` with `code` and `message`. Thread-safe; the first request
  /// wins.
  void request(int code, std::string message);

  /// Blocks until SIGINT, SIGTERM or a `request`.
  termination_cause wait();

private:
  sigset_t waited_;
  std::mutex mtx_;
  std::optional<termination_cause> requested_;
};

} // namespace libwatch::cli
