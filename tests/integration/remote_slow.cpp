// A subscriber node that stops reading (SIGSTOP) while a burst of changes
// flows: the watcher node holds at most [subscribers] max_queued changes its
// forwarder has not credited, so the watcher node's memory stays bounded,
// and once the subscriber node runs again it gets the changes sent before
// the drop followed by overflow_msg reports that account for every change
// it missed, exactly where they are missing. Afterwards it receives every
// change again.
// With a small bound the subscriber node, continued right after the commit
// while the watcher node still publishes, keeps crediting what it got while
// the watcher node drops and reports: still no change overtakes the report
// of a gap before it, and none is dropped unreported.
#define CAF_SUITE remote_slow
#include <caf/test/unit_test.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "integration/cli_fixture.hpp"
#include "integration/slow_support.hpp"
#include "integration/test_node.hpp"

using namespace libwatch;
using namespace libwatch::testing;
using namespace std::chrono_literals;

namespace {

using clock_type = std::chrono::steady_clock;

// Sanitized builds (slow_support.hpp) run the nodes several times slower
// and keep freed memory in quarantine: a smaller burst, and the peak memory
// is reported, not checked (the watcher node's own account,
// queue_high_water, still is).

// Rows of the burst while the subscriber node is stopped.
constexpr int64_t burst_rows = sanitized_build ? 50'000 : 200'000;

// Rows inserted after it runs again: fewer than max_queued, so all arrive.
constexpr int64_t after_rows = 1'000;

constexpr uint64_t max_queued = 2'000;

// The bounds of the rounds of the second test: so small that the watcher
// node starts and ends an overflow every few changes while the subscriber
// node credits them from another thread. With 64 (a forwarder's credit
// step) credits come back at once, not after a delay, so a round has more
// overflows: more chances for a change to overtake a report.
constexpr uint64_t small_bounds[] = {10, 64, 64, 64};

// Rows of each of its bursts.
constexpr int64_t mid_burst_rows = sanitized_build ? 20'000 : 100'000;

// Most changes a subscriber node's own topic holds for its subscriber (the
// default [subscribers] max_queued): until the watcher node sent it more,
// every report it prints comes from the watcher node.
constexpr uint64_t subscriber_node_bound = 10'000;

// How far the watcher node's peak memory may grow above its idle size.
constexpr long max_growth_kib = 64 * 1024;

std::string watcher_node_config(uint64_t limit = max_queued) {
  return R"(
[cluster]
listen = "127.0.0.1:0"

[subscribers]
max_queued = )"
         + std::to_string(limit) + R"(

[[watcher]]
table = "items"
event = "inserted"
label = "items_new"
)";
}

// The state letter of /proc/PID/stat ('T': stopped), or '?'.
char process_state(pid_t pid) {
  std::ifstream in{"/proc/" + std::to_string(pid) + "/stat"};
  std::string text;
  std::getline(in, text);
  // "PID (COMM) STATE ...": COMM may contain blanks and parentheses.
  auto close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size())
    return '?';
  return text[close + 2];
}

bool wait_for_state(pid_t pid, char state) {
  auto deadline = clock_type::now() + 10s;
  while (process_state(pid) != state) {
    if (clock_type::now() >= deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// The counters of `watcher` a watch node prints on SIGUSR1 ("status WATCHER
// received=N ..."); empty if it does not answer.
std::map<std::string, uint64_t> status_of(cli_process& node,
                                          const std::string& watcher) {
  std::map<std::string, uint64_t> result;
  node.signal(SIGUSR1);
  auto deadline = clock_type::now() + 10s;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    if (left.count() <= 0)
      return {};
    auto line = node.next_line(left);
    if (!line)
      return {};
    if (*line == "status_end")
      return result;
    std::istringstream in{*line};
    std::string word;
    std::string name;
    in >> word >> name;
    if (word != "status" || name != watcher)
      continue;
    while (in >> word) {
      auto eq = word.find('=');
      if (eq != std::string::npos)
        result[word.substr(0, eq)] = std::stoull(word.substr(eq + 1));
    }
  }
}

// Polls the watcher node's counters until `pred` holds for them; the last
// counters read (empty if the node stopped answering).
template <class Predicate>
std::map<std::string, uint64_t>
poll_status(cli_process& node, const std::string& watcher, Predicate pred) {
  auto deadline = clock_type::now() + node_must_arrive;
  for (;;) {
    auto st = status_of(node, watcher);
    if (st.empty() || pred(st) || clock_type::now() >= deadline)
      return st;
    std::this_thread::sleep_for(100ms);
  }
}

// What the subscriber node learns from the lines it prints for ids 1..N:
// the changes it got and what the overflow reports between them say it
// missed, checked line by line.
class ledger {
public:
  explicit ledger(std::string watcher) : watcher_(std::move(watcher)) {
    // nop
  }

  /// Checks the next line: empty if it keeps the contract, else what it
  /// breaks. Changes must have ids up to `rows`.
  std::string add(const std::string& line, int64_t rows) {
    if (line.compare(0, 9, "overflow ") == 0) {
      // deep_to_string: overflow_msg("WATCHER", MISSED, FROM, UNTIL, CUT)
      static const std::regex re{
        R"re(overflow_msg\("([^"]*)", (\d+), ([^,]+), ([^,]+), (true|false)\)$)re"};
      std::smatch m;
      if (!std::regex_search(line, m, re))
        return "cannot read the overflow report: " + line;
      if (m[1].str() != watcher_)
        return "not an overflow of watcher " + watcher_ + ": " + line;
      if (m[5].str() != "false")
        return "cut_off is set with overflow = \"drop\": " + line;
      auto missed = std::stoll(m[2].str());
      if (missed < 1)
        return "an overflow report missing nothing: " + line;
      if (m[3].str() > m[4].str())
        return "missed_from is after missed_until: " + line;
      pending_ += missed;
      missed_ += missed;
      ++reports_;
      if (last_id_ + pending_ > rows)
        return "the overflow reports after id " + std::to_string(last_id_)
               + " say " + std::to_string(pending_)
               + " changes were missed, but only "
               + std::to_string(rows - last_id_) + " ids follow it";
      return {};
    }
    if (line.compare(0, 7, "change ") != 0)
      return "unexpected line: " + line;
    auto id = id_of(line);
    if (id < 1 || id > rows)
      return "id " + std::to_string(id) + " was not inserted (yet): " + line;
    if (id <= last_id_)
      return "ids do not ascend: id " + std::to_string(id) + " after id "
             + std::to_string(last_id_);
    auto gap = id - last_id_ - 1;
    if (pending_ != gap)
      return std::to_string(gap) + " changes are missing between id "
             + std::to_string(last_id_) + " and id " + std::to_string(id)
             + ", but the overflow reports between them say "
             + std::to_string(pending_);
    largest_gap_ = std::max(largest_gap_, gap);
    pending_ = 0;
    last_id_ = id;
    ++delivered_;
    return {};
  }

  /// Checks that the reports after the last change account for the rest of
  /// ids 1..rows.
  std::string finish(int64_t rows) const {
    if (pending_ != rows - last_id_)
      return std::to_string(rows - last_id_)
             + " changes are missing after the last id received, "
             + std::to_string(last_id_) + ", but the overflow reports after "
             + "it say " + std::to_string(pending_);
    return {};
  }

  int64_t accounted() const noexcept {
    return delivered_ + missed_;
  }

  int64_t delivered() const noexcept {
    return delivered_;
  }

  int64_t missed() const noexcept {
    return missed_;
  }

  int64_t reports() const noexcept {
    return reports_;
  }

  std::string summary() const {
    return std::to_string(delivered_) + " changes received (last id "
           + std::to_string(last_id_) + "), " + std::to_string(missed_)
           + " reported missed in " + std::to_string(reports_)
           + " overflow reports (largest gap between received changes "
           + std::to_string(largest_gap_) + ")";
  }

private:
  std::string watcher_;
  int64_t last_id_ = 0;
  int64_t pending_ = 0;
  int64_t delivered_ = 0;
  int64_t missed_ = 0;
  int64_t reports_ = 0;
  int64_t largest_gap_ = 0;
};

// Feeds the subscriber node's lines to `book` until it accounts for ids
// 1..rows, a line breaks the contract, or nothing arrives in time; then
// makes sure nothing more follows. Empty if all went well.
std::string read_until_accounted(cli_process& node, ledger& book,
                                 int64_t rows) {
  auto deadline = clock_type::now() + node_must_arrive;
  while (book.accounted() < rows) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - clock_type::now());
    if (left.count() <= 0)
      return "accounted for only " + std::to_string(book.accounted()) + " of "
             + std::to_string(rows) + " changes in time: " + book.summary();
    auto line = node.next_line(left);
    if (!line)
      continue;
    if (auto why = book.add(*line, rows); !why.empty())
      return why;
  }
  if (auto why = book.finish(rows); !why.empty())
    return why;
  if (auto extra = node.next_line(300ms))
    return "a line after ids 1.." + std::to_string(rows)
           + " were accounted for: " + *extra;
  return {};
}

struct fixture : cli_fixture {
  fixture() {
    db.exec("CREATE TABLE items (id int PRIMARY KEY, v int)");
  }

  void stop(cli_process& node) {
    node.signal(SIGTERM);
    CAF_CHECK_EQUAL(node.wait(node_must_arrive), 0);
  }

  // A round of the second test: a watcher node with [subscribers]
  // max_queued = `limit`, its subscriber node stopped while ids 1..rows are
  // inserted and continued right after the commit. True if the watcher node
  // had not yet published the whole burst when it was continued.
  bool resume_mid_burst(uint64_t limit, int64_t rows) {
    auto start = clock_type::now();
    db.exec("TRUNCATE items");
    auto watcher = start_watch_node(
      config(watcher_node_config(limit), "small_bound.toml"), "-");
    auto port_line = wait_for_line(*watcher, "port");
    CLI_REQUIRE(port_line, watcher->err());
    auto port = static_cast<uint16_t>(std::stoul(port_line->substr(5)));
    CAF_REQUIRE_NOT_EQUAL(port, 0);
    REQUIRE_LINE(*watcher, "ready");
    auto subscriber = start_remote_node(port, "items_new");
    REQUIRE_LINE(*subscriber, "ready_msg");
    // From here to SIGCONT no CAF_REQUIRE (see the first test).
    subscriber->signal(SIGSTOP);
    auto stopped = wait_for_state(subscriber->pid(), 'T');
    CAF_CHECK(stopped);
    db.exec("INSERT INTO items SELECT g, g FROM generate_series(1, "
            + std::to_string(rows) + ") g");
    subscriber->signal(SIGCONT);
    // Read after SIGCONT: fewer published now means fewer at SIGCONT too.
    auto at_resume = status_of(*watcher, "items_new");
    auto mid_burst = !at_resume.empty()
                     && at_resume["published"] < static_cast<uint64_t>(rows);
    ledger book{"items_new"};
    auto why = read_until_accounted(*subscriber, book, rows);
    CLI_CHECK(why.empty(), "max_queued " << limit << ": " << why << "\n"
                                         << book.summary()
                                         << "\nsubscriber node stderr:\n"
                                         << last_chars(subscriber->err()));
    CAF_CHECK_EQUAL(book.accounted(), rows);
    CAF_CHECK_GREATER_OR_EQUAL(book.reports(), 1);
    CAF_CHECK_GREATER_OR_EQUAL(book.delivered(), 1);
    // Every credit came back: the watcher node holds nothing for it.
    auto st = poll_status(*watcher, "items_new", [rows](auto& x) {
      return x["received"] >= static_cast<uint64_t>(rows) && x["queued"] == 0;
    });
    CAF_CHECK_EQUAL(st["received"], static_cast<uint64_t>(rows));
    CAF_CHECK_EQUAL(st["queued"], 0u);
    CAF_CHECK_LESS_OR_EQUAL(st["queue_high_water"], limit);
    CAF_CHECK_GREATER_OR_EQUAL(st["overflows"], 1u);
    // What the watcher node dropped is what the subscriber node was told it
    // missed, one report per overflow, unless the watcher node sent more
    // than the subscriber node's own topic holds (which then may drop and
    // report on its own).
    auto sent = static_cast<uint64_t>(rows) - st["overflow_dropped"];
    if (sent <= subscriber_node_bound) {
      CAF_CHECK_EQUAL(st["overflow_dropped"],
                      static_cast<uint64_t>(book.missed()));
      CAF_CHECK_EQUAL(st["overflows"], static_cast<uint64_t>(book.reports()));
    } else {
      CAF_MESSAGE("the watcher node sent " << sent << " changes: not checking "
                                           << "its counters against the "
                                           << "reports");
      CAF_CHECK_GREATER_OR_EQUAL(static_cast<uint64_t>(book.missed()),
                                 st["overflow_dropped"]);
    }
    stop(*subscriber);
    stop(*watcher);
    CAF_MESSAGE("max_queued "
                << limit << ", " << rows << " rows: continued "
                << (mid_burst ? "mid-burst" : "after the burst")
                << " (published " << at_resume["published"] << " of " << rows
                << " just after SIGCONT); " << book.summary()
                << "; watcher node: overflow_dropped " << st["overflow_dropped"]
                << ", overflows " << st["overflows"] << ", queue_high_water "
                << st["queue_high_water"] << "; took "
                << std::chrono::duration_cast<std::chrono::milliseconds>(
                     clock_type::now() - start)
                     .count()
                << " ms");
    return mid_burst;
  }
};

} // namespace

CAF_TEST_FIXTURE_SCOPE(remote_slow_tests, fixture)

CAF_TEST(
  a_stopped_subscriber_node_cannot_grow_the_watcher_node_and_is_told_what_it_missed) {
  auto start = clock_type::now();
  auto watcher = start_watch_node(config(watcher_node_config()), "-");
  auto port_line = wait_for_line(*watcher, "port");
  CLI_REQUIRE(port_line, watcher->err());
  auto port = static_cast<uint16_t>(std::stoul(port_line->substr(5)));
  CAF_REQUIRE_NOT_EQUAL(port, 0);
  REQUIRE_LINE(*watcher, "ready");
  auto subscriber = start_remote_node(port, "items_new");
  // ready_msg: the forwarder's subscription reached the watcher node.
  REQUIRE_LINE(*subscriber, "ready_msg");
  // Settle, then take the watcher node's idle size.
  std::this_thread::sleep_for(500ms);
  auto idle_rss = status_kib(watcher->pid(), "VmRSS");
  auto hwm_before = status_kib(watcher->pid(), "VmHWM");
  CAF_REQUIRE(idle_rss > 0);
  // From here to SIGCONT no CAF_REQUIRE: a failure must not leave a
  // stopped node behind (the destructors kill both nodes).
  subscriber->signal(SIGSTOP);
  auto stopped = wait_for_state(subscriber->pid(), 'T');
  CAF_CHECK(stopped);
  auto burst_start = clock_type::now();
  db.exec("INSERT INTO items SELECT g, g FROM generate_series(1, "
          + std::to_string(burst_rows) + ") g");
  auto inserted_after = clock_type::now() - burst_start;
  // Every change reached the watcher node and went through its topic: sent
  // to the stopped subscriber node (and not credited) or dropped for it.
  auto all_published = [](auto& x) {
    return x["published"] >= static_cast<uint64_t>(burst_rows)
           && x["queued"] + x["overflow_dropped"]
                >= static_cast<uint64_t>(burst_rows);
  };
  auto st = poll_status(*watcher, "items_new", all_published);
  auto published_after = clock_type::now() - burst_start;
  auto hwm = status_kib(watcher->pid(), "VmHWM");
  auto rss = status_kib(watcher->pid(), "VmRSS");
  CAF_CHECK_EQUAL(process_state(subscriber->pid()), 'T');
  subscriber->signal(SIGCONT);
  auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  CAF_MESSAGE("burst of " << burst_rows << " rows: inserted after "
                          << ms(inserted_after) << " ms, all published by "
                          << "the watcher node after " << ms(published_after)
                          << " ms");
  CAF_MESSAGE("watcher node memory: idle VmRSS "
              << idle_rss << " KiB (VmHWM " << hwm_before
              << " KiB), after the burst VmHWM " << hwm << " KiB, VmRSS " << rss
              << " KiB: peak " << (hwm - idle_rss) << " KiB above idle (bound "
              << max_growth_kib << " KiB)");
  CLI_CHECK(st["received"] == static_cast<uint64_t>(burst_rows)
              && st["queued"] + st["overflow_dropped"]
                   == static_cast<uint64_t>(burst_rows),
            "the watcher node received "
              << st["received"] << " of " << burst_rows << " changes, queued "
              << st["queued"] << " and dropped " << st["overflow_dropped"]
              << " for the subscriber node; stderr:\n"
              << last_chars(watcher->err()));
  CAF_MESSAGE("watcher node counters while the subscriber node was stopped: "
              "queued "
              << st["queued"] << ", queue_high_water " << st["queue_high_water"]
              << ", overflow_dropped " << st["overflow_dropped"]
              << ", overflows " << st["overflows"]);
  // The watcher node's own account of what it held for the subscriber.
  CAF_CHECK_LESS_OR_EQUAL(st["queue_high_water"], max_queued);
  CAF_CHECK_GREATER_OR_EQUAL(st["overflows"], 1u);
  if (sanitized_build)
    CAF_MESSAGE("sanitized build: the peak memory is not checked");
  else
    CAF_CHECK_LESS_OR_EQUAL(hwm - idle_rss, max_growth_kib);
  // Running again: the changes sent before the drop, then reports of what
  // was dropped, accounting for every id of the burst.
  ledger book{"items_new"};
  auto why = read_until_accounted(*subscriber, book, burst_rows);
  CLI_CHECK(why.empty(), why << "\n"
                             << book.summary() << "\nsubscriber node stderr:\n"
                             << last_chars(subscriber->err()));
  CAF_MESSAGE("subscriber node after SIGCONT: " << book.summary() << " of "
                                                << burst_rows);
  CAF_CHECK_GREATER_OR_EQUAL(book.reports(), 1);
  CAF_CHECK_GREATER_OR_EQUAL(book.delivered(), 1);
  CAF_CHECK_EQUAL(book.accounted(), burst_rows);
  // Its credits came back: the watcher node holds nothing for it, and what
  // it dropped is what the subscriber node was told it missed.
  st = poll_status(*watcher, "items_new",
                   [](auto& x) { return x["queued"] == 0; });
  CAF_CHECK_EQUAL(st["queued"], 0u);
  CAF_CHECK_EQUAL(st["overflow_dropped"], static_cast<uint64_t>(book.missed()));
  // Caught up, it gets every change again, after the reports.
  auto rows = burst_rows + after_rows;
  db.exec("INSERT INTO items SELECT g, g FROM generate_series("
          + std::to_string(burst_rows + 1) + ", " + std::to_string(rows)
          + ") g");
  auto missed_before = book.missed();
  why = read_until_accounted(*subscriber, book, rows);
  CLI_CHECK(why.empty(), why << "\n"
                             << book.summary() << "\nsubscriber node stderr:\n"
                             << last_chars(subscriber->err()));
  CAF_CHECK_EQUAL(book.missed(), missed_before);
  CAF_CHECK_EQUAL(book.accounted(), rows);
  stop(*subscriber);
  stop(*watcher);
  CAF_MESSAGE("took " << ms(clock_type::now() - start) << " ms");
}

CAF_TEST(
  a_subscriber_node_continued_mid_burst_gets_no_change_before_the_report_of_its_gap) {
  auto start = clock_type::now();
  int mid_burst = 0;
  for (auto limit : small_bounds)
    if (resume_mid_burst(limit, mid_burst_rows))
      ++mid_burst;
  CAF_MESSAGE(
    mid_burst << " of " << std::size(small_bounds)
              << " rounds continued the subscriber node mid-burst; "
              << "took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                   clock_type::now() - start)
                   .count()
              << " ms");
}

CAF_TEST_FIXTURE_SCOPE_END()
