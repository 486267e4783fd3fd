#!/usr/bin/env python3
"""Remote vs local delivery over loopback (docs/performance.md, "Several nodes").

Starts a watcher node (with a local subscriber) publishing on [cluster] and a
subscriber node connected to it (tests/harness/node.cpp), then measures
  latency:    N single-row transactions, 5 ms apart; per change, arrival
              time minus the row's clock_timestamp() at insert
  throughput: one transaction of M rows; changes/s between the first and
              the last arrival at each subscriber
  usage: remote_delivery_bench.py DSN NODE_BINARY [N] [M]
"""
import os, re, subprocess, sys, tempfile, threading, time

dsn, node = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 500
m = int(sys.argv[4]) if len(sys.argv) > 4 else 100000

def psql(sql):
    subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", dsn],
                   input=sql, text=True, check=True, stdout=subprocess.DEVNULL)

psql("DROP TABLE IF EXISTS bench_rows; "
     "CREATE TABLE bench_rows (id bigint PRIMARY KEY, t bigint)")
cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
cfg.write(f'[database]\nconninfo = "{dsn}"\n[cluster]\nlisten = "127.0.0.1:0"\n'
          '[[watcher]]\ntable = "bench_rows"\nevent = "inserted"\n'
          'label = "bench"\nextra_columns = ["t"]\n')
cfg.close()
env = dict(os.environ, LIBWATCH_NODE_STAMP="1")

class Node:
    def __init__(self, args):
        self.p = subprocess.Popen([node] + args, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, env=env)
        self.lines, self.cv = [], threading.Condition()
        threading.Thread(target=self.read, daemon=True).start()
    def read(self):
        for line in self.p.stdout:
            with self.cv:
                self.lines.append(line.rstrip("\n"))
                self.cv.notify_all()
    def wait(self, pred):
        with self.cv:
            self.cv.wait_for(lambda: pred(self.lines), timeout=120)
    def changes(self):
        with self.cv:
            return [l for l in self.lines if l.startswith("change ")]

watcher = Node(["watch", cfg.name, "bench"])
watcher.wait(lambda ls: any(l == "ready" for l in ls))
port = next(l for l in watcher.lines if l.startswith("port ")).split()[1]
remote = Node(["remote", "127.0.0.1", port, "bench"])
remote.wait(lambda ls: any(l == "ready_msg" for l in ls))
pat = re.compile(r'^change (\d+) .*field\("id", (\d+)\), libwatch::field\("t", (\d+)\)')

def parsed(node):
    out = {}
    for l in node.changes():
        g = pat.match(l)
        if g:
            out[int(g.group(2))] = (int(g.group(1)), int(g.group(3)))
    return out

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100.0 * len(xs)))]

# Latency: one row per transaction.
psql("".join(f"INSERT INTO bench_rows VALUES ({i}, (extract(epoch FROM "
             f"clock_timestamp()) * 1e6)::bigint); SELECT pg_sleep(0.005);\n"
             for i in range(1, n + 1)))
for node in (watcher, remote):
    node.wait(lambda ls: sum(l.startswith("change ") for l in ls) >= n)
for name, node in (("local", watcher), ("remote", remote)):
    lat = [arr - t for arr, t in parsed(node).values()]
    print(f"{name:6} latency over {len(lat)} rows: p50 {pct(lat, 50)} us, "
          f"p90 {pct(lat, 90)} us, p99 {pct(lat, 99)} us")

# Throughput: one transaction of m rows.
psql(f"INSERT INTO bench_rows SELECT g, 0 FROM generate_series({n + 1}, "
     f"{n + m}) g")
for node in (watcher, remote):
    node.wait(lambda ls: sum(l.startswith("change ") for l in ls) >= n + m)
for name, node in (("local", watcher), ("remote", remote)):
    arr = [a for i, (a, _) in parsed(node).items() if i > n]
    span = (max(arr) - min(arr)) / 1e6
    print(f"{name:6} throughput: {len(arr)} changes in {span:.3f} s = "
          f"{len(arr) / span:,.0f} changes/s")

for node in (remote, watcher):
    node.p.terminate()
    node.p.wait(timeout=60)
os.unlink(cfg.name)
