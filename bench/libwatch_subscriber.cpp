// The libwatch side of the shared benchmark kit (shared/bench): a subscriber
// process speaking its protocol (READY, then one RESULT line), built on the
// public API only. Real watcher actors install their own triggers; subscriber
// actors join libwatch groups:
//   w1  one actor on the inserted watcher's general group (or, with --batch,
//       on its batch group: one message per drained burst)
//   w2  one actor on the update watcher's general group; latency per change
//   w3  BENCH_W3_SUBSCRIBERS actors, actor k on the group of primary key k
// Connection: the PG* environment variables, as for rawlisten.
//
//   libwatch_subscriber [--batch] [--statement | --wal]
// --statement installs statement-level triggers (trigger_level::statement).
// --wal reads the same watchers' changes from the WAL instead (source = wal,
// replication slot lw_<LIBWATCH_BENCH_WAL_SLOT>, default lw_bench_wal; the
// server needs wal_level = logical, and W2's trigger_columns need REPLICA
// IDENTITY FULL on items: bench/wal_delivery.sh sets both up).
// LIBWATCH_BENCH_CAF_THREADS=N sets CAF's scheduler.max-threads,
// LIBWATCH_BENCH_CAF_SLEEP_US=N its work-stealing.moderate-sleep-duration,
// LIBWATCH_BENCH_MAX_QUEUED=N `[subscribers] max_queued` (to compare with an
// effectively unbounded queue), LIBWATCH_BENCH_SLOW_NS=N makes the W1
// subscriber spend N ns per change (a slow subscriber: it then ends once
// delivered + reported missed changes reach BENCH_EXPECT, and prints the
// overflow reports and its idle RSS on stderr).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "libwatch.hpp"

#include "pg_timestamp.hpp"

using namespace libwatch;
using libwatch_bench::timestamp_ns;

namespace {

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

long env_long(const char* name, long fallback) {
  auto* v = std::getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

// Shared counters of all subscriber actors.
struct tally {
  long expect = 0;
  std::atomic<long> received{0};
  std::atomic<long> extra{0};
  std::atomic<int64_t> first_ns{0};
  std::atomic<int64_t> last_ns{0};
  std::atomic<long> joined{0};
  // Changes reported missed by overflow_msg.
  std::atomic<long> missed{0};
  std::atomic<long> overflows{0};
  std::mutex lat_mtx;
  std::vector<int64_t> latencies_us;

  void count(long n, int64_t t) {
    int64_t zero = 0;
    first_ns.compare_exchange_strong(zero, t);
    auto before = received.fetch_add(n);
    if (before < expect && before + n >= expect)
      last_ns = t;
    if (before + n > expect)
      extra += std::min<long>(n, before + n - expect);
  }
};

struct w1_state {
  std::vector<uint8_t> seen;
  long dup = 0;
};

std::atomic<long> w1_dups{0};

void check_id(w1_state& st, const change& c) {
  auto id = c.key().as_integer().value_or(-1);
  if (id <= 0)
    return;
  if (static_cast<size_t>(id) >= st.seen.size())
    st.seen.resize(static_cast<size_t>(id) * 2, 0);
  if (st.seen[id]++)
    ++w1_dups;
}

void spin_for(long ns) {
  auto until = now_ns() + ns;
  while (now_ns() < until) {
    // a subscriber doing slow work
  }
}

caf::behavior w1_subscriber(caf::stateful_actor<w1_state>* self, instance lw,
                            tally* t, bool batched, long slow_ns) {
  self->state.seen.resize(static_cast<size_t>(t->expect) + 2, 0);
  if (batched)
    self->join(*lw.all_batched("items:inserted"));
  else
    self->join(*lw.all("items:inserted"));
  ++t->joined;
  return {
    [=](const change& c) {
      if (slow_ns > 0)
        spin_for(slow_ns);
      t->count(1, now_ns());
      check_id(self->state, c);
    },
    [=](const change_batch& b) {
      if (slow_ns > 0)
        spin_for(slow_ns * static_cast<long>(b.changes.size()));
      t->count(static_cast<long>(b.changes.size()), now_ns());
      for (auto& c : b.changes)
        check_id(self->state, c);
    },
    [=](const overflow_msg& x) {
      t->missed += static_cast<long>(x.missed);
      ++t->overflows;
    },
    [](const ready_msg&) {},
    [](const disconnected_msg&) {},
    [](const resumed_msg&) {},
  };
}

struct key_state {
  long count = 0;
  long foreign = 0;
  std::vector<int64_t> latencies_us;
  // Where to hand in the results when the actor ends (the state is destroyed
  // then; attach_functor would run too late to read it).
  tally* t = nullptr;
  std::atomic<long>* subs_ok = nullptr;
  long per_sub = 0;
  int64_t key = 0;

  ~key_state() {
    if (t == nullptr)
      return;
    std::lock_guard<std::mutex> guard{t->lat_mtx};
    t->latencies_us.insert(t->latencies_us.end(), latencies_us.begin(),
                           latencies_us.end());
    if (key != 0 && count == per_sub && foreign == 0)
      ++*subs_ok;
  }
};

// W2 (key = 0: every change) and W3 (one subscriber per key).
caf::behavior update_subscriber(caf::stateful_actor<key_state>* self,
                                instance lw, tally* t, int64_t key,
                                std::atomic<long>* subs_ok, long per_sub) {
  if (key == 0)
    self->join(*lw.all("item_qty_updated"));
  else
    self->join(*lw.by_key("item_qty_updated", key));
  ++t->joined;
  self->state.t = t;
  self->state.subs_ok = subs_ok;
  self->state.per_sub = per_sub;
  self->state.key = key;
  return {
    [=](const change& c) {
      auto t_ns = now_ns();
      auto& st = self->state;
      ++st.count;
      if (key != 0 && c.key().as_integer() != key)
        ++st.foreign;
      if (auto ts = c.find("updated_at"); ts && ts->as_string()) {
        auto at = timestamp_ns(*ts->as_string());
        if (at > 0)
          st.latencies_us.push_back((t_ns - at) / 1000);
      }
      t->count(1, t_ns);
    },
    [](const ready_msg&) {},
    [](const disconnected_msg&) {},
    [](const resumed_msg&) {},
    [=](const overflow_msg& x) {
      t->missed += static_cast<long>(x.missed);
      ++t->overflows;
    },
  };
}

long rss_kb() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

} // namespace

int main(int argc, char** argv) {
  bool batched = false;
  bool wal = false;
  auto level = trigger_level::row;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--batch") == 0) {
      batched = true;
    } else if (std::strcmp(argv[i], "--statement") == 0) {
      level = trigger_level::statement;
    } else if (std::strcmp(argv[i], "--wal") == 0) {
      wal = true;
    } else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (wal && level != trigger_level::row) {
    std::fprintf(stderr, "--wal has no trigger, hence no --statement\n");
    return 2;
  }
  std::string workload
    = std::getenv("BENCH_WORKLOAD") ? std::getenv("BENCH_WORKLOAD") : "w1";
  tally t;
  t.expect = env_long("BENCH_EXPECT", 100000);
  auto grace_ms = env_long("BENCH_GRACE_MS", 500);
  auto timeout_s = env_long("BENCH_TIMEOUT_S", 300);
  long subscribers = env_long("BENCH_W3_SUBSCRIBERS", 1000);
  long per_sub = env_long("BENCH_W3_PER_SUB", 10);
  caf::actor_system_config cfg;
  register_types(cfg);
  // Lets the benchmark compare scheduler sizes (default: one per core).
  if (auto threads = env_long("LIBWATCH_BENCH_CAF_THREADS", 0); threads > 0)
    cfg.set("scheduler.max-threads", static_cast<size_t>(threads));
  // ... and how long an idle scheduler thread sleeps between polls (CAF's
  // default: 50 us after the first 100 polls, 10 ms after 500 more).
  if (auto us = env_long("LIBWATCH_BENCH_CAF_SLEEP_US", 0); us > 0)
    cfg.set("work-stealing.moderate-sleep-duration",
            caf::timespan{std::chrono::microseconds(us)});
  caf::actor_system sys{cfg};
  watch_config config; // connection from the PG* variables
  if (auto n = env_long("LIBWATCH_BENCH_MAX_QUEUED", 0); n > 0)
    config.subscribers.max_queued = static_cast<uint32_t>(n);
  auto slow_ns = env_long("LIBWATCH_BENCH_SLOW_NS", 0);
  auto spec = watcher_spec::on("items", event_kind::inserted)
                .with_extra_columns({"owner_id"});
  if (workload != "w1")
    spec = watcher_spec::on("items", event_kind::updated)
             .labelled("item_qty_updated")
             .with_trigger_columns({"qty"})
             .with_extra_columns({"updated_at"});
  if (wal) {
    spec.from_wal();
    auto* slot = std::getenv("LIBWATCH_BENCH_WAL_SLOT");
    config.wal.slot = slot && *slot ? slot : "bench_wal";
  } else {
    spec.with_trigger_level(level);
  }
  config.watchers = {spec};
  auto lw = spawn_watchers(sys, config);
  if (!lw) {
    std::fprintf(stderr, "%s\n", describe(lw.error()).c_str());
    return 1;
  }
  if (auto err = lw->await_ready(std::chrono::seconds(60))) {
    std::fprintf(stderr, "%s\n", describe(err).c_str());
    lw->stop();
    return 1;
  }
  std::atomic<long> subs_ok{0};
  long wanted = 1;
  if (workload == "w1") {
    sys.spawn(w1_subscriber, *lw, &t, batched, slow_ns);
  } else if (workload == "w2") {
    sys.spawn(update_subscriber, *lw, &t, int64_t{0}, &subs_ok, per_sub);
  } else {
    wanted = subscribers;
    for (long k = 1; k <= subscribers; ++k)
      sys.spawn(update_subscriber, *lw, &t, int64_t{k}, &subs_ok, per_sub);
  }
  while (t.joined < wanted)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::fprintf(stderr, "idle_rss_kb=%ld\n", rss_kb());
  std::puts("READY");
  std::fflush(stdout);
  auto deadline = now_ns() + timeout_s * 1'000'000'000;
  while (now_ns() < deadline) {
    if (t.received >= t.expect && now_ns() >= t.last_ns + grace_ms * 1'000'000)
      break;
    // A slow subscriber is done once every change is delivered or reported.
    if (slow_ns > 0 && t.received + t.missed >= t.expect)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto received = std::min(t.received.load(), t.expect);
  for (auto& w : lw->status().watchers)
    std::fprintf(stderr, "queue_high_water=%llu overflow_dropped=%llu\n",
                 static_cast<unsigned long long>(w.queue_high_water),
                 static_cast<unsigned long long>(w.overflow_dropped));
  if (t.overflows > 0)
    std::fprintf(stderr, "overflow reports=%ld missed=%ld delivered=%ld\n",
                 t.overflows.load(), t.missed.load(), t.received.load());
  auto extra = t.extra.load();
  auto first = t.first_ns.load();
  auto last = t.last_ns.load();
  // Stopping releases the subscribers; they hand in latencies as they end.
  lw->stop();
  sys.await_all_actors_done();
  if (auto* lat_file = std::getenv("BENCH_LAT_FILE");
      lat_file && workload != "w1") {
    std::ofstream out{lat_file};
    for (auto us : t.latencies_us)
      out << us << '\n';
  }
  std::printf(
    "RESULT received=%ld extra=%ld dup=%ld first_ns=%lld last_ns=%lld",
    received, extra, workload == "w1" ? w1_dups.load() : -1L,
    static_cast<long long>(first), static_cast<long long>(last));
  if (workload == "w3")
    std::printf(" subs_ok=%ld subs_bad=%ld", subs_ok.load(),
                subscribers - subs_ok.load());
  std::printf("\n");
  std::fflush(stdout);
  return received == t.expect ? 0 : 1;
}
