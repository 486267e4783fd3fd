#include "cli/termination.hpp"

#include <pthread.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

namespace libwatch::cli {

termination::termination() {
  sigemptyset(&waited_);
  sigaddset(&waited_, SIGINT);
  sigaddset(&waited_, SIGTERM);
  sigaddset(&waited_, SIGUSR1);
  sigset_t blocked = waited_;
  sigaddset(&blocked, SIGPIPE);
  if (auto err = pthread_sigmask(SIG_BLOCK, &blocked, nullptr); err != 0)
    throw std::runtime_error(std::string{"cannot block signals: "}
                             + std::strerror(err));
}

void termination::request(int code, std::string message) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (requested_)
      return;
    requested_ = termination_cause{code, std::move(message)};
  }
  // Process-directed: pending until the main thread's sigwait() takes it,
  // since every thread blocks it.
  kill(getpid(), SIGUSR1);
}

termination_cause termination::wait() {
  for (;;) {
    int sig = 0;
    if (sigwait(&waited_, &sig) != 0)
      continue;
    std::lock_guard<std::mutex> guard{mtx_};
    if (requested_)
      return *requested_;
    if (sig == SIGINT || sig == SIGTERM)
      return {};
    // A SIGUSR1 from outside without a request: keep waiting.
  }
}

} // namespace libwatch::cli
