#!/usr/bin/env bash
# Builds libwatch's libFuzzer targets with clang (AddressSanitizer,
# UndefinedBehaviorSanitizer, LeakSanitizer) and runs each for a bounded time
# over a copy of its seed corpus. Fails on any crash, leak or sanitizer
# report.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 60)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
"$root/scripts/install-deps.sh"

build=$root/build/fuzz
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIBWATCH_FUZZ=ON \
  -DLIBWATCH_SANITIZE=address,undefined -DLIBWATCH_BUILD_TESTS=OFF \
  -DLIBWATCH_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$build" -j2 --target payload_decoder_fuzzer config_loader_fuzzer \
  pgoutput_decoder_fuzzer

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$root/tests/sanitizers/ubsan.supp"
status=0
for target in payload_decoder config_loader pgoutput_decoder; do
  corpus=$build/corpus-$target
  rm -rf "$corpus"
  mkdir -p "$corpus"
  name=${target%_*}
  [ "$target" = config_loader ] && name=config
  [ "$target" = payload_decoder ] && name=payload
  [ "$target" = pgoutput_decoder ] && name=pgoutput
  cp "$root/fuzz/corpus/$name/"* "$corpus/"
  echo "== fuzzing $target for ${seconds}s"
  if ! (cd "$build" && "./fuzz/${target}_fuzzer" -max_total_time="$seconds" \
          -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$corpus" \
          >"$build/$target.log" 2>&1); then
    echo "fuzzer $target found a problem:" >&2
    tail -60 "$build/$target.log" >&2
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$target.log" || true
done
exit $status
