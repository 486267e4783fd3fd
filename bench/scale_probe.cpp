// Measures what scale costs, on the shared kit's cluster (PG* variables):
//   keys      RSS per primary-key subscription: 100 actors join 1,000
//             by_key groups each (100,000 subscriptions); then 1,000 rows
//             are updated and every subscribed key must arrive exactly once.
//   watchers  100 watchers (one per table) on one connection: time to ready,
//             RSS, libwatch's connections in pg_stat_activity (the LISTEN
//             connection and the DDL worker's), and one insert
//             into every table arriving at its watcher's subscriber.
// Prints `key=value` lines. Creates and drops tables lw_probe_1..100.
//
//   scale_probe keys|watchers
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <unistd.h>

#include <caf/all.hpp>

#include "libwatch.hpp"
#include "libwatch/pg/connection.hpp"

using namespace libwatch;
using namespace std::chrono_literals;

namespace {

long rss_kb() {
  std::ifstream statm{"/proc/self/statm"};
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t)
    .count();
}

void must(const caf::error& err, const char* what) {
  if (err) {
    std::fprintf(stderr, "%s: %s\n", what, describe(err).c_str());
    std::exit(1);
  }
}

pg::connection connect() {
  auto conn = pg::connection::open("", "scale_probe");
  if (!conn)
    must(conn.error(), "connecting");
  return std::move(*conn);
}

void exec(pg::connection& conn, const std::string& sql) {
  auto res = conn.exec("scale_probe", sql, {});
  if (!res)
    must(res.error(), sql.c_str());
}

struct counter {
  std::atomic<long> joined{0};
  std::atomic<long> received{0};
};

// Joins the by_key groups of keys [first, first + count).
caf::behavior key_subscriber(caf::event_based_actor* self, instance lw,
                             counter* c, int64_t first, int64_t count) {
  for (int64_t k = first; k < first + count; ++k) {
    auto g = lw.by_key("item_qty_updated", value::of_integer(k));
    if (!g)
      must(g.error(), "by_key");
    self->join(*g);
  }
  c->joined += 1;
  return {
    [=](const change&) { c->received += 1; },
    [](const ready_msg&) {},
  };
}

caf::behavior all_subscriber(caf::event_based_actor* self, instance lw,
                             counter* c, std::string watcher) {
  self->join(*lw.all(watcher));
  c->joined += 1;
  return {
    [=](const change&) { c->received += 1; },
    [](const ready_msg&) {},
  };
}

void wait_for(std::atomic<long>& x, long n, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (x < n && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
}

int probe_keys(caf::actor_system& sys) {
  auto conn = connect();
  exec(conn, "TRUNCATE items RESTART IDENTITY");
  exec(conn, "INSERT INTO items (label, qty, owner_id) SELECT 'item ' || i, "
             "0, i % 100 FROM generate_series(1, 100000) i");
  watch_config config;
  config.watchers = {watcher_spec::on("items", event_kind::updated)
                       .labelled("item_qty_updated")
                       .with_trigger_columns({"qty"})};
  auto lw = spawn_watchers(sys, config);
  if (!lw)
    must(lw.error(), "spawn_watchers");
  must(lw->await_ready(60s), "await_ready");
  counter c;
  auto before = rss_kb();
  auto start = std::chrono::steady_clock::now();
  constexpr int64_t actors = 100;
  constexpr int64_t per_actor = 1000;
  for (int64_t a = 0; a < actors; ++a)
    sys.spawn(key_subscriber, *lw, &c, a * per_actor + 1, per_actor);
  wait_for(c.joined, actors, 120s);
  auto join_s = seconds_since(start);
  auto after = rss_kb();
  std::printf("subscriptions=%ld join_s=%.3f rss_before_kb=%ld "
              "rss_after_kb=%ld bytes_per_subscription=%.0f\n",
              static_cast<long>(actors * per_actor), join_s, before, after,
              (after - before) * 1024.0 / (actors * per_actor));
  start = std::chrono::steady_clock::now();
  exec(conn, "UPDATE items SET qty = qty + 1 WHERE id % 100 = 0");
  wait_for(c.received, 1000, 60s);
  std::printf("updated_rows=1000 received=%ld delivery_s=%.3f\n",
              c.received.load(), seconds_since(start));
  std::this_thread::sleep_for(500ms);
  std::printf("received_after_grace=%ld\n", c.received.load());
  lw->stop();
  return c.received == 1000 ? 0 : 1;
}

int probe_watchers(caf::actor_system& sys) {
  constexpr int tables = 100;
  auto conn = connect();
  watch_config config;
  config.application_name = "libwatch_scale_probe";
  for (int i = 1; i <= tables; ++i) {
    auto name = "lw_probe_" + std::to_string(i);
    exec(conn, "DROP TABLE IF EXISTS " + name);
    exec(conn, "CREATE TABLE " + name + " (id bigserial PRIMARY KEY, v int)");
    config.watchers.push_back(
      watcher_spec::on(name, event_kind::inserted).with_extra_columns({"v"}));
  }
  auto before = rss_kb();
  auto start = std::chrono::steady_clock::now();
  auto lw = spawn_watchers(sys, config);
  if (!lw)
    must(lw.error(), "spawn_watchers");
  must(lw->await_ready(120s), "await_ready");
  auto ready_s = seconds_since(start);
  counter c;
  for (int i = 1; i <= tables; ++i)
    sys.spawn(all_subscriber, *lw, &c,
              "lw_probe_" + std::to_string(i) + ":inserted");
  wait_for(c.joined, tables, 60s);
  auto res = conn.exec("scale_probe",
                       "SELECT count(*) FROM pg_stat_activity WHERE "
                       "application_name LIKE 'libwatch_scale_probe%'",
                       {});
  if (!res)
    must(res.error(), "pg_stat_activity");
  std::string connections{res->get(0, 0)};
  start = std::chrono::steady_clock::now();
  exec(conn, "BEGIN");
  for (int i = 1; i <= tables; ++i)
    exec(conn, "INSERT INTO lw_probe_" + std::to_string(i) + " (v) VALUES (1)");
  exec(conn, "COMMIT");
  wait_for(c.received, tables, 60s);
  std::printf("watchers=%d ready_s=%.3f rss_before_kb=%ld rss_after_kb=%ld "
              "connections=%s received=%ld delivery_s=%.3f\n",
              tables, ready_s, before, rss_kb(), connections.c_str(),
              c.received.load(), seconds_since(start));
  lw->stop();
  for (int i = 1; i <= tables; ++i)
    exec(conn, "DROP TABLE lw_probe_" + std::to_string(i));
  return c.received == tables ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2
      || (std::strcmp(argv[1], "keys") != 0
          && std::strcmp(argv[1], "watchers") != 0)) {
    std::fprintf(stderr, "usage: scale_probe keys|watchers\n");
    return 2;
  }
  caf::actor_system_config cfg;
  register_types(cfg);
  caf::actor_system sys{cfg};
  return std::strcmp(argv[1], "keys") == 0 ? probe_keys(sys)
                                           : probe_watchers(sys);
}
