#!/usr/bin/env bash
# Prints bench/wal_delivery.sh's results as issue 15's delivery goals ask:
# the WAL source against pg_recvlogical for W1 (goal: within 1.5×) and
# against the row trigger for W2's p99 latency (goal: not above it). Each
# ratio twice: of the medians over the rounds, and the median (min–max) of
# the per-round ratios (the k-th repetition of one system against the k-th of
# the other, both from the same round).
#   bench/wal_ratios.sh RESULTS
set -euo pipefail
awk '
function sorted(list, a,   n, i, j, t) {
  n = split(list, a, " ")
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n
}
function median(list,   n, a) {
  n = sorted(list, a)
  return n == 0 ? 0 : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
}
function num(x) { return (x >= 100 || x <= -100) ? sprintf("%.0f", x) : sprintf("%.2f", x) }
function range(list,   n, a) {
  n = sorted(list, a)
  return n == 0 ? "" : num(a[1]) "–" num(a[n])
}
# Per-round ratios of metric m of workload w, system s over system r.
function per_round(s, r, w, m,   i, out) {
  out = ""
  for (i = 1; i <= runs[s "/" w] && i <= runs[r "/" w]; i++)
    if (val[r "/" w "/" i "/" m] > 0)
      out = out " " val[s "/" w "/" i "/" m] / val[r "/" w "/" i "/" m]
  return out
}
function ratio_cells(s, r, w, m,   a, b, pr) {
  a = median(vals[s "/" w "/" m]); b = median(vals[r "/" w "/" m]); pr = per_round(s, r, w, m)
  return sprintf("%s | %.2f (%s)", b == 0 ? "n/a" : sprintf("%.2f", a / b), median(pr), range(pr))
}
function verdict(x, goal) { return x <= goal ? "met" : "missed" }
{
  sys = ""; wl = ""
  for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "system") sys = kv[2]; if (kv[1] == "workload") wl = kv[2] }
  if (sys == "" || wl == "") next
  k = sys "/" wl; n = ++runs[k]
  for (i = 1; i <= NF; i++) {
    split($i, kv, "=")
    vals[k "/" kv[1]] = vals[k "/" kv[1]] " " kv[2]
    val[k "/" n "/" kv[1]] = kv[2]
  }
}
# The tables for the systems named with suffix x ("" or "-sync").
function report(x, title,   i, j, n, s, m, r, w, t, goal, bad, k, w1sys, w2sys) {
  ref = "recvlogical" x
  if (!runs[ref "/w1"] && !runs[ref "/w2"]) return
  print ""
  print "### " title
  print ""
  print "| W1, COMMIT → 100,000th change (ms) | median | vs pg_recvlogical: ratio of medians | per-round ratio, median (min–max) | goal | |"
  print "|---|---|---|---|---|---|"
  split("recvlogical libwatch-wal libwatch-wal-batch libwatch libwatch-batch raw", w1sys, " ")
  for (i = 1; i <= 6; i++) {
    s = w1sys[i] x
    if (!runs[s "/w1"]) continue
    m = median(vals[s "/w1/commit_to_last_ms"]); r = median(vals[ref "/w1/commit_to_last_ms"])
    goal = (s ~ /wal/) ? "≤ 1.5" : ""
    printf "| %s | %.0f | %s | %s | %s |\n", s, m, ratio_cells(s, ref, "w1", "commit_to_last_ms"), goal,
      goal == "" || r == 0 ? "" : verdict(m / r, 1.5)
  }
  print ""
  print "| W2 latency (µs), median of rounds (min–max) | p50 | p99 |"
  print "|---|---|---|"
  split("raw libwatch libwatch-wal recvlogical", w2sys, " ")
  for (i = 1; i <= 4; i++) {
    s = w2sys[i] x
    if (!runs[s "/w2"]) continue
    printf "| %s | %.0f (%s) | %.0f (%s) |\n", s, median(vals[s "/w2/lat_p50_us"]), range(vals[s "/w2/lat_p50_us"]),
      median(vals[s "/w2/lat_p99_us"]), range(vals[s "/w2/lat_p99_us"])
  }
  print ""
  print "| W2 ratio | ratio of medians | per-round ratio, median (min–max) | goal | |"
  print "|---|---|---|---|---|"
  w = median(vals["libwatch-wal" x "/w2/lat_p99_us"]); t = median(vals["libwatch" x "/w2/lat_p99_us"])
  if (runs["libwatch" x "/w2"])
    printf "| p99: libwatch WAL / libwatch row trigger | %s | ≤ 1 | %s |\n", ratio_cells("libwatch-wal" x, "libwatch" x, "w2", "lat_p99_us"), t == 0 ? "" : verdict(w / t, 1)
  if (runs["raw" x "/w2"])
    printf "| p99: libwatch WAL / rawlisten row trigger | %s | | |\n", ratio_cells("libwatch-wal" x, "raw" x, "w2", "lat_p99_us")
  printf "| p99: libwatch WAL / pg_recvlogical | %s | | |\n", ratio_cells("libwatch-wal" x, ref, "w2", "lat_p99_us")
  if (runs["libwatch" x "/w2"])
    printf "| p50: libwatch WAL / libwatch row trigger | %s | | |\n", ratio_cells("libwatch-wal" x, "libwatch" x, "w2", "lat_p50_us")
  printf "| p50: libwatch WAL / pg_recvlogical | %s | | |\n", ratio_cells("libwatch-wal" x, ref, "w2", "lat_p50_us")
  print ""
  print "| repetitions not ok (count, extra, dup) | |"
  print "|---|---|"
  for (i = 1; i <= 6; i++) for (j = 1; j <= 2; j++) {
    k = w1sys[i] x "/w" j; bad = 0
    if (!runs[k]) continue
    for (n = 1; n <= runs[k]; n++) if (val[k "/" n "/ok"] != 1) bad++
    printf "| %s w%d | %d of %d |\n", w1sys[i] x, j, bad, runs[k]
  }
}
END {
  report("", "Kit settings (synchronous_commit = off)")
  report("-sync", "The driver committing synchronously (synchronous_commit = on in its session)")
}' "$@"
