#!/usr/bin/env bash
# The delivery side of the WAL source (issue 15): W1 (COMMIT → 100,000th
# change) and W2 (latency of 20,000 single-row updates) of the shared kit,
# in one run, interleaved round by round, for
#   raw                 rawlisten --parse with the kit's EctoWatch-equivalent
#                       row trigger (the trigger's physical limit)
#   libwatch            libwatch's row trigger, per-change subscriber
#   libwatch-batch      the same, batch subscriber (W1 only)
#   libwatch-wal        libwatch's WAL source (pgoutput), per-change
#   libwatch-wal-batch  the same, batch subscriber (W1 only)
#   recvlogical         pg_recvlogical on the same pgoutput stream (the WAL
#                       source's limit; bench/recvlogical_subscriber.cpp)
# all but libwatch-batch also as SYSTEM-sync, the driver committing
# synchronously (see run_system), and prints the kit's medians (min–max) and
# bench/wal_ratios.sh's ratios.
# The order of the systems rotates from round to round, so that drift on the
# machine and what a run leaves behind spread over all of them.
#
#   bench/wal_delivery.sh [ROUNDS]        (default 3)
#
# The cluster (BENCH_ROOT, default /tmp/libwatch-bench; BENCH_PORT, default
# 55440) runs with wal_level = logical and items with REPLICA IDENTITY FULL
# for every system, so all write the same WAL: W2's trigger_columns = [qty]
# needs the old row in the WAL, and libwatch refuses the watcher without it.
# The identity goes back to DEFAULT at the end. Before every WAL repetition
# the driver's --triggers file drops libwatch's slot and publications (the
# slot would otherwise replay the other systems' writes); the reference
# makes and drops its own.
#
# Results: build/benchmarks/wal_delivery.txt (raw lines), wal_delivery.md
# (tables), wal_delivery_load.txt (load average per round), and a copy of the
# raw lines in docs/perf/<date>-wal-delivery-results.txt unless one exists.
set -euo pipefail
rounds=${1:-3}
source "$(dirname "$0")/prepare_kit.sh"
source "$root/bench/logical_wal.sh"
prepare_wal_delivery
slot=bench_wal # libwatch_subscriber --wal's default [wal] slot
wal_reset=$out/wal_reset.sql
wal_consumer_reset_sql "$slot" >"$wal_reset"
trap 'psql -X -q -f "$wal_reset" \
  -c "ALTER TABLE items REPLICA IDENTITY DEFAULT" >/dev/null' EXIT
triggers=$kit/sql/ectowatch_equiv_triggers.sql

# One repetition of SYSTEM's workloads. SYSTEM-sync: the same subscriber
# with the driver's transactions committed synchronously (its session's
# synchronous_commit = on; the kit's cluster default is off). A logical
# walsender sends only WAL that is flushed, and with asynchronous commit the
# WAL writer flushes a commit within wal_writer_delay (200 ms), so this shows
# the WAL source's delivery without that wait. The triggers' NOTIFY does
# not wait for a flush.
run_system() { # SYSTEM
  local args options=${PGOPTIONS:-}
  case "$1" in
    *-sync) options="$options -c synchronous_commit=on" ;;
  esac
  case "${1%-sync}" in
    raw) args=(--sub "$kit/rawlisten --parse" --triggers "$triggers"
               --workloads "w1 w2") ;;
    libwatch) args=(--sub "$sub" --workloads "w1 w2") ;;
    libwatch-batch) args=(--sub "$sub --batch" --workloads w1) ;;
    libwatch-wal) args=(--sub "$sub --wal" --triggers "$wal_reset"
                        --workloads "w1 w2") ;;
    libwatch-wal-batch) args=(--sub "$sub --wal --batch"
                              --triggers "$wal_reset" --workloads w1) ;;
    recvlogical) args=(--sub "$reference" --workloads "w1 w2") ;;
  esac
  # A failed repetition leaves no line (or ok=0) in the results; say so and
  # go on with the others.
  PGOPTIONS=$options "$kit/run_all.sh" --reps 1 --label "$1" "${args[@]}" \
    --out "$results" >/dev/null \
    || echo "!! $1 failed in round $round: see $BENCH_ROOT/runs" >&2
}

# On a shared machine: waits (at most 10 minutes) until the CPUs were at
# least 90 % idle for a second, so that another program's burst does not
# land in one system's repetition. Our own cluster is idle between
# repetitions. Off unless LIBWATCH_BENCH_WAIT_IDLE=1; what it waited goes to
# the load file.
wait_for_idle() {
  [ "${LIBWATCH_BENCH_WAIT_IDLE:-0}" = 1 ] || return 0
  local start=$SECONDS a b
  while [ $((SECONDS - start)) -lt 600 ]; do
    a=($(head -1 /proc/stat))
    sleep 1
    b=($(head -1 /proc/stat))
    local idle=$((b[4] + b[5] - a[4] - a[5])) total=0 i
    for i in $(seq 1 8); do total=$((total + b[i] - a[i])); done
    [ $((100 * idle)) -ge $((90 * total)) ] && break
  done
  echo "round=$round waited_s=$((SECONDS - start)) before $1" >>"$load"
}

# LIBWATCH_BENCH_SYSTEMS="..." runs a subset (e.g. a quick re-check).
systems=(${LIBWATCH_BENCH_SYSTEMS:-raw libwatch libwatch-batch libwatch-wal
         libwatch-wal-batch recvlogical raw-sync libwatch-sync
         libwatch-wal-sync libwatch-wal-batch-sync recvlogical-sync})
results=$out/wal_delivery.txt
load=$out/wal_delivery_load.txt
: >"$results"
: >"$load"
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  echo "round=$round start $(cat /proc/loadavg)" >>"$load"
  n=${#systems[@]}
  for i in $(seq 0 $((n - 1))); do
    system=${systems[$(((i + round - 1) % n))]}
    wait_for_idle "$system"
    run_system "$system"
  done
  echo "round=$round end $(cat /proc/loadavg)" >>"$load"
done

{
  "$kit/summarize.sh" "$results"
  "$root/bench/wal_ratios.sh" "$results"
} | tee "$out/wal_delivery.md"
# The raw lines for docs/perf, never over a file an earlier run left there.
saved=$root/docs/perf/$(date -u +%F)-wal-delivery-results.txt
if [ -e "$saved" ]; then
  echo "not copied: $saved exists (results are in $results)" >&2
else
  mkdir -p "$root/docs/perf"
  cp "$results" "$saved"
fi
