// OpenBLAS (Debian's libopenblas-dev): linear_large's three products by cblas_sgemm, the
// reference for large matrix products. Its thread count also governs dlib, which calls BLAS.
#include <benchmark/benchmark.h>

#include <cblas.h>

#include "cases.hpp"

namespace compare {

void set_openblas_threads(int threads) { openblas_set_num_threads(threads); }

namespace {

// y = x W^T, dW += dy^T x, dx = dy W: what Linear's forward and backward multiply.
void linear_large(benchmark::State& state, int threads) {
  set_openblas_threads(threads);
  const int n = int(sizes::large), batch = int(sizes::large_batch);
  const auto x = random_values(std::size_t(batch * n), 4), dy = random_values(std::size_t(batch * n), 5);
  const auto w = random_values(std::size_t(n * n), 6);
  std::vector<float> y(std::size_t(batch * n)), dw(std::size_t(n * n)), dx(std::size_t(batch * n));
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, n, n, 1.f, x.data(), n, w.data(),
                n, 0.f, y.data(), n);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, n, batch, 1.f, dy.data(), n, x.data(),
                n, 1.f, dw.data(), n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, n, n, 1.f, dy.data(), n,
                w.data(), n, 0.f, dx.data(), n);
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(linear_large_flops, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_openblas() {
  for (int t : thread_counts)
    benchmark::RegisterBenchmark(benchmark_name("linear_large", "openblas", t).c_str(),
                                 [t](benchmark::State& s) { linear_large(s, t); })
        ->UseRealTime();
}

}  // namespace compare
