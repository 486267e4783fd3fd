#!/usr/bin/env bash
# W2's latency when the writer's pace is one every consumer keeps up with:
# pgbench runs W2's single-row UPDATE (random ids of 1,000, so every update
# changes qty) at RATE transactions/s (Poisson, one client) while the kit
# subscriber of each system listens, once with the kit's asynchronous commit
# and once with synchronous_commit = on in the writer's session ("-sync").
# The kit's W2 issues its updates back to back, as fast as the server takes
# them; there the WAL consumers fall behind the writer and W2 measures a
# queue, not the path of one change. Systems as in bench/wal_delivery.sh:
# raw (rawlisten, kit trigger), libwatch (row trigger), libwatch-wal,
# recvlogical; rounds interleaved. Latency = arrival − updated_at, as in W2.
#
#   bench/wal_paced_latency.sh [ROUNDS] [RATE] [COUNT]   (default 3 1000 3000)
#
# Results: build/benchmarks/wal_paced.txt (kit result format, workload
# w2-paced) and wal_paced.md (the kit's summary).
set -euo pipefail
rounds=${1:-3}
rate=${2:-1000}
count=${3:-3000}
source "$(dirname "$0")/prepare_kit.sh"
source "$root/bench/logical_wal.sh"
prepare_wal_delivery
pg() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
wal_reset=$out/wal_reset.sql
wal_consumer_reset_sql bench_wal >"$wal_reset"
trap 'pg -f "$wal_reset" -c "ALTER TABLE items REPLICA IDENTITY DEFAULT" >/dev/null' EXIT
results=$out/wal_paced.txt
work=$out/wal_paced
mkdir -p "$work"
: >"$results"
cat >"$work/update.sql" <<'SQL'
\set id random(1, 1000)
UPDATE items SET qty = qty + 1, updated_at = clock_timestamp() WHERE id = :id;
SQL

# As the kit's driver does before a W2 repetition, then the system's SQL.
reset_table() { # [SQL_FILE]
  pg -c "DO \$\$ DECLARE t record; BEGIN FOR t IN SELECT tgname FROM pg_trigger
           WHERE tgrelid = 'public.items'::regclass AND NOT tgisinternal LOOP
           EXECUTE format('DROP TRIGGER %I ON public.items', t.tgname);
           END LOOP; END \$\$" \
     -c "TRUNCATE items RESTART IDENTITY" \
     -c "INSERT INTO items (label, qty, owner_id) SELECT 'item ' || i, 0,
           i % 100 FROM generate_series(1, 1000) i" \
     -c "VACUUM ANALYZE items" -c "CHECKPOINT"
  if [ -n "${1:-}" ]; then pg -f "$1" >/dev/null; fi
}

# Nearest-rank percentile Q of the sorted latencies in FILE.
percentile() { # Q FILE
  awk -v q="$1" '{ v[NR] = $1 } END { r = int(q * NR); if (r < q * NR) r++;
    if (r < 1) r = 1; print v[r] }' "$2"
}

run() { # SYSTEM ROUND
  local base=${1%-sync} options=$PGOPTIONS sub_cmd sql=""
  case "$1" in *-sync) options="$options -c synchronous_commit=on" ;; esac
  case "$base" in
    raw) sub_cmd="$kit/rawlisten --parse"
         sql=$kit/sql/ectowatch_equiv_triggers.sql ;;
    libwatch) sub_cmd=$sub ;;
    libwatch-wal) sub_cmd="$sub --wal"; sql=$wal_reset ;;
    recvlogical) sub_cmd=$reference ;;
  esac
  reset_table "$sql" >/dev/null
  local lat=$work/$1-$2.lat log=$work/$1-$2.log line
  rm -f "$lat"
  coproc SUB { BENCH_WORKLOAD=w2 BENCH_EXPECT=$count BENCH_LAT_FILE=$lat \
    $sub_cmd 2>"$log"; }
  read -r line <&"${SUB[0]}" || true
  if [ "$line" != READY ]; then
    echo "!! $1: subscriber did not get ready (see $log)" >&2
    return
  fi
  sleep 0.5 # the kit driver's settle time
  PGOPTIONS=$options pgbench -n -R "$rate" -t "$count" -f "$work/update.sql" \
    >"$work/pgbench.out" 2>&1
  read -r line <&"${SUB[0]}" || true
  wait "$SUB_PID" || true
  [ -f "$lat" ] || : >"$lat"
  sort -n "$lat" -o "$lat"
  local received extra ok=0
  received=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' <<<"$line")
  extra=$(sed -n 's/.*extra=\([0-9]*\).*/\1/p' <<<"$line")
  [ "${received:-0}" = "$count" ] && [ "${extra:-1}" = 0 ] && ok=1
  echo "system=$1 workload=w2-paced rep=$2 rate=$rate" \
    "lat_p50_us=$(percentile 0.50 "$lat") lat_p90_us=$(percentile 0.90 "$lat")" \
    "lat_p99_us=$(percentile 0.99 "$lat") lat_max_us=$(tail -1 "$lat")" \
    "received=${received:-0} extra=${extra:--1} ok=$ok" >>"$results"
}

systems=(raw libwatch libwatch-wal recvlogical raw-sync libwatch-sync
         libwatch-wal-sync recvlogical-sync)
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  n=${#systems[@]}
  for i in $(seq 0 $((n - 1))); do
    run "${systems[$(((i + round - 1) % n))]}" "$round"
  done
done
"$kit/summarize.sh" "$results" | grep -E 'system|---|lat_p|ok' \
  | tee "$out/wal_paced.md"
