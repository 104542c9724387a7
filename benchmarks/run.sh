#!/usr/bin/env bash
# The whole benchmark suite on a fresh Debian 12 machine: installs the peers (LibTorch, dlib,
# OpenBLAS) when missing, builds in build-bench/ (Release, -march=native), runs the comparison
# (medians of 9 interleaved repetitions at 1 and 2 threads) and the examples' build costs.
# Arguments go to the comparison, e.g. --benchmark_filter=mlp.
set -euo pipefail
cd "$(dirname "$0")/.."
./tools/install-deps.sh --bench
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTNN_BUILD_TESTS=OFF > /dev/null
cmake --build build-bench -j2
echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%Y-%m-%d)"
build-bench/benchmarks/compare "$@"
echo
echo "## Build costs of the examples"
echo
benchmarks/build_costs.sh build-bench
