#include "integration/cli_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

extern char** environ;

namespace libwatch::testing {

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
  std::cerr << "*** cli test setup failed: " << what << ": "
            << std::strerror(errno) << std::endl;
  std::abort();
}

// Appends what `fd` holds to `buf`; closes it (sets -1) at end of file.
void drain(int& fd, std::string& buf) {
  char chunk[4096];
  for (;;) {
    auto n = ::read(fd, chunk, sizeof(chunk));
    if (n > 0) {
      buf.append(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      ::close(fd);
      fd = -1;
    }
    return; // EAGAIN: nothing more for now
  }
}

} // namespace

std::string cli_path() {
#ifdef LIBWATCH_CLI
  return LIBWATCH_CLI;
#else
  std::cerr << "*** the CLI tests need the libwatch tool: configure with "
               "LIBWATCH_BUILD_CLI=ON"
            << std::endl;
  std::abort();
#endif
}

cli_process::cli_process(const std::vector<std::string>& args)
    : cli_process(cli_path(), args) {
  // nop
}

cli_process::cli_process(const std::string& program,
                         const std::vector<std::string>& args) {
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
    die("pipe2");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  // The tool must start with default signal handling and nothing blocked,
  // whatever the test runner's threads do.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGINT, SIGTERM, SIGPIPE, SIGUSR1})
    sigaddset(&defaults, sig);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  auto path = program;
  std::vector<std::string> storage{path};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage)
    argv.push_back(s.data());
  argv.push_back(nullptr);
  auto rc
    = posix_spawn(&pid_, path.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (rc != 0) {
    errno = rc;
    die("posix_spawn " + path);
  }
  out_fd_ = out_pipe[0];
  err_fd_ = err_pipe[0];
  fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  fcntl(err_fd_, F_SETFL, O_NONBLOCK);
}

cli_process::~cli_process() {
  if (!exit_code_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  if (out_fd_ >= 0)
    ::close(out_fd_);
  if (err_fd_ >= 0)
    ::close(err_fd_);
}

void cli_process::pump(std::chrono::milliseconds timeout) {
  pollfd fds[2];
  nfds_t n = 0;
  if (out_fd_ >= 0)
    fds[n++] = {out_fd_, POLLIN, 0};
  if (err_fd_ >= 0)
    fds[n++] = {err_fd_, POLLIN, 0};
  if (n == 0) {
    std::this_thread::sleep_for(
      std::min(timeout, std::chrono::milliseconds(10)));
    return;
  }
  if (::poll(fds, n, static_cast<int>(timeout.count())) <= 0)
    return;
  if (out_fd_ >= 0)
    drain(out_fd_, out_);
  if (err_fd_ >= 0)
    drain(err_fd_, err_);
}

std::optional<std::string>
cli_process::next_line(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  for (;;) {
    auto nl = out_.find('\n', consumed_);
    if (nl != std::string::npos) {
      auto line = out_.substr(consumed_, nl - consumed_);
      consumed_ = nl + 1;
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    if (left.count() <= 0 || (out_fd_ < 0 && err_fd_ < 0))
      return std::nullopt;
    pump(std::min(left, std::chrono::milliseconds(100)));
  }
}

void cli_process::signal(int sig) {
  if (!exit_code_)
    ::kill(pid_, sig);
}

std::optional<int> cli_process::wait(std::chrono::milliseconds timeout) {
  auto deadline = clock_type::now() + timeout;
  while (!exit_code_) {
    int status = 0;
    auto rc = waitpid(pid_, &status, WNOHANG);
    if (rc == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      break;
    }
    if (clock_type::now() >= deadline)
      return std::nullopt;
    // Keep reading, or a chatty child blocks on a full pipe.
    pump(std::chrono::milliseconds(20));
  }
  // Collect what is left in the pipes.
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    if (clock_type::now() >= deadline + std::chrono::seconds(5))
      break;
    pump(std::chrono::milliseconds(100));
  }
  return exit_code_;
}

const std::string& cli_process::out() {
  pump(std::chrono::milliseconds(0));
  return out_;
}

const std::string& cli_process::err() {
  pump(std::chrono::milliseconds(0));
  return err_;
}

cli_result run_cli(const std::vector<std::string>& args,
                   std::chrono::milliseconds timeout) {
  cli_process proc{args};
  cli_result result;
  auto code = proc.wait(timeout);
  result.exit_code = code ? *code : -1;
  result.out = proc.out();
  result.err = proc.err();
  if (!code)
    std::cerr << "*** libwatch did not finish within " << timeout.count()
              << " ms: " << result.err << std::endl;
  return result;
}

} // namespace libwatch::testing
