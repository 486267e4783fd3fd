#!/usr/bin/env bash
# Runs the package-tracking demo. With a libpq connection string as argument
# (or LIBWATCH_DEMO_DSN) it uses that server; otherwise it starts a throwaway
# PostgreSQL 15 and removes it afterwards. Installs missing packages first.
#
#   scripts/demo.sh                          # throwaway local server
#   scripts/demo.sh "host=db.example dbname=app user=me"
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"

build=$root/build/demo
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLIBWATCH_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target package_tracking libwatch_cli

dsn=${1:-${LIBWATCH_DEMO_DSN:-}}
if [ -z "$dsn" ]; then
  state=$(mktemp -d /tmp/libwatch-demo.XXXXXX)
  trap '"$root/tests/harness/pg_cluster.sh" stop "$state"' EXIT
  "$root/tests/harness/pg_cluster.sh" start "$state"
  dsn=$(cat "$state/dsn")
fi
"$build/examples/package_tracking" "$dsn"
