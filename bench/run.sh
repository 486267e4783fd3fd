#!/usr/bin/env bash
# Runs libwatch against rawlisten (plain libpq, the physical limit) on the
# shared benchmark kit's fixed workloads, interleaved round by round so that
# drift on the machine spreads over both, and prints medians (min-max) and
# the ratios libwatch / raw. The kit in ../shared/bench is read-only: it is
# copied into the build directory first.
#
#   bench/run.sh [ROUNDS]        (default 5)
#
# Needs the project built (build/benchmarks/bench/libwatch_subscriber); builds it
# if missing. Results: build/benchmarks/results.txt and build/benchmarks/summary.md.
set -euo pipefail
rounds=${1:-5}
source "$(dirname "$0")/prepare_kit.sh"
results=$out/results.txt
: >"$results"
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds" >&2
  "$kit/run_all.sh" --reps 1 --label none --sub true --workloads w1-notrigger \
    --out "$results" >/dev/null
  "$kit/run_all.sh" --reps 1 --label raw --sub "$kit/rawlisten --parse" \
    --triggers "$kit/sql/ectowatch_equiv_triggers.sql" --workloads "w1 w2 w3" \
    --out "$results" >/dev/null
  "$kit/run_all.sh" --reps 1 --label libwatch --sub "$sub" \
    --workloads "w1 w2 w3" --out "$results" >/dev/null
  "$kit/run_all.sh" --reps 1 --label libwatch-batch --sub "$sub --batch" \
    --workloads "w1" --out "$results" >/dev/null
  "$kit/run_all.sh" --reps 1 --label libwatch-stmt --sub "$sub --statement" \
    --workloads "w1 w2" --out "$results" >/dev/null
  "$kit/run_all.sh" --reps 1 --label libwatch-stmt-batch \
    --sub "$sub --batch --statement" --workloads "w1" --out "$results" >/dev/null
done
"$kit/summarize.sh" "$results" | tee "$out/summary.md"
"$root/bench/ratios.sh" "$results" | tee -a "$out/summary.md"
