// A durable `libwatch tail` read by a consumer slower than the database and
// killed with SIGKILL at random moments loses nothing: tail acknowledges a
// change only once its line is flushed to stdout, so a restart with the same
// configuration prints again everything after the last acknowledged change,
// under its first position; with `source = "wal"` the slot is confirmed only
// past what tail acknowledged, so each restart streams the rest again.
// (Suite `cli_slow`, shared with cli_slow_plain.cpp: subscribers slower than
// the database.)
#define CAF_SUITE cli_slow
#include <caf/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <random>
#include <thread>

#include "integration/cli_fixture.hpp"
#include "integration/slow_support.hpp"
#include "libwatch/change.hpp"

using namespace libwatch;
using namespace libwatch::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

using clock_type = std::chrono::steady_clock;

// Sanitizer and debug builds (slow_support.hpp) get fewer rows, a slower
// reader, longer patience and 10 kills instead of 12 (each start of tail
// takes 0.5-3 s there).
constexpr int transactions = 6;
constexpr int kills = slow_build ? 10 : 12;
const std::string watcher_name = "crash_events";

// Rows to insert, a multiple of `transactions`.
int64_t rows_in_transactions(int64_t fallback) {
  auto rows = rows_to_insert(fallback);
  return std::max<int64_t>(rows / transactions, 1) * transactions;
}

// The random kill moments come from this seed (LIBWATCH_TEST_SEED repeats a
// run's choices; the tool's own timing still varies).
uint64_t test_seed() {
  if (auto* text = std::getenv("LIBWATCH_TEST_SEED"); text && *text)
    return std::strtoull(text, nullptr, 10);
  return std::random_device{}();
}

std::string to_string(const stream_position& x) {
  return "{batch " + std::to_string(x.batch) + ", entry "
         + std::to_string(x.entry) + "}";
}

// Everything the runs of tail printed, checked line by line as it arrives.
// Inserted ids ascend in commit order, so a run that loses nothing prints
// ids that ascend, each either seen before (a repeat, under the position it
// was first printed with) or exactly one past the highest id seen so far.
class ledger {
public:
  explicit ledger(int64_t rows) : rows_(rows), first_(rows + 1) {
    // nop
  }

  void begin_run() {
    ++run_;
    line_ = 0;
    last_id_ = 0;
    last_pos_.reset();
    ready_ = false;
    new_in_run_ = 0;
    repeats_in_run_ = 0;
  }

  /// Checks the next line of the current run: empty if it keeps the
  /// contract, else what it breaks.
  std::string add(const std::string& line) {
    ++line_;
    ++lines_;
    last_line_ = line;
    auto x = json::parse(line, nullptr, false);
    if (x.is_discarded() || !x.is_object() || !x["type"].is_string())
      return "not a JSON object with a type";
    auto type = x["type"].get<std::string>();
    if (type == "ready") {
      ready_ = true;
      return {};
    }
    if (type == "disconnected" || type == "resumed") {
      ++signals_;
      return {};
    }
    if (type == "overflow")
      return "an overflow line for a durable watcher: its subscriber lost "
             "changes";
    if (type != "change")
      return "unexpected line type " + type;
    if (x["watcher"] != watcher_name || x["event"] != "inserted"
        || x["table"] != "events")
      return "not a change of watcher " + watcher_name;
    auto& values = x["values"];
    auto& pos_json = x["position"];
    if (!values.is_object() || !values["id"].is_number_integer())
      return "no integer values.id";
    if (!pos_json.is_object() || !pos_json["batch"].is_number_integer()
        || !pos_json["entry"].is_number_integer())
      return "a durable change without position {batch, entry}";
    auto id = values["id"].get<int64_t>();
    stream_position pos{pos_json["batch"].get<int64_t>(),
                        pos_json["entry"].get<int64_t>()};
    if (id < 1 || id > rows_)
      return "id " + std::to_string(id) + " was never inserted (1.."
             + std::to_string(rows_) + ")";
    if (id <= last_id_)
      return "ids do not ascend within this run: id " + std::to_string(id)
             + " after id " + std::to_string(last_id_);
    if (last_pos_ && !(*last_pos_ < pos))
      return "positions do not ascend within this run: " + to_string(pos)
             + " after " + to_string(*last_pos_);
    if (id <= max_seen_) {
      if (!(*first_[id] == pos))
        return "id " + std::to_string(id) + " repeated with position "
               + to_string(pos) + ", first printed with "
               + to_string(*first_[id]);
      ++repeats_;
      ++repeats_in_run_;
    } else {
      if (id != max_seen_ + 1)
        return "ids " + std::to_string(max_seen_ + 1) + ".."
               + std::to_string(id - 1)
               + " were never printed, and this run went past them (at least "
                 "once, in order: a lost change)";
      if (max_seen_ > 0 && !(*first_[max_seen_] < pos))
        return "position " + to_string(pos) + " of new id " + std::to_string(id)
               + " is not after " + to_string(*first_[max_seen_]) + " of id "
               + std::to_string(max_seen_);
      first_[id] = pos;
      max_seen_ = id;
      ++new_in_run_;
    }
    last_id_ = id;
    last_pos_ = pos;
    return {};
  }

  /// Every id up to this one was printed by some run.
  int64_t complete_up_to() const noexcept {
    return max_seen_;
  }

  int run() const noexcept {
    return run_;
  }

  size_t line_in_run() const noexcept {
    return line_;
  }

  bool ready_in_run() const noexcept {
    return ready_;
  }

  size_t new_in_run() const noexcept {
    return new_in_run_;
  }

  size_t repeats_in_run() const noexcept {
    return repeats_in_run_;
  }

  size_t repeats() const noexcept {
    return repeats_;
  }

  size_t lines() const noexcept {
    return lines_;
  }

  size_t signals() const noexcept {
    return signals_;
  }

  const std::string& last_line() const noexcept {
    return last_line_;
  }

private:
  int64_t rows_;
  std::vector<std::optional<stream_position>> first_; // by id
  int64_t max_seen_ = 0;
  int run_ = -1;
  size_t line_ = 0;
  int64_t last_id_ = 0;
  std::optional<stream_position> last_pos_;
  bool ready_ = false;
  size_t new_in_run_ = 0;
  size_t repeats_in_run_ = 0;
  size_t repeats_ = 0;
  size_t lines_ = 0;
  size_t signals_ = 0;
  std::string last_line_;
};

struct fixture : cli_fixture, patience {
  fixture() {
    db.exec("CREATE TABLE events (id bigint PRIMARY KEY, note text)");
  }

  // Checks one line; fails the test with the first offending one and tail's
  // stderr. (Only failures are reported: a run prints thousands of lines.)
  bool check(cli_process& tail, ledger& book, const std::string& line) {
    auto why = book.add(line);
    if (why.empty())
      return true;
    CLI_CHECK(false, "run " << book.run() << ", line " << book.line_in_run()
                            << ": " << why << "\n  line: " << line
                            << "\n  tail's stderr:\n"
                            << last_chars(tail.err()));
    return false;
  }

  // Reads and checks tail's lines at the reader's pace until `done()`. False
  // (with the reason printed) when a line breaks the contract, no line comes
  // for `stall`, tail ends by itself or the test's time is up.
  template <class Predicate>
  bool read_until(cli_process& tail, ledger& book, throttle& pace,
                  Predicate done) {
    auto last_line = clock_type::now();
    while (!done()) {
      if (auto line = tail.next_line(20ms)) {
        last_line = clock_type::now();
        if (!check(tail, book, *line))
          return false;
        pace.line();
        continue;
      }
      if (auto code = tail.wait(0ms)) {
        CLI_CHECK(false, "run " << book.run() << ": tail ended by itself "
                                << "with exit code " << *code
                                << " after printing every id up to "
                                << book.complete_up_to() << "; stderr:\n"
                                << last_chars(tail.err()));
        return false;
      }
      auto now = clock_type::now();
      if (out_of_time(last_line)) {
        CLI_CHECK(false, "run " << book.run() << ": "
                                << (now > deadline ? "out of time"
                                                   : "no line for too long")
                                << " while waiting for id "
                                << book.complete_up_to() + 1 << "; last line: "
                                << book.last_line() << "\n  tail's stderr:\n"
                                << last_chars(tail.err()));
        return false;
      }
    }
    return true;
  }

  // Kills tail at random moments. `sections` of the TOML come before the
  // watcher, `source` is added to it.
  void kill_at_random_moments(const std::string& sections,
                              const std::string& source) {
    // Starting tail 11-13 times and reading the rows at the reader's pace take
    // most of the time: a few thousand rows keep the test under 20 s
    // (caf-test's watchdog allows 30 s) with AddressSanitizer or a parallel
    // test on 2 cores, and leave rows for every run.
    const int64_t rows = rows_in_transactions(slow_build ? 2'400 : 12'000);
    const int64_t per_transaction = rows / transactions;
    const double lines_per_second
      = lines_per_second_or(slow_build ? 1'000 : 3'000);
    // Start-up takes about 150 ms (400 ms with AddressSanitizer).
    const auto timed_kill_max = slow_build ? 800ms : 500ms;
    const auto seed = test_seed();
    CAF_MESSAGE(rows << " rows in " << transactions << " transactions, "
                     << kills << " kills, reading at most " << lines_per_second
                     << " lines/s; seed " << seed
                     << " (LIBWATCH_TEST_SEED repeats the choices)");
    std::mt19937_64 rng{seed};
    auto uniform = [&rng](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>{lo, hi}(rng);
    };
    auto cfg = config(sections + R"(
[[watcher]]
table = "events"
event = "inserted"
label = "crash_events"
extra_columns = ["note"]
delivery = "at_least_once"
)" + source);
    int inserted = 0;
    // Ids ascend in commit order: one transaction after the other.
    auto insert_next = [&] {
      auto first = inserted * per_transaction + 1;
      auto last = first + per_transaction - 1;
      db.exec("INSERT INTO events (id, note) SELECT g, 'event number ' || g "
              "FROM generate_series("
              + std::to_string(first) + ", " + std::to_string(last) + ") g");
      ++inserted;
    };
    ledger book{rows};
    int killed = 0;
    size_t most_repeats = 0;
    auto start = clock_type::now();
    for (int run = 0; run <= kills; ++run) {
      book.begin_run();
      // Some transactions commit while no tail runs, some while one starts.
      if (run > 0 && run % 2 == 0 && inserted < transactions)
        insert_next();
      cli_process tail{{"tail", cfg}};
      auto spawned = clock_type::now();
      throttle pace{lines_per_second};
      if (run == 0) {
        // The consumer receives what commits after its first ready.
        if (!read_until(tail, book, pace, [&] { return book.ready_in_run(); }))
          return;
      }
      if ((run == 0 || run % 2 == 1) && inserted < transactions)
        insert_next();
      if (run == kills) {
        // The last run reads everything that is left and ends normally (after
        // its ready: a signal during start-up just kills the process).
        if (!read_until(tail, book, pace, [&] {
              return book.complete_up_to() == rows && book.ready_in_run();
            }))
          return;
        auto settle = clock_type::now() + 200ms;
        if (!read_until(tail, book, pace,
                        [&] { return clock_type::now() >= settle; }))
          return;
        tail.signal(SIGTERM);
        auto code = tail.wait(time_left());
        CLI_CHECK(code == 0, "tail did not end with exit code 0 on SIGTERM but "
                               << (code ? std::to_string(*code) : "not at all")
                               << " (-1: a signal); stderr:\n"
                               << last_chars(tail.err()));
        while (auto line = tail.next_line(0ms))
          if (!check(tail, book, *line))
            return;
        most_repeats = std::max(most_repeats, book.repeats_in_run());
        break;
      }
      // Ids committed but not printed yet: what this run can still print new.
      auto left = inserted * per_transaction - book.complete_up_to();
      if (run % 4 == 3 || left == 0) {
        // At a random time since the start: during start-up, while repeating
        // what the last run left unacknowledged, or later.
        auto kill_at = spawned
                       + std::chrono::milliseconds(uniform(
                         0, std::chrono::milliseconds(timed_kill_max).count()));
        if (!read_until(tail, book, pace,
                        [&] { return clock_type::now() >= kill_at; }))
          return;
      } else {
        // After a random number of new ids, then a random pause: the kill
        // lands while tail writes, waits on the full pipe or acknowledges.
        // (Lines still in the pipe come on top: keep something for later.)
        auto target = static_cast<size_t>(
          uniform(1, std::min<int64_t>(left, rows / kills / 2 + 1)));
        if (!read_until(tail, book, pace,
                        [&] { return book.new_in_run() >= target; }))
          return;
        std::this_thread::sleep_for(std::chrono::milliseconds(uniform(0, 20)));
      }
      tail.signal(SIGKILL);
      ++killed;
      auto code = tail.wait(time_left());
      CLI_CHECK(code.has_value(), "run " << run << ": tail did not end within "
                                         << "the timeout after SIGKILL");
      if (!code)
        return;
      // Lines written before the kill count as processed: read them all.
      while (auto line = tail.next_line(0ms))
        if (!check(tail, book, *line))
          return;
      most_repeats = std::max(most_repeats, book.repeats_in_run());
      CAF_MESSAGE(
        "run " << run << " killed after "
               << std::chrono::duration_cast<std::chrono::milliseconds>(
                    clock_type::now() - spawned)
                    .count()
               << " ms: " << book.new_in_run() << " new ids, "
               << book.repeats_in_run() << " repeats; every id up to "
               << book.complete_up_to() << " printed");
    }
    CAF_CHECK_EQUAL(inserted, transactions);
    CAF_CHECK_EQUAL(book.complete_up_to(), rows);
    CAF_CHECK_GREATER_OR_EQUAL(killed, 10);
    CAF_MESSAGE("every id of 1.."
                << rows << " printed: " << killed << " kills, " << book.lines()
                << " lines, " << book.repeats() << " repeats (at most "
                << most_repeats << " in one run), " << book.signals()
                << " disconnected/resumed lines, "
                << std::chrono::duration_cast<std::chrono::milliseconds>(
                     clock_type::now() - start)
                     .count()
                << " ms");
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(cli_slow_durable_tests, fixture)

CAF_TEST(a_durable_tail_killed_at_random_moments_loses_nothing) {
  kill_at_random_moments(
    "[durable]\nconsumer = \"crash\"\nmax_in_flight = 1000\n", "");
}

// The same through the replication stream: the slot is confirmed only past
// what tail acknowledged, so each restart streams the rest again.
CAF_TEST(a_durable_wal_tail_killed_at_random_moments_loses_nothing) {
  kill_at_random_moments("[wal]\nslot = \"k_" + db.name()
                           + "\"\n\n[durable]\nmax_in_flight = 1000\n",
                         "source = \"wal\"\n");
}

CAF_TEST_FIXTURE_SCOPE_END()
