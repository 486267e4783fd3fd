#!/usr/bin/env bash
# What watching costs the writers, on the shared kit's cluster and `items`
# table: row-level vs statement-level libwatch triggers vs no trigger, and
# durable (at-least-once) watchers woken by NOTIFY or by polling, and WAL
# watchers (source = "wal"; the cluster is switched to wal_level = logical
# for every mode, so all modes pay the same WAL volume): `wal` watches every
# update (no trigger_columns, default replica identity), `wal_full` filters
# by trigger_columns, which needs REPLICA IDENTITY FULL (old rows in the WAL).
#   1. a 100,000-row UPDATE filtered by trigger_columns = ["qty"]: once
#      changing qty on every row (all rows qualify), once changing only
#      updated_at (none qualifies); the statement time as psql measures it;
#   2. pgbench, 1 / 8 / 32 concurrent writers doing single-row autocommit
#      updates (W2's statement on random ids of 100,000 rows) while
#      `libwatch tail` listens: transactions/s and mean latency.
# Rounds are interleaved across modes; the table gives medians.
#
#   bench/write_path.sh [ROUNDS] [PGBENCH_SECONDS]     (default 5 and 10)
#
# Needs bench/run.sh's cluster (BENCH_ROOT, default /tmp/libwatch-bench) and
# builds what it needs in build/benchmarks. Results: build/benchmarks/write_path.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=${1:-5}
seconds=${2:-10}
out=$root/build/benchmarks
export BENCH_ROOT=${BENCH_ROOT:-/tmp/libwatch-bench}
cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLIBWATCH_BUILD_TESTS=OFF -DLIBWATCH_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$out" -j2 --target libwatch_cli >/dev/null
cli=$out/cli/libwatch
kit=$out/kit
if [ ! -x "$kit/cluster.sh" ]; then
  cp -r "${LIBWATCH_BENCH_KIT:-$root/../shared/bench}" "$kit"
  chmod -R u+w "$kit"
fi
"$kit/cluster.sh" init >/dev/null
eval "$("$kit/cluster.sh" env)"
export PGOPTIONS="-c client_min_messages=warning"
pg() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
source "$root/bench/logical_wal.sh"
ensure_logical_wal_level
results=$out/write_path.txt
: >"$results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The watcher of the kit's W2: updates of qty, carrying updated_at.
# Modes: none, row, statement, durable_notify, durable_poll (row level).
write_config() { # MODE LEVEL EXTRA
  cat >"$work/$1.toml" <<TOML
[database]
conninfo = "host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER"
[durable]
consumer = "write_path_bench"
poll_interval = "100ms"
[wal]
slot = "write_path_bench"
[[watcher]]
table = "items"
event = "updated"
label = "item_qty_updated"
extra_columns = ["updated_at"]
$2
$3
TOML
}
qty='trigger_columns = ["qty"]'
write_config row "$qty" ""
write_config statement "$qty" 'trigger_level = "statement"'
write_config durable_notify "$qty" 'delivery = "at_least_once"
wakeup = "notify"'
write_config durable_poll "$qty" 'delivery = "at_least_once"
wakeup = "poll"'
write_config wal "" 'source = "wal"'
write_config wal_full "$qty" 'source = "wal"'
modes="none row statement durable_notify durable_poll wal wal_full"

reset_table() { # MODE
  local identity=DEFAULT
  [ "${1:-}" = wal_full ] && identity=FULL
  # No slot outlives its mode: an unread slot would make the next WAL run
  # decode everything the other modes wrote meanwhile.
  pg -c "$(wal_consumer_reset_sql write_path_bench)" \
     -c "ALTER TABLE items REPLICA IDENTITY $identity" \
     -c "DROP TRIGGER IF EXISTS lw_item_qty_updated_trigger ON items" \
     -c "TRUNCATE items RESTART IDENTITY" \
     -c "DROP SCHEMA IF EXISTS libwatch CASCADE" \
     -c "INSERT INTO items (label, qty, owner_id) SELECT 'item ' || i, 0,
           i % 100 FROM generate_series(1, 100000) i" \
     -c "VACUUM ANALYZE items" -c "CHECKPOINT"
}

install() { # MODE
  [ "$1" = none ] || "$cli" install "$work/$1.toml" >/dev/null
}

statement_ms() { # SQL -> milliseconds
  pg -c '\timing on' -c "$1" | awk '/^Time:/ { print $2 }'
}

cat >"$work/update.sql" <<'SQL'
\set id random(1, 100000)
UPDATE items SET qty = qty + 1, updated_at = clock_timestamp() WHERE id = :id;
SQL

for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  for mode in $modes; do
    reset_table "$mode" >/dev/null
    install "$mode"
    ms=$(statement_ms "UPDATE items SET qty = qty + 1")
    echo "mode=$mode test=update_all_qualify ms=$ms" >>"$results"
    ms=$(statement_ms "UPDATE items SET updated_at = now()")
    echo "mode=$mode test=update_none_qualify ms=$ms" >>"$results"
  done
  for clients in 1 8 32; do
    for mode in $modes; do
      reset_table "$mode" >/dev/null
      listener=""
      if [ "$mode" != none ]; then
        "$cli" tail "$work/$mode.toml" >/dev/null 2>&1 &
        listener=$!
        # tail installs the trigger (or the slot, and streams it); wait
        # until it is in place.
        until [ "$(pg -tAc "SELECT (SELECT count(*) FROM pg_trigger
                 WHERE tgname = 'lw_item_qty_updated_trigger')
                 + (SELECT count(*) FROM pg_replication_slots
                 WHERE slot_name = 'lw_write_path_bench' AND active)")" = 1 ]; do
          sleep 0.1
        done
        sleep 0.5
      fi
      pgbench -n -f "$work/update.sql" -c "$clients" -j "$clients" \
        -T "$seconds" >"$work/pgbench.out" 2>&1
      tps=$(awk '/^tps = / { print $3 }' "$work/pgbench.out")
      lat=$(awk '/^latency average = / { print $4 }' "$work/pgbench.out")
      echo "mode=$mode test=pgbench clients=$clients tps=$tps latency_ms=$lat" \
        >>"$results"
      if [ -n "$listener" ]; then
        kill -INT "$listener"
        wait "$listener" || true
      fi
    done
  done
done
reset_table none >/dev/null

awk '
function median(key,   n, i, j, t, a) {
  n = split(vals[key], a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n == 0 ? 0 : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
{
  delete f
  for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
  if (f["test"] == "pgbench") {
    k = f["mode"] "/" f["clients"]
    vals[k "/tps"] = vals[k "/tps"] " " f["tps"]; vals[k "/lat"] = vals[k "/lat"] " " f["latency_ms"]
  } else {
    k = f["mode"] "/" f["test"]; vals[k] = vals[k] " " f["ms"]
  }
}
END {
  print "| 100,000-row UPDATE, trigger_columns = [qty] (ms, vs no trigger) | no trigger | row level | statement level | durable, notify | durable, poll | WAL | WAL, identity FULL |"
  print "|---|---|---|---|---|---|---|---|"
  split("update_all_qualify update_none_qualify", tests, " ")
  for (t = 1; t <= 2; t++) {
    n = median("none/" tests[t]); r = median("row/" tests[t]); s = median("statement/" tests[t])
    dn = median("durable_notify/" tests[t]); dp = median("durable_poll/" tests[t])
    w = median("wal/" tests[t]); wf = median("wal_full/" tests[t])
    printf "| %s | %.0f | %.0f (%.2f) | %.0f (%.2f) | %.0f (%.2f) | %.0f (%.2f) | %.0f (%.2f) | %.0f (%.2f) |\n", tests[t] == "update_all_qualify" ? "SET qty = qty + 1 (all qualify)" : "SET updated_at = now() (none qualifies)", n, r, r / n, s, s / n, dn, dn / n, dp, dp / n, w, w / n, wf, wf / n
  }
  print ""
  print "| pgbench single-row updates | writers | tps | mean latency (ms) | tps vs no trigger |"
  print "|---|---|---|---|---|"
  split("1 8 32", cs, " ")
  split("none row statement durable_notify durable_poll wal wal_full", ms, " ")
  name["none"] = "no trigger"; name["row"] = "row level"; name["statement"] = "statement level"
  name["durable_notify"] = "durable, wakeup = notify"; name["durable_poll"] = "durable, wakeup = poll"
  name["wal"] = "WAL"; name["wal_full"] = "WAL, identity FULL"
  for (c = 1; c <= 3; c++) for (m = 1; m <= 7; m++) {
    k = ms[m] "/" cs[c]; base = median("none/" cs[c] "/tps")
    printf "| %s | %s | %.0f | %.3f | %.2f |\n", name[ms[m]], cs[c], median(k "/tps"), median(k "/lat"), median(k "/tps") / base
  }
}' "$results" | tee "$out/write_path.md"
