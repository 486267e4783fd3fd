#!/usr/bin/env bash
# Prints libwatch's figures as ratios against rawlisten's from one results
# file (medians of the interleaved rounds), next to the targets.
#   bench/ratios.sh RESULTS
set -euo pipefail
awk '
function median(key,   n, i, j, t, a) {
  n = split(vals[key], a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n == 0 ? 0 : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
{
  sys = ""; wl = ""
  for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "system") sys = kv[2]; if (kv[1] == "workload") wl = kv[2] }
  for (i = 1; i <= NF; i++) { split($i, kv, "="); vals[sys "/" wl "/" kv[1]] = vals[sys "/" wl "/" kv[1]] " " kv[2] }
}
function ratio(a, b) { return b == 0 ? "n/a" : sprintf("%.2f", a / b) }
END {
  print ""
  print "| measure | raw | libwatch | ratio | target |"
  print "|---|---|---|---|---|"
  r = median("raw/w1/msgs_per_s"); l = median("libwatch/w1/msgs_per_s"); b = median("libwatch-batch/w1/msgs_per_s")
  printf "| W1 msgs/s, per-change | %.0f | %.0f | %s | >= 0.5 |\n", r, l, ratio(l, r)
  printf "| W1 msgs/s, batch subscription | %.0f | %.0f | %s | >= 0.9 |\n", r, b, ratio(b, r)
  r = median("raw/w2/lat_p50_us"); l = median("libwatch/w2/lat_p50_us")
  printf "| W2 latency p50 (us) | %.0f | %.0f | %s | <= 2 |\n", r, l, ratio(l, r)
  r = median("raw/w2/lat_p99_us"); l = median("libwatch/w2/lat_p99_us")
  printf "| W2 latency p99 (us) | %.0f | %.0f | %s | <= 2 |\n", r, l, ratio(l, r)
  r = median("raw/w3/total_ms"); l = median("libwatch/w3/total_ms")
  printf "| W3 total (ms) | %.0f | %.0f | %s | <= 1.2 |\n", r, l, ratio(l, r)
  printf "| W3 subscribers ok (median) | %s | %s | | 1000 |\n", median("raw/w3/subs_ok"), median("libwatch/w3/subs_ok")
  r = median("raw/w1/peak_rss_kb"); l = median("libwatch/w1/peak_rss_kb")
  printf "| W1 peak RSS (KB) | %.0f | %.0f | %s | <= 4 |\n", r, l, ratio(l, r)
  r = median("raw/w1/msgs_per_s"); l = median("libwatch-stmt/w1/msgs_per_s"); b = median("libwatch-stmt-batch/w1/msgs_per_s")
  printf "| W1 msgs/s, per-change, statement level | %.0f | %.0f | %s | >= 0.5 |\n", r, l, ratio(l, r)
  printf "| W1 msgs/s, batch, statement level | %.0f | %.0f | %s | >= 0.9 |\n", r, b, ratio(b, r)
  r = median("raw/w2/lat_p50_us"); l = median("libwatch-stmt/w2/lat_p50_us")
  printf "| W2 latency p50 (us), statement level | %.0f | %.0f | %s | <= 2 |\n", r, l, ratio(l, r)
  r = median("raw/w2/lat_p99_us"); l = median("libwatch-stmt/w2/lat_p99_us")
  printf "| W2 latency p99 (us), statement level | %.0f | %.0f | %s | <= 2 |\n", r, l, ratio(l, r)
  n = median("none/w1-notrigger/tx_ms"); r = median("raw/w1/tx_ms"); l = median("libwatch/w1/tx_ms"); s = median("libwatch-stmt/w1/tx_ms")
  print ""
  print "| W1 insert transaction (ms) | median | vs no trigger | target |"
  print "|---|---|---|---|"
  printf "| no trigger | %.0f | 1.00 | |\n", n
  printf "| EctoWatch-style row trigger (kit SQL) | %.0f | %s | |\n", r, ratio(r, n)
  printf "| libwatch, row level | %.0f | %s | |\n", l, ratio(l, n)
  printf "| libwatch, statement level | %.0f | %s | <= 1.5 |\n", s, ratio(s, n)
  r = median("libwatch/w2/updates_ms"); s = median("libwatch-stmt/w2/updates_ms")
  printf "| W2 20,000 single-row updates (ms): row / statement level | %.0f / %.0f | %s | |\n", r, s, ratio(s, r)
}' "$@"
