// How fast this machine reads each case's bytes: one pass of xsimd loads over a buffer of that
// size, summed in independent chains so that the loads, not the adds, set the pace. The buffer is
// read again and again, so it sits in the nearest cache it fits in: the fastest any code could
// read that many bytes, which makes bytes / rate a lower bound on the case's time.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>
#include <xsimd/xsimd.hpp>

#include "cases.hpp"

namespace compare {
namespace {

using batch = xsimd::batch<float>;
constexpr std::size_t chains = 8;

void read_once(benchmark::State& state, std::size_t bytes) {
  constexpr std::size_t block = chains * batch::size;
  const std::size_t n = (bytes / sizeof(float) + block - 1) / block * block;
  const xsimd::aligned_allocator<float> allocate;
  std::vector<float, xsimd::aligned_allocator<float>> data(n, 1.0f, allocate);
  for (auto _ : state) {
    batch acc[chains] = {};
    for (std::size_t i = 0; i < n; i += block)
#pragma GCC unroll 8
      for (std::size_t c = 0; c < chains; ++c) acc[c] += batch::load_aligned(&data[i + c * batch::size]);
    batch sum = acc[0];
    for (std::size_t c = 1; c < chains; ++c) sum += acc[c];
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(state.iterations() * std::int64_t(n * sizeof(float)));
}

}  // namespace

void register_read_rates() {
  for (const auto& work : case_works)
    benchmark::RegisterBenchmark(benchmark_name(std::string("read_") + work.name, "xsimd", 1).c_str(),
                                 [bytes = std::size_t(work.bytes)](benchmark::State& s) { read_once(s, bytes); })
        ->UseRealTime();
}

}  // namespace compare
