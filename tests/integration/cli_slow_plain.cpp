// A plain (non-durable) `libwatch tail` whose reader falls far behind a burst
// of changes: tail holds at most [subscribers] max_queued changes for it, so
// its memory stays bounded, and reports every change it drops with an
// overflow line in the stream, exactly where the changes are missing; with
// overflow = "disconnect" it cuts the subscriber off once and for good.
// (Suite `cli_slow`, shared with cli_slow_durable.cpp.)
#define CAF_SUITE cli_slow
#include <caf/test/unit_test.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include "integration/cli_fixture.hpp"
#include "integration/slow_support.hpp"

extern char** environ;

using namespace libwatch;
using namespace libwatch::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

using clock_type = std::chrono::steady_clock;

// Sanitizer and debug builds (slow_support.hpp) get a smaller burst and a
// slower reader; under sanitizers tail's peak memory is reported, not
// checked (their quarantine keeps freed memory).

// How far tail's memory may grow above its idle size during the burst.
constexpr long max_growth_kib = 64 * 1024;

bool is_timestamp(const json& x) {
  static const std::regex iso{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)"};
  return x.is_string() && std::regex_match(x.get<std::string>(), iso);
}

long milliseconds_since(clock_type::time_point t) {
  return static_cast<long>(
    std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t)
      .count());
}

// `libwatch tail CONFIG` with stdout on a pipe that the test reads at its own
// pace and stderr in a file. Unlike cli_process it exposes the pid (for
// /proc) and keeps only the stdout it has not returned yet: a burst prints
// far more than a test should hold. The destructor kills and reaps it.
class tail_process {
public:
  tail_process(const std::string& config, std::string err_path)
      : err_path_(std::move(err_path)) {
    int out_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
      die("pipe2");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    // Default signal handling and nothing blocked, as cli_process does.
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
    std::vector<std::string> storage{cli_path(), "tail", config};
    std::vector<char*> argv;
    for (auto& s : storage)
      argv.push_back(s.data());
    argv.push_back(nullptr);
    auto rc = posix_spawn(&pid_, storage[0].c_str(), &actions, &attr,
                          argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(out_pipe[1]);
    if (rc != 0) {
      errno = rc;
      die("posix_spawn " + storage[0]);
    }
    out_fd_ = out_pipe[0];
    fcntl(out_fd_, F_SETFL, O_NONBLOCK);
  }

  ~tail_process() {
    if (!exit_code_ && pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (out_fd_ >= 0)
      ::close(out_fd_);
  }

  tail_process(const tail_process&) = delete;
  tail_process& operator=(const tail_process&) = delete;

  pid_t pid() const noexcept {
    return pid_;
  }

  /// The next line of stdout without its newline; nothing if none arrives
  /// within `timeout` or stdout is closed.
  std::optional<std::string> next_line(std::chrono::milliseconds timeout) {
    auto deadline = clock_type::now() + timeout;
    for (;;) {
      auto nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        auto line = buf_.substr(pos_, nl - pos_);
        pos_ = nl + 1;
        return line;
      }
      buf_.erase(0, pos_);
      pos_ = 0;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - clock_type::now());
      if (out_fd_ < 0 || !read_some(std::max(left, 0ms)))
        return std::nullopt;
    }
  }

  /// Whether stdout was closed and every complete line returned.
  bool at_end() const {
    return out_fd_ < 0 && buf_.find('\n', pos_) == std::string::npos;
  }

  void signal(int sig) {
    if (!exit_code_)
      ::kill(pid_, sig);
  }

  /// Waits up to `timeout` for tail to end, reading stdout meanwhile (kept
  /// for next_line); its exit code, -1 after a signal, nothing if it runs.
  std::optional<int> wait(std::chrono::milliseconds timeout) {
    auto deadline = clock_type::now() + timeout;
    while (!exit_code_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      if (clock_type::now() >= deadline)
        return std::nullopt;
      if (out_fd_ < 0 || !read_some(10ms))
        std::this_thread::sleep_for(10ms);
    }
    while (out_fd_ >= 0 && read_some(100ms))
      ; // what is left in the pipe
    return exit_code_;
  }

  /// The end of what tail wrote to stderr.
  std::string err() const {
    std::ifstream in{err_path_};
    std::stringstream text;
    text << in.rdbuf();
    return last_chars(text.str());
  }

private:
  [[noreturn]] static void die(const std::string& what) {
    std::cerr << "*** cli test setup failed: " << what << ": "
              << std::strerror(errno) << std::endl;
    std::abort();
  }

  // Appends one read of stdout to the buffer, waiting up to `timeout`;
  // false if nothing came (timeout or end of file).
  bool read_some(std::chrono::milliseconds timeout) {
    pollfd fd{out_fd_, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(timeout.count())) <= 0)
      return false;
    char chunk[65536];
    auto n = ::read(out_fd_, chunk, sizeof(chunk));
    if (n > 0) {
      buf_.append(chunk, static_cast<size_t>(n));
      return true;
    }
    if (n == 0) {
      ::close(out_fd_);
      out_fd_ = -1;
    }
    return false;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string err_path_;
  std::string buf_;
  size_t pos_ = 0;
  std::optional<int> exit_code_;
};

// Checks an overflow line's fields; empty if fine, else what is wrong.
std::string check_overflow(const json& x, const std::string& watcher,
                           bool cut_off) {
  if (x["watcher"] != watcher)
    return "not an overflow of watcher " + watcher;
  if (!x["missed"].is_number_integer() || x["missed"].get<int64_t>() < 1)
    return "missed is not a positive integer";
  if (!x["cut_off"].is_boolean() || x["cut_off"].get<bool>() != cut_off)
    return std::string{"cut_off is not "} + (cut_off ? "true" : "false");
  if (!is_timestamp(x["missed_from"]) || !is_timestamp(x["missed_until"]))
    return "missed_from or missed_until is not an ISO 8601 UTC timestamp";
  if (x["missed_from"].get<std::string>()
      > x["missed_until"].get<std::string>())
    return "missed_from is after missed_until";
  return {};
}

// What the slow subscriber learns from the lines of one burst of ids
// 1..rows: the changes it got and what the overflow lines between them say
// it missed, checked line by line.
class drop_ledger {
public:
  drop_ledger(int64_t rows, std::string watcher)
      : rows_(rows), watcher_(std::move(watcher)) {
    // nop
  }

  /// Checks the next line: empty if it keeps the contract, else what it
  /// breaks.
  std::string add(const std::string& line) {
    ++lines_;
    auto x = json::parse(line, nullptr, false);
    if (x.is_discarded() || !x.is_object() || !x["type"].is_string())
      return "not a JSON object with a type";
    auto type = x["type"].get<std::string>();
    if (type == "overflow") {
      if (auto why = check_overflow(x, watcher_, false); !why.empty())
        return why;
      auto missed = x["missed"].get<int64_t>();
      pending_ += missed;
      missed_ += missed;
      ++overflow_lines_;
      if (first_missed_from_.empty())
        first_missed_from_ = x["missed_from"].get<std::string>();
      last_missed_until_ = x["missed_until"].get<std::string>();
      if (last_id_ + pending_ > rows_)
        return "the overflow lines after id " + std::to_string(last_id_)
               + " report " + std::to_string(pending_)
               + " missed changes, but only " + std::to_string(rows_ - last_id_)
               + " ids follow it";
      return {};
    }
    if (type != "change")
      return "unexpected line type " + type + " during the burst";
    if (x["watcher"] != watcher_)
      return "not a change of watcher " + watcher_;
    auto& values = x["values"];
    if (!values.is_object() || !values["id"].is_number_integer())
      return "no integer values.id";
    auto id = values["id"].get<int64_t>();
    if (id < 1 || id > rows_)
      return "id " + std::to_string(id) + " was never inserted";
    if (id <= last_id_)
      return "ids do not ascend: id " + std::to_string(id) + " after id "
             + std::to_string(last_id_);
    auto gap = id - last_id_ - 1;
    if (pending_ != gap)
      return std::to_string(gap) + " changes are missing between id "
             + std::to_string(last_id_) + " and id " + std::to_string(id)
             + ", but the overflow lines between them report "
             + std::to_string(pending_);
    largest_gap_ = std::max(largest_gap_, gap);
    pending_ = 0;
    last_id_ = id;
    ++delivered_;
    return {};
  }

  /// The changes printed plus those reported missed.
  int64_t accounted() const noexcept {
    return delivered_ + missed_;
  }

  /// Checks the end of the burst (after the last change).
  std::string finish() const {
    if (pending_ != rows_ - last_id_)
      return std::to_string(rows_ - last_id_)
             + " changes are missing after the last id printed, "
             + std::to_string(last_id_)
             + ", but the overflow lines after it report "
             + std::to_string(pending_);
    return {};
  }

  std::string summary() const {
    auto out = std::to_string(delivered_) + " changes printed (last id "
               + std::to_string(last_id_) + "), " + std::to_string(missed_)
               + " reported missed in " + std::to_string(overflow_lines_)
               + " overflow lines (largest gap between printed changes "
               + std::to_string(largest_gap_) + "), of "
               + std::to_string(rows_);
    if (overflow_lines_ > 0)
      out += "; dropped from " + first_missed_from_ + " until "
             + last_missed_until_;
    return out;
  }

  int64_t delivered() const noexcept {
    return delivered_;
  }

  int64_t missed() const noexcept {
    return missed_;
  }

  size_t lines() const noexcept {
    return lines_;
  }

private:
  int64_t rows_;
  std::string watcher_;
  int64_t last_id_ = 0;
  int64_t pending_ = 0; // missed, reported since the last change
  int64_t delivered_ = 0;
  int64_t missed_ = 0;
  int64_t largest_gap_ = 0;
  size_t overflow_lines_ = 0;
  std::string first_missed_from_;
  std::string last_missed_until_;
  size_t lines_ = 0;
};

struct fixture : cli_fixture, patience {
  fixture() {
    db.exec("CREATE TABLE events (id bigint PRIMARY KEY)");
  }

  // Reads lines until `watcher` is ready; false (printed) if it is not in
  // time.
  bool await_ready(tail_process& tail, const std::string& watcher) {
    auto until = std::min(clock_type::now() + stall, deadline);
    while (clock_type::now() < until && !tail.at_end()) {
      auto line = tail.next_line(50ms);
      if (!line)
        continue;
      auto x = parse_json(*line);
      if (x["type"] == "ready" && x["watcher"] == watcher)
        return true;
    }
    CLI_CHECK(false, "tail printed no ready line for "
                       << watcher << (tail.at_end() ? " and ended" : " in time")
                       << "; stderr:\n"
                       << tail.err());
    return false;
  }

  // Whether to give up waiting for a line that last came at `last_line`.
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cli_slow_plain_tests, fixture)

CAF_TEST(
  a_plain_tail_ten_times_slower_than_a_burst_stays_bounded_and_reports_every_drop) {
  // At statement level the burst reaches tail at about 1.2M changes/s (the
  // drop window of the overflow lines; release build, 2 cores), and a reader
  // of at most 100k lines/s (in fact 70k-90k) is 10-15 times slower: drops
  // and deliveries alternate (about 10 overflow lines), not just one gap at
  // the end. (Statement level also takes 3 s to insert what takes 6 s at row
  // level: caf-test's watchdog allows a test 30 s.)
  const int64_t rows = rows_to_insert(slow_build ? 60'000 : 1'000'000);
  const double lines_per_second
    = lines_per_second_or(slow_build ? 3'000 : 100'000);
  auto cfg = config(R"(
[subscribers]
max_queued = 10000
overflow = "drop"

[[watcher]]
table = "events"
event = "inserted"
label = "burst"
trigger_level = "statement"
)");
  tail_process tail{cfg, dir.write("tail-stderr.log", "")};
  if (!await_ready(tail, "burst"))
    return;
  auto idle_kib = status_kib(tail.pid(), "VmRSS");
  // One transaction: every change arrives at tail at once, at commit.
  auto insert_start = clock_type::now();
  db.exec("INSERT INTO events (id) SELECT g FROM generate_series(1, "
          + std::to_string(rows) + ") g");
  auto insert_ms = milliseconds_since(insert_start);
  auto read_start = clock_type::now();
  throttle pace{lines_per_second};
  drop_ledger book{rows, "burst"};
  auto last_line = clock_type::now();
  std::string previous = "(none)";
  while (book.accounted() < rows) {
    auto line = tail.next_line(100ms);
    // Only failures are reported: the burst prints many thousand lines.
    if (!line) {
      auto ended = tail.at_end();
      if (ended || out_of_time(last_line)) {
        CLI_CHECK(false, (ended ? "tail ended" : "no line in time")
                           << " with " << book.summary() << "; last line: "
                           << previous << "\n  tail's stderr:\n"
                           << tail.err());
        return;
      }
      continue;
    }
    last_line = clock_type::now();
    if (auto why = book.add(*line); !why.empty()) {
      CLI_CHECK(false, "line " << book.lines() << ": " << why
                               << "\n  line: " << *line
                               << "\n  previous line: " << previous << "\n  "
                               << book.summary() << "\n  tail's stderr:\n"
                               << tail.err());
      return;
    }
    previous = std::move(*line);
    pace.line();
  }
  auto read_ms = milliseconds_since(read_start);
  auto end_why = book.finish();
  CLI_CHECK(end_why.empty(), end_why << "; " << book.summary());
  // Every change is accounted for: nothing more may follow.
  if (auto extra = tail.next_line(slow_build ? 1000ms : 300ms))
    CLI_CHECK(false, "a line after every change was accounted for: "
                       << *extra << "; " << book.summary());
  auto peak_kib = status_kib(tail.pid(), "VmHWM");
  auto now_kib = status_kib(tail.pid(), "VmRSS");
  CAF_MESSAGE(book.summary()
              << "; insert " << insert_ms << " ms, reading " << book.lines()
              << " lines took " << read_ms << " ms (at most "
              << lines_per_second << " lines/s)");
  CAF_MESSAGE("tail's memory: idle "
              << idle_kib << " KiB after ready, peak " << peak_kib
              << " KiB, now " << now_kib
              << " KiB: peak - idle = " << peak_kib - idle_kib << " KiB");
  CAF_CHECK_EQUAL(book.accounted(), rows);
  // The reader was slow enough that tail had to drop: otherwise this test
  // tested nothing.
  CLI_CHECK(book.missed() > 0, "no change was dropped: " << book.summary());
  CLI_CHECK(idle_kib > 0 && peak_kib > 0,
            "cannot read /proc/" << tail.pid() << "/status");
  if (sanitized_build)
    CAF_MESSAGE("sanitizer build: peak memory not checked");
  else
    CLI_CHECK(peak_kib - idle_kib <= max_growth_kib,
              "tail's memory grew by "
                << peak_kib - idle_kib << " KiB over its idle " << idle_kib
                << " KiB, more than " << max_growth_kib << " KiB");
  tail.signal(SIGTERM);
  auto code = tail.wait(time_left());
  CLI_CHECK(code == 0, "tail did not end with exit code 0 on SIGTERM but "
                         << (code ? std::to_string(*code) : "not at all")
                         << " (-1: a signal); stderr:\n"
                         << tail.err());
}

CAF_TEST(a_plain_tail_with_overflow_disconnect_is_cut_off_once_and_for_good) {
  constexpr int64_t rows = 10'000;
  const auto quiet = slow_build ? 3000ms : 1000ms;
  auto cfg = config(R"(
[subscribers]
max_queued = 10
overflow = "disconnect"

[[watcher]]
table = "events"
event = "inserted"
label = "cut"
)");
  tail_process tail{cfg, dir.write("tail-stderr.log", "")};
  if (!await_ready(tail, "cut"))
    return;
  db.exec("INSERT INTO events (id) SELECT g FROM generate_series(1, "
          + std::to_string(rows) + ") g");
  // The reader stalls: tail's stdout pipe fills, and its queue for this
  // subscriber with it.
  std::this_thread::sleep_for(slow_build ? 3s : 1s);
  // Until the overflow line, the changes come in order without a gap.
  int64_t last_id = 0;
  std::optional<json> overflow;
  std::string previous = "(none)";
  auto last_line = clock_type::now();
  while (!overflow) {
    auto line = tail.next_line(100ms);
    if (!line) {
      auto ended = tail.at_end();
      if (ended || out_of_time(last_line)) {
        CLI_CHECK(false, (ended ? "tail ended" : "no line in time")
                           << " without an overflow line after " << last_id
                           << " changes; last line: " << previous
                           << "\n  tail's stderr:\n"
                           << tail.err());
        return;
      }
      continue;
    }
    last_line = clock_type::now();
    auto x = parse_json(*line);
    std::string why;
    if (x["type"] == "overflow") {
      why = check_overflow(x, "cut", true);
      overflow = x;
    } else if (x["type"] != "change" || x["watcher"] != "cut") {
      why = "not a change of watcher cut";
    } else if (!x["values"].is_object() || x["values"]["id"] != last_id + 1) {
      why = "expected id " + std::to_string(last_id + 1)
            + ": nothing may be missing before the cut-off";
    } else {
      ++last_id;
    }
    if (!why.empty()) {
      CLI_CHECK(false, why << "\n  line: " << *line << "\n  previous line: "
                           << previous << "\n  tail's stderr:\n"
                           << tail.err());
      return;
    }
    previous = std::move(*line);
  }
  auto missed = (*overflow)["missed"].get<int64_t>();
  CAF_MESSAGE(last_id << " changes printed, then cut off: "
                      << overflow->dump());
  CLI_CHECK(last_id + missed <= rows,
            last_id << " changes printed and " << missed
                    << " reported missed, but only " << rows << " inserted");
  // Nothing more reaches the cut-off subscriber: neither the rest of the
  // burst nor a change committed afterwards.
  db.exec("INSERT INTO events (id) VALUES (" + std::to_string(rows + 1) + ")");
  auto quiet_until = clock_type::now() + quiet;
  while (clock_type::now() < quiet_until && !tail.at_end()) {
    auto line = tail.next_line(50ms);
    if (!line)
      continue;
    auto x = parse_json(*line);
    if (x["type"] == "change" || x["type"] == "overflow") {
      CLI_CHECK(false, "a line after the cut-off: " << *line);
      return;
    }
    // Signals (ready, disconnected, resumed) are not changes: shown only.
    CAF_MESSAGE("after the cut-off: " << *line);
  }
  // Whether tail itself ends with its only subscriber cut off is not part
  // of the contract: if it still runs, SIGTERM ends it normally.
  if (auto code = tail.wait(0ms)) {
    CAF_MESSAGE("tail ended by itself after the cut-off, exit code " << *code);
  } else {
    tail.signal(SIGTERM);
    code = tail.wait(time_left());
    CLI_CHECK(code == 0, "tail did not end with exit code 0 on SIGTERM but "
                           << (code ? std::to_string(*code) : "not at all")
                           << " (-1: a signal); stderr:\n"
                           << tail.err());
  }
}

CAF_TEST_FIXTURE_SCOPE_END()
