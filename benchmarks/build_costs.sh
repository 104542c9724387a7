#!/usr/bin/env bash
# Compile time and binary size of each example: each example's one translation unit is rebuilt
# with ccache off and timed (median of N runs), then linked and measured. The examples link
# ctnn::compiled, whose one translation unit (ctnn's run-once code, shared by every example) is
# timed the same way on the last row. Usage:
#   benchmarks/build_costs.sh [build-dir] [runs]      (a configured Ninja build, default build)
set -euo pipefail
build=${1:-build}
runs=${2:-3}
flags=$(grep -m1 'CXX_FLAGS' "$build/CMakeCache.txt" | cut -d= -f2-)

# The median wall time of rebuilding one object file, in seconds.
compile_time() {
  local object=$1 times=() start end
  for ((i = 0; i < runs; i++)); do
    rm -f "$build/$object"
    start=$(date +%s.%N)
    CCACHE_DISABLE=1 ninja -C "$build" "$object" > /dev/null
    end=$(date +%s.%N)
    times+=("$(awk "BEGIN { print $end - $start }")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

echo "| example | compile, median of $runs (s) | binary (KiB) |"
echo "|---|---|---|"
for example in xor mnist_mlp lenet text_classifier char_rnn save_and_serve; do
  median=$(compile_time "examples/CMakeFiles/$example.dir/$example/main.cpp.o")
  ninja -C "$build" "$example" > /dev/null
  size=$(($(stat -c %s "$build/examples/$example") / 1024))
  printf '| %s | %.1f | %d |\n' "$example" "$median" "$size"
done
median=$(compile_time CMakeFiles/ctnn_compiled.dir/src/compiled.cpp.o)
ninja -C "$build" ctnn_compiled > /dev/null
size=$(($(stat -c %s "$build/libctnn_compiled.a") / 1024))
printf '| ctnn::compiled (once for all) | %.1f | %d (static library) |\n' "$median" "$size"
echo
echo "Build type $(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" | cut -d= -f2), g++ $(g++ -dumpfullversion)${flags:+, CXX_FLAGS $flags}"
