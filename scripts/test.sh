#!/usr/bin/env bash
# Runs libwatch's whole test suite from a fresh clone: installs missing
# packages, builds everything with warnings as errors, checks formatting,
# checks that the installed headers are exactly the public API, builds a
# separate project against libwatch (find_package and add_subdirectory),
# runs the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer,
# fuzzes the payload decoder, the TOML loader and the replication-stream
# decoder for a bounded time, and finally runs every unit and integration
# test of the normal build. CTest starts and stops a throwaway PostgreSQL 15
# for the integration tests (or uses LIBWATCH_TEST_DSN).
#
#   scripts/test.sh              everything (what CI runs)
#   LIBWATCH_QUICK=1 scripts/test.sh   skip the sanitizer and fuzzing stages
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh

build=$root/build/test
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLIBWATCH_WERROR=ON
cmake --build "$build" -j2

echo "== formatting (clang-format)"
files=$(git ls-files '*.cpp' '*.hpp')
clang-format --dry-run --Werror $files

echo "== public headers"
scripts/check_public_headers.sh

echo "== consumer project via find_package"
prefix=$build/prefix
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
if grep -rl 'libpq-fe' "$prefix/include"; then
  echo "an installed header includes libpq" >&2
  exit 1
fi
cmake -S tests/consumer -B "$build/consumer-installed" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$build/consumer-installed" -j2
"$build/consumer-installed/consumer"

echo "== consumer project via add_subdirectory"
cmake -S tests/consumer -B "$build/consumer-subdir" -G Ninja \
  -DLIBWATCH_SOURCE_DIR="$root" >/dev/null
cmake --build "$build/consumer-subdir" -j2
"$build/consumer-subdir/consumer"

if [ -z "${LIBWATCH_QUICK:-}" ]; then
  echo "== whole suite under AddressSanitizer + UndefinedBehaviorSanitizer"
  asan=$root/build/asan
  cmake -S . -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DLIBWATCH_SANITIZE=address,undefined -DLIBWATCH_BUILD_BENCHMARKS=OFF \
    -DLIBWATCH_BUILD_EXAMPLES=OFF >/dev/null
  cmake --build "$asan" -j2
  (cd "$asan" && ctest -j2 --output-on-failure --timeout 600)

  echo "== fuzzing (${LIBWATCH_FUZZ_SECONDS:-60}s per target)"
  scripts/fuzz.sh "${LIBWATCH_FUZZ_SECONDS:-60}"
fi

echo "== unit and integration tests"
cd "$build"
ctest -j2 --output-on-failure --timeout 300
