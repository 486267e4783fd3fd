#!/usr/bin/env bash
# What the bound on slow subscribers costs and what it saves, measured in one
# run against rawlisten (plain libpq, the physical limit):
#  1. W1/W2/W3 of the shared kit, interleaved round by round: raw, libwatch
#     with the default bound ([subscribers] max_queued = 100000), and libwatch
#     with an effectively unbounded queue (max_queued = 10,000,000);
#  2. a 1,000,000-row insert to a W1 subscriber that spends 30 us per change
#     (about 10x slower than libwatch receives the burst), with the default
#     max_queued (100,000) and with 10,000: peak RSS of the subscriber
#     process and its RSS when idle, and what it was told it missed.
#
#   bench/slow_subscribers.sh [ROUNDS]     (default 5)
#
# LIBWATCH_BENCH_BASE_SUB=PATH adds the kit subscriber of another build (e.g.
# the commit before the bound) as "libwatch-before" to the same rounds.
#
# Results: build/benchmarks/slow_results.txt, build/benchmarks/slow_summary.md.
set -euo pipefail
rounds=${1:-5}
source "$(dirname "$0")/prepare_kit.sh"
eval "$("$kit/cluster.sh" env)"
results=$out/slow_results.txt
slow=$out/slow_burst.txt
: >"$results"
: >"$slow"

# One 1,000,000-row burst to a slow subscriber whose max_queued is $1;
# appends one line to $slow.
slow_burst() {
  local log=$out/slow_burst.log time_file=$out/slow_burst.time
  # As the kit's driver does: no trigger left from another run, an empty table.
  "$kit/cluster.sh" psql -c "DO \$\$ DECLARE t record; BEGIN FOR t IN SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.items'::regclass AND NOT tgisinternal LOOP EXECUTE format('DROP TRIGGER %I ON public.items', t.tgname); END LOOP; END \$\$" >/dev/null
  "$kit/cluster.sh" psql -c "TRUNCATE items RESTART IDENTITY" >/dev/null
  coproc SUB { BENCH_WORKLOAD=w1 BENCH_EXPECT=1000000 BENCH_TIMEOUT_S=600 \
    LIBWATCH_BENCH_SLOW_NS=30000 LIBWATCH_BENCH_MAX_QUEUED=$1 /usr/bin/time -v -o "$time_file" \
    "$sub" 2>"$log"; }
  local line
  read -r line <&"${SUB[0]}"
  [ "$line" = READY ] || { echo "subscriber did not get ready: $line" >&2; cat "$log" >&2; exit 1; }
  local start=$(date +%s%N)
  "$kit/cluster.sh" psql -c "INSERT INTO items (label, qty, owner_id) SELECT 'item ' || i, 0, i % 100 FROM generate_series(1, 1000000) i" >/dev/null
  local committed=$(date +%s%N)
  read -r line <&"${SUB[0]}" || true
  wait "$SUB_PID" || true
  local done_ns=$(date +%s%N)
  local peak idle report
  peak=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$time_file")
  idle=$(sed -n 's/^idle_rss_kb=//p' "$log")
  report=$(grep '^overflow reports' "$log" || echo "overflow reports=0")
  echo "max_queued=$1 peak_rss_kb=$peak idle_rss_kb=$idle above_idle_kb=$((peak - idle)) insert_ms=$(((committed - start) / 1000000)) total_ms=$(((done_ns - start) / 1000000)) $report $line" >>"$slow"
}

for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  "$kit/run_all.sh" --reps 1 --label raw --sub "$kit/rawlisten --parse" \
    --triggers "$kit/sql/ectowatch_equiv_triggers.sql" --workloads "w1 w2 w3" \
    --out "$results" >/dev/null || true
  "$kit/run_all.sh" --reps 1 --label libwatch --sub "$sub" \
    --workloads "w1 w2 w3" --out "$results" >/dev/null || true
  "$kit/run_all.sh" --reps 1 --label libwatch-unbounded \
    --sub "env LIBWATCH_BENCH_MAX_QUEUED=10000000 $sub" \
    --workloads "w1 w2 w3" --out "$results" >/dev/null || true
  if [ -n "${LIBWATCH_BENCH_BASE_SUB:-}" ]; then
    "$kit/run_all.sh" --reps 1 --label libwatch-before \
      --sub "$LIBWATCH_BENCH_BASE_SUB" --workloads "w1 w2 w3" \
      --out "$results" >/dev/null || true
  fi
  slow_burst 100000 # the default
  slow_burst 10000
done
{
  "$kit/summarize.sh" "$results"
  echo
  echo "Slow subscriber (30 us per change), 1,000,000-row insert, per round:"
  echo
  sed 's/^/    /' "$slow"
} | tee "$out/slow_summary.md"
