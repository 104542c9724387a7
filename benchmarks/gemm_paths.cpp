// The GEMM's two kernels for A B^T with both operands contiguous in k (dot products, or the
// packed blocked GEMM) on the same shapes, so that the rule choosing between them
// (dots_beat_packing in gemm.hpp) can be checked: compare dots/M/N/K with packed/M/N/K. Also
// A^T B at short k (a convolution's column gradient): groups of rows against B as it is
// (rows/M/N/K) or the packed GEMM (packed_tn/M/N/K), for gemm's short_k rule. And the products
// of LeNet's training step as ctnn::cpu::gemm chooses their kernels (lenet_nn, lenet_nt,
// lenet_tn), with their GFLOP/s against the FMA peak in compare's table; and a batch-1 layer
// both ways (batch1_dots, batch1_from_w_t), for gemm_weight's weight_transpose_pays rule. A B at
// any m, rows against B as it is or packed (rows_nn, packed_nn), for rows_against_b_in_l2; and
// a training step's x W^T (train_x_wt against packed/32/128/784), for transpose_reads_b_in_place.
//   build/benchmarks/gemm_paths --benchmark_repetitions=9 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <ctnn/ctnn.hpp>

#include <algorithm>
#include <vector>

namespace {

struct operands {
  std::size_t m, n, k;
  std::vector<float> a, b, c;
  explicit operands(const benchmark::State& state)
      : m(std::size_t(state.range(0))), n(std::size_t(state.range(1))),
        k(std::size_t(state.range(2))), a(m * k, 0.5f), b(n * k, 0.25f), c(m * n) {}
};

void dots(benchmark::State& state) {
  operands o(state);
  const auto order = ctnn::cpu::detail::haddp_order_of_this_build<float>();
  for (auto _ : state) {
    std::fill(o.c.begin(), o.c.end(), 0.0f);
    if (order == ctnn::cpu::detail::haddp_order::pairs_swapped)
      ctnn::cpu::detail::dot_rows_by_register<float, ctnn::cpu::detail::haddp_order::pairs_swapped>(
          o.a.data(), o.k, o.m, o.b.data(), o.n, o.k, 1.0f, o.c.data());
    else
      ctnn::cpu::detail::dot_rows_by_register<float, ctnn::cpu::detail::haddp_order::in_order>(
          o.a.data(), o.k, o.m, o.b.data(), o.n, o.k, 1.0f, o.c.data());
    benchmark::DoNotOptimize(o.c.data());
  }
}

void packed(benchmark::State& state) {
  operands o(state);
  ctnn::set_num_threads(1);
  const ctnn::cpu::detail::strided<float> a{o.a.data(), o.k, 1}, b{o.b.data(), 1, o.k};
  for (auto _ : state) {
    // as gemm with beta = 0: the blocked kernel overwrites C, the dot products get it zeroed
    ctnn::cpu::detail::gemm_parallel(a, b, o.m, o.n, o.k, 1.0f, o.c.data(), false);
    benchmark::DoNotOptimize(o.c.data());
  }
  ctnn::set_num_threads(0);
}

// GFLOP/s in the report, from the product's multiply-adds.
void count_flops(benchmark::State& state, const operands& o) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(o.m * o.n * o.k),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// op(A) B: A^T at short k (a convolution's column gradient), A as it is at any m (x W, x W^T
// kept). Groups of eight rows against B as it is (rows), or the packed GEMM (packed_b).
template <ctnn::transpose TA>
ctnn::cpu::detail::strided<float> op_a(const operands& o) {
  return TA == ctnn::transpose::yes ? ctnn::cpu::detail::strided<float>{o.a.data(), 1, o.m}
                                    : ctnn::cpu::detail::strided<float>{o.a.data(), o.k, 1};
}

template <ctnn::transpose TA>
void rows(benchmark::State& state) {
  operands o(state);
  namespace d = ctnn::cpu::detail;
  constexpr std::size_t group = 8, W = xsimd::batch<float>::size;
  const d::strided<float> a = op_a<TA>(o);
  for (auto _ : state) {
    const float* tail = o.n % W ? d::padded_last_columns(o.b.data(), o.n, o.k, o.n - o.n % W)
                                : nullptr;
    for (std::size_t i = 0; i < o.m; i += group)
      d::dispatch_rows<group>(std::min(group, o.m - i), [&](auto r) {
        const d::strided<float> rows_of_a{a.data + i * a.rs, a.rs, a.cs};
        d::few_rows_times_matrix<decltype(r)::value>(rows_of_a, o.b.data(), o.n, o.k, 1.0f,
                                                     o.c.data() + i * o.n, false, tail);
      });
    benchmark::DoNotOptimize(o.c.data());
  }
  count_flops(state, o);
}

template <ctnn::transpose TA>
void packed_b(benchmark::State& state) {
  operands o(state);
  ctnn::set_num_threads(1);
  const ctnn::cpu::detail::strided<float> b{o.b.data(), o.n, 1};
  for (auto _ : state) {
    ctnn::cpu::detail::gemm_parallel(op_a<TA>(o), b, o.m, o.n, o.k, 1.0f, o.c.data(), false);
    benchmark::DoNotOptimize(o.c.data());
  }
  count_flops(state, o);
  ctnn::set_num_threads(0);
}

// B of 16 KiB to 4 MiB: an LSTM's per-step products at batch 32 (h W_hh^T, dh W_hh), the MLP's
// 784 -> 128 with W^T kept, larger layers.
void b_sizes(benchmark::internal::Benchmark* b) {
  for (long m : {32, 64, 128, 1600})
    for (auto [n, k] : {std::pair{64L, 64L}, {256, 64}, {64, 256}, {128, 784}, {512, 256},
                        {1024, 1024}})
      b->Args({m, n, k});
}
// for gemm's rows_against_b_in_l2 rule
BENCHMARK(rows<ctnn::transpose::no>)->Name("rows_nn")->Apply(b_sizes);
BENCHMARK(packed_b<ctnn::transpose::no>)->Name("packed_nn")->Apply(b_sizes);

void short_k(benchmark::internal::Benchmark* b) {
  for (long m : {25, 150, 400})
    for (long n : {32, 100, 784})
      for (long k : {6, 16, 32}) b->Args({m, n, k});
}
// for gemm's short_k rule
BENCHMARK(rows<ctnn::transpose::yes>)->Name("rows")->Apply(short_k);
BENCHMARK(packed_b<ctnn::transpose::yes>)->Name("packed_tn")->Apply(short_k);

void shapes(benchmark::internal::Benchmark* b) {
  for (long m : {8, 16, 32, 64})
    for (long n : {10, 25, 64, 150})
      for (long k : {64, 256, 784}) b->Args({m, n, k});
  // LeNet's weight gradients per sample: first and second convolution
  b->Args({6, 25, 784});
  b->Args({16, 150, 100});
}
BENCHMARK(dots)->Apply(shapes);
BENCHMARK(packed)->Apply(shapes);

// C = op(A) op(B) through the public entry point, as a layer calls it.
template <ctnn::transpose TA, ctnn::transpose TB>
void product(benchmark::State& state) {
  operands o(state);
  ctnn::set_num_threads(1);
  for (auto _ : state) {
    ctnn::cpu::gemm(TA, TB, o.m, o.n, o.k, 1.0f, o.a.data(), o.b.data(), 0.0f, o.c.data());
    benchmark::DoNotOptimize(o.c.data());
  }
  count_flops(state, o);
  ctnn::set_num_threads(0);
}

// LeNet at batch 32 (benchmarks/compare): the first convolution takes one sample per product
// (784 positions), the second six side by side (600 positions; conv.hpp's samples_side_by_side).
constexpr ctnn::transpose no = ctnn::transpose::no, yes = ctnn::transpose::yes;
// forward, W col: [out, in k k] x [in k k, positions]
BENCHMARK(product<no, no>)->Name("lenet_nn")->Args({6, 784, 25})->Args({16, 600, 150});
// weight gradient, dz col^T: [out, positions] x [positions, in k k]
BENCHMARK(product<no, yes>)->Name("lenet_nt")->Args({6, 25, 784})->Args({16, 150, 600});
// column gradient, W^T dz: [in k k, out] x [out, positions]
BENCHMARK(product<yes, no>)->Name("lenet_tn")->Args({150, 600, 16});

// x W^T at a training batch (W changes every step, nothing kept), mlp_train_b32's 784 -> 128:
// as gemm takes it, (W x^T)^T with W's rows read in place (transpose_reads_b_in_place), against
// the blocked GEMM transposing W into its slivers (packed/32/128/784).
BENCHMARK(product<no, yes>)->Name("train_x_wt")->Args({32, 128, 784});
BENCHMARK(packed)->Args({32, 128, 784});

// A batch-1 layer, mlp_infer_b1's 784 -> 128, both ways gemm_weight can take it: x W^T as dot
// products with W's rows, or x times W^T kept (weight_transpose_pays: W^T on AVX-512).
BENCHMARK(product<no, yes>)->Name("batch1_dots")->Args({1, 128, 784});
BENCHMARK(product<no, no>)->Name("batch1_from_w_t")->Args({1, 128, 784});

}  // namespace

BENCHMARK_MAIN();
