# Sourced by the delivery benchmarks (run.sh, slow_subscribers.sh): builds
# libwatch's kit subscriber, copies the read-only shared kit into the build
# directory, builds it and starts its cluster. Sets root, out, kit and sub.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kit_src=${LIBWATCH_BENCH_KIT:-$root/../shared/bench}
out=$root/build/benchmarks
kit=$out/kit
"$root/scripts/install-deps.sh"

cmake -S "$root" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLIBWATCH_BUILD_TESTS=OFF -DLIBWATCH_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$out" -j2 --target libwatch_subscriber >/dev/null
sub=$out/bench/libwatch_subscriber

rm -rf "$kit"
cp -r "$kit_src" "$kit"
chmod -R u+w "$kit"
make -s -C "$kit"
export BENCH_ROOT=${BENCH_ROOT:-/tmp/libwatch-bench}
"$kit/cluster.sh" init >/dev/null
