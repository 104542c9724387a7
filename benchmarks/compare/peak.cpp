// The machine's FP32 peak: independent fused multiply-add chains in xsimd registers, enough of
// them to cover the FMA latency, on 1 and 2 OpenMP threads.
#include <benchmark/benchmark.h>

#include <xsimd/xsimd.hpp>

#include "cases.hpp"

namespace compare {
namespace {

using batch = xsimd::batch<float>;
constexpr int chains = 12;
constexpr long steps = 1 << 20;

float fma_loop(float seed) {
  batch acc[chains];
  for (int c = 0; c < chains; ++c) acc[c] = batch(seed + float(c));
  const batch a(0.999999f), b(1e-7f);
  for (long s = 0; s < steps; ++s)
#pragma GCC unroll 12
    for (int c = 0; c < chains; ++c) acc[c] = xsimd::fma(acc[c], a, b);
  batch sum = acc[0];
  for (int c = 1; c < chains; ++c) sum += acc[c];
  return sum.get(0);
}

}  // namespace

double peak_flops(int threads) { return 2.0 * double(batch::size) * chains * double(steps) * threads; }

namespace {

void fma_peak(benchmark::State& state, int threads) {
  float sink = 0;
  for (auto _ : state) {
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += fma_loop(sink);
  }
  benchmark::DoNotOptimize(sink);
  state.counters["GFLOP/s"] =
      benchmark::Counter(peak_flops(threads), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_peak() {
  for (int t : thread_counts)
    benchmark::RegisterBenchmark(benchmark_name("fma_peak", "xsimd", t).c_str(),
                                 [t](benchmark::State& s) { fma_peak(s, t); })
        ->UseRealTime();
}

}  // namespace compare
