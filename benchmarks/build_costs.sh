#!/usr/bin/env bash
# Compile time and binary size of each example: each example's one translation unit is rebuilt
# with ccache off and timed (median of N runs), then linked and measured. Usage:
#   benchmarks/build_costs.sh [build-dir] [runs]      (a configured Ninja build, default build)
set -euo pipefail
build=${1:-build}
runs=${2:-3}
flags=$(grep -m1 'CXX_FLAGS' "$build/CMakeCache.txt" | cut -d= -f2-)
echo "| example | compile, median of $runs (s) | binary (KiB) |"
echo "|---|---|---|"
for example in xor mnist_mlp lenet text_classifier char_rnn save_and_serve; do
  object=examples/CMakeFiles/$example.dir/$example/main.cpp.o
  times=()
  for ((i = 0; i < runs; i++)); do
    rm -f "$build/$object"
    start=$(date +%s.%N)
    CCACHE_DISABLE=1 ninja -C "$build" "$object" > /dev/null
    end=$(date +%s.%N)
    times+=("$(awk "BEGIN { print $end - $start }")")
  done
  ninja -C "$build" "$example" > /dev/null
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  size=$(($(stat -c %s "$build/examples/$example") / 1024))
  printf '| %s | %.1f | %d |\n' "$example" "$median" "$size"
done
echo
echo "Build type $(grep -m1 '^CMAKE_BUILD_TYPE' "$build/CMakeCache.txt" | cut -d= -f2), g++ $(g++ -dumpfullversion)${flags:+, CXX_FLAGS $flags}"
