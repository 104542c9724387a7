#!/usr/bin/env bash
# Compares builds of a Google Benchmark program by alternating them: ROUNDS rounds, each running
# every BINARY once with 5 repetitions of the benchmarks FILTER matches, then the min and median
# of all repetitions per benchmark and binary, in us. On a shared machine a ratio of two builds
# means something only when measured like this (benchmarks/README: "measured against the code
# before them"). Usage:
#   tools/ab.sh FILTER ROUNDS BINARY...
#   e.g. tools/ab.sh 'lstm_infer/ctnn/threads:1' 4 /tmp/compare_before build-bench/benchmarks/compare
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,8p' "$0" >&2
  exit 2
fi
filter=$1 rounds=$2
shift 2
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for _ in $(seq "$rounds"); do
  for binary in "$@"; do
    # the console format, colour codes removed: compare prints its own coloured report
    # whatever --benchmark_format and --benchmark_color say
    "$binary" --benchmark_filter="$filter" --benchmark_repetitions=5 --benchmark_min_time=0.1 \
      --benchmark_report_aggregates_only=false --benchmark_color=false 2>/dev/null |
      sed 's/\x1b\[[0-9;]*m//g' |
      awk -v b="$binary" '$1 !~ /_(mean|median|stddev|cv)$/ && $2 ~ /^[0-9.]+$/ && $3 ~ /^(ns|us|ms)$/ {
        t = $2; if ($3 == "ns") t /= 1000; if ($3 == "ms") t *= 1000; print b, $1, t }' >>"$raw"
  done
done
python3 - "$raw" <<'PY'
import collections, statistics, sys
times = collections.defaultdict(list)
for line in open(sys.argv[1]):
    binary, case, t = line.split()
    times[(case, binary)].append(float(t))
for (case, binary), v in sorted(times.items()):
    print(f"{case:45s} {binary:30s} min {min(v):10.3f} med {statistics.median(v):10.3f} n {len(v)}")
PY
