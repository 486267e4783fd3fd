// The reference of the WAL delivery benchmark (bench/wal_delivery.sh):
// PostgreSQL's own logical replication client, pg_recvlogical, streaming the
// pgoutput stream libwatch's WAL source reads (same plugin, protocol version
// and publication contents), behind the shared kit's subscriber protocol
// (READY, then one RESULT line; shared/bench/README.md).
//
// pg_recvlogical writes each pgoutput message to its stdout, a pipe to this
// program, which walks the messages (pgoutput_reader.hpp) and counts the
// row changes when their bytes arrive: W1 counts inserts (and checks their
// ids for duplicates), W2 updates, with latency = arrival − the row's
// updated_at as pgoutput carries it. So the figures are pg_recvlogical's
// receive-and-write path plus one pipe hop and a minimal parse, the least
// any consumer of this stream does. W3 is not supported.
//
// Before READY: publication `recvlogical_bench` on items (inserts only for
// W1, as libwatch's insert-only publication; everything for W2, as its main
// one), a fresh pgoutput slot `recvlogical_bench`, pg_recvlogical started and
// its walsender active. After the run both are dropped, so no slot retains
// WAL or replays anything into the next run.
//
// Connection: the PG* environment variables. PG_RECVLOGICAL overrides the
// program's path (default /usr/lib/postgresql/15/bin/pg_recvlogical).
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <libpq-fe.h>

#include "pg_timestamp.hpp"
#include "pgoutput_reader.hpp"

using namespace libwatch_bench;

namespace {

constexpr const char* name = "recvlogical_bench"; // slot and publication

int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

long env_long(const char* var, long fallback) {
  auto* v = std::getenv(var);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

std::string env_text(const char* var, const char* fallback) {
  auto* v = std::getenv(var);
  return v && *v ? v : fallback;
}

using connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using result = std::unique_ptr<PGresult, decltype(&PQclear)>;

// Runs `sql`; the first row's first value ("" if none). Throws on failure.
std::string exec(PGconn* conn, const std::string& sql) {
  result res{PQexec(conn, sql.c_str()), &PQclear};
  auto status = PQresultStatus(res.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error(sql + ": " + PQerrorMessage(conn));
  return PQntuples(res.get()) > 0 && PQnfields(res.get()) > 0
           ? PQgetvalue(res.get(), 0, 0)
           : "";
}

std::string drop_slot_sql() {
  return std::string{"SELECT pg_drop_replication_slot(slot_name) FROM "
                     "pg_replication_slots WHERE slot_name = '"}
         + name + "'";
}

std::string slot_active_sql() {
  return std::string{"SELECT active FROM pg_replication_slots WHERE "
                     "slot_name = '"}
         + name + "'";
}

// A fresh slot and publication for `workload`'s stream.
void set_up(PGconn* conn, const std::string& workload) {
  exec(conn, drop_slot_sql()); // left by a run that crashed
  exec(conn, std::string{"DROP PUBLICATION IF EXISTS "} + name);
  exec(conn, std::string{"CREATE PUBLICATION "} + name + " FOR TABLE items"
               + (workload == "w1" ? " WITH (publish = 'insert')" : ""));
  exec(conn, std::string{"SELECT pg_create_logical_replication_slot('"} + name
               + "', 'pgoutput')");
}

// Drops the slot once pg_recvlogical's walsender has let go of it.
void tear_down(PGconn* conn) {
  for (int i = 0; i < 500 && exec(conn, slot_active_sql()) == "t"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  exec(conn, drop_slot_sql());
  exec(conn, std::string{"DROP PUBLICATION IF EXISTS "} + name);
}

// Starts pg_recvlogical on the slot, its stdout into a pipe; returns the
// pipe's read end.
int start_recvlogical(pid_t& pid) {
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error(std::string{"pipe: "} + std::strerror(errno));
  auto program
    = env_text("PG_RECVLOGICAL", "/usr/lib/postgresql/15/bin/pg_recvlogical");
  auto db = env_text("PGDATABASE", "bench");
  pid = fork();
  if (pid == 0) {
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    // -F 0: no fsync (a pipe); -s 1: confirm every second; -n: no retries.
    execl(program.c_str(), "pg_recvlogical", "--start", "--slot", name,
          "--dbname", db.c_str(), "--plugin", "pgoutput", "--option",
          "proto_version=1", "--option",
          (std::string{"publication_names="} + name).c_str(), "-F", "0", "-s",
          "1", "-n", "-f", "-", static_cast<char*>(nullptr));
    std::perror("exec pg_recvlogical");
    _exit(127);
  }
  close(fds[1]);
  if (pid < 0)
    throw std::runtime_error(std::string{"fork: "} + std::strerror(errno));
  return fds[0];
}

struct tally {
  long expect = 0;
  long received = 0;
  long extra = 0;
  long dup = 0;
  int64_t first_ns = 0;
  int64_t last_ns = 0;
  std::vector<uint8_t> seen; // W1: ids
  std::vector<int64_t> latencies_us;

  void count(const pgoutput_change& c, bool w1, int64_t t) {
    if (c.type != (w1 ? 'I' : 'U'))
      return;
    if (first_ns == 0)
      first_ns = t;
    if (++received == expect)
      last_ns = t;
    if (received > expect)
      ++extra;
    if (w1) {
      auto id = c.find("id");
      auto k = id ? std::strtol(std::string{*id}.c_str(), nullptr, 10) : -1;
      if (k > 0) {
        if (static_cast<size_t>(k) >= seen.size())
          seen.resize(static_cast<size_t>(k) * 2 + 1, 0);
        if (seen[k]++)
          ++dup;
      }
    } else if (auto at = c.find("updated_at")) {
      auto at_ns = timestamp_ns(*at);
      if (at_ns > 0)
        latencies_us.push_back((t - at_ns) / 1000);
    }
  }
};

// Reads pg_recvlogical's output until `expect` changes plus the grace
// period, the timeout, or the end of its output.
void receive(int fd, bool w1, long grace_ms, int64_t deadline, tally& t) {
  pgoutput_reader reader;
  pgoutput_change change;
  std::string buf;
  size_t start = 0; // first unread byte of buf
  std::vector<char> chunk(1 << 20);
  for (;;) {
    auto now = now_ns();
    if (now >= deadline
        || (t.received >= t.expect && now >= t.last_ns + grace_ms * 1'000'000))
      return;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 1) <= 0)
      continue;
    auto n = read(fd, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::fprintf(stderr, "pg_recvlogical's output ended\n");
      return;
    }
    auto arrived = now_ns();
    buf.append(chunk.data(), static_cast<size_t>(n));
    while (auto used
           = reader.next(std::string_view{buf}.substr(start), change)) {
      t.count(change, w1, arrived);
      start += used;
    }
    if (start > buf.size() / 2) {
      buf.erase(0, start);
      start = 0;
    }
  }
}

} // namespace

int main() {
  std::string workload = env_text("BENCH_WORKLOAD", "w1");
  if (workload != "w1" && workload != "w2") {
    std::fprintf(stderr, "recvlogical_subscriber: only w1 and w2\n");
    return 2;
  }
  bool w1 = workload == "w1";
  tally t;
  t.expect = env_long("BENCH_EXPECT", 100000);
  auto grace_ms = env_long("BENCH_GRACE_MS", 500);
  auto timeout_s = env_long("BENCH_TIMEOUT_S", 300);
  signal(SIGPIPE, SIG_IGN);
  connection conn{PQconnectdb(""), &PQfinish};
  pid_t child = -1;
  try {
    if (PQstatus(conn.get()) != CONNECTION_OK)
      throw std::runtime_error(std::string{"connect: "}
                               + PQerrorMessage(conn.get()));
    exec(conn.get(), "SET client_min_messages = warning");
    set_up(conn.get(), workload);
    int fd = start_recvlogical(child);
    // READY once the walsender streams the slot: from then on every change
    // committed goes to pg_recvlogical as soon as it is decoded.
    auto ready_deadline = now_ns() + int64_t{30} * 1'000'000'000;
    while (exec(conn.get(), slot_active_sql()) != "t") {
      if (now_ns() > ready_deadline || waitpid(child, nullptr, WNOHANG) != 0)
        throw std::runtime_error("pg_recvlogical did not start streaming");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::puts("READY");
    std::fflush(stdout);
    receive(fd, w1, grace_ms, now_ns() + timeout_s * 1'000'000'000, t);
    kill(child, SIGINT);
    waitpid(child, nullptr, 0);
    child = -1;
    close(fd);
    tear_down(conn.get());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "recvlogical_subscriber: %s\n", e.what());
    if (child > 0) {
      kill(child, SIGKILL);
      waitpid(child, nullptr, 0);
    }
    return 1;
  }
  if (auto* lat_file = std::getenv("BENCH_LAT_FILE"); lat_file && !w1) {
    std::ofstream out{lat_file};
    for (auto us : t.latencies_us)
      out << us << '\n';
  }
  std::printf("RESULT received=%ld extra=%ld dup=%ld first_ns=%lld "
              "last_ns=%lld\n",
              std::min(t.received, t.expect), t.extra, w1 ? t.dup : -1L,
              static_cast<long long>(t.first_ns),
              static_cast<long long>(t.last_ns));
  std::fflush(stdout);
  return t.received >= t.expect ? 0 : 1;
}
