// The recurrence of one sequence, h[t + 1] = f(x[t] A + b, h[t] W) for every step t, in one call
// on SIMD registers: an Elman RNN at batch 1, with A = W_ih^T, W = W_hh^T, b both biases and
// f(u, s) = tanh(u + s).
//
// As one GEMM of a single row plus one map per step, rnn_infer spent a fifth of its time around
// the arithmetic: two calls and their dispatch per step, and each step's sums stored and loaded
// again before the map. Here the sums stay in registers and go through f on their way to h. The
// input side of a step is summed in the same pass: it does not wait for h, so the core works on it
// while the previous step's f and the store of h[t] are still in flight, time in which a step
// alone can only wait.
//
// Each multiply-add loads a register of W (or A), and each input a broadcast of it, also a load:
// at 1.25 loads per multiply-add, a core that loads one AVX-512 register a cycle (Zen 4) waits on
// loads, not on multiply-adds. The AVX-512 float path loads four inputs at once and splats each
// with an in-register shuffle (vpermilps), which no load port runs: rnn_infer 7.9 -> 7.4 us
// (pinned, alternating, the minimum of 25 runs each).
#pragma once

#include <cstddef>
#include <type_traits>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "ctnn/backend/cpu/xsimd.hpp"

#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/core/ops.hpp"

namespace ctnn::cpu {

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace detail {

// Columns j.. of one step, V registers at a time while V whole registers remain.
template <std::size_t V, class F, class T>
void recurrence_columns(std::size_t m, std::size_t n, const F& f, const T* x, const T* a,
                        const T* b, const T* w, const T* h_prev, T* h, std::size_t& j) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size;
  for (; j + V * W <= n; j += V * W) {
    batch input[2][V], hidden[2][V];
#pragma GCC unroll 2
    for (std::size_t s = 0; s < 2; ++s)
#pragma GCC unroll 4
      for (std::size_t v = 0; v < V; ++v) {
        input[s][v] = batch(T(0));
        hidden[s][v] = batch(T(0));
      }
    // acc[v] += in[k] times the v-th register of row k of M (rows n apart) from column j. The
    // sums over k alternate between two sets of accumulators, which halves the chain of
    // dependent multiply-adds each one waits on.
    const auto add_value = [&](batch(&acc)[V], batch value, const T* M, std::size_t k) {
#pragma GCC unroll 4
      for (std::size_t v = 0; v < V; ++v)
        acc[v] = xsimd::fma(value, batch::load_unaligned(M + k * n + j + v * W), acc[v]);
    };
    const auto add = [&](batch(&acc)[V], const T* in, const T* M, std::size_t k) {
      add_value(acc, batch(in[k]), M, k);
    };
    const auto add_all = [&](batch(&acc)[2][V], const T* in, const T* M, std::size_t count) {
      std::size_t k = 0;
#if defined(__AVX512F__)
      if constexpr (std::is_same_v<T, float>) {
        for (; k + 4 <= count; k += 4) {
          const __m512 quad = _mm512_broadcast_f32x4(_mm_loadu_ps(in + k));
          add_value(acc[0], batch(_mm512_permute_ps(quad, 0x00)), M, k);
          add_value(acc[1], batch(_mm512_permute_ps(quad, 0x55)), M, k + 1);
          add_value(acc[0], batch(_mm512_permute_ps(quad, 0xAA)), M, k + 2);
          add_value(acc[1], batch(_mm512_permute_ps(quad, 0xFF)), M, k + 3);
        }
      }
#endif
      for (; k + 2 <= count; k += 2) add(acc[0], in, M, k), add(acc[1], in, M, k + 1);
      if (k < count) add(acc[0], in, M, k);
    };
    add_all(input, x, a, m);
    add_all(hidden, h_prev, w, n);
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) {
      const batch u = input[0][v] + input[1][v] + batch::load_unaligned(b + j + v * W);
      f(u, hidden[0][v] + hidden[1][v]).store_unaligned(h + j + v * W);
    }
  }
}

}  // namespace detail

template <class F, class T>
inline constexpr bool recurrence_applies = op::vectorizable<F> && simd_element_v<T>;

// h[t + 1] = f(x[t] A + b, h[t] W) for t < steps: x rows of m inputs x_stride apart, A [m, n],
// b [n], W [n, n], all row-major; h0 the state before the first step, h the states after each
// step, rows h_stride apart.
template <class F, class T>
void recurrence(std::size_t steps, std::size_t m, std::size_t n, const F& f, const T* x,
                std::size_t x_stride, const T* a, const T* b, const T* w, const T* h0, T* h,
                std::size_t h_stride) {
  for (std::size_t t = 0; t < steps; ++t) {
    const T* h_prev = t == 0 ? h0 : h + (t - 1) * h_stride;
    const T* x_t = x + t * x_stride;
    T* h_t = h + t * h_stride;
    std::size_t j = 0;
    detail::recurrence_columns<4>(m, n, f, x_t, a, b, w, h_prev, h_t, j);
    detail::recurrence_columns<1>(m, n, f, x_t, a, b, w, h_prev, h_t, j);
    for (; j < n; ++j) {
      T u = b[j], s(0);
      for (std::size_t k = 0; k < m; ++k) u += x_t[k] * a[k * n + j];
      for (std::size_t k = 0; k < n; ++k) s += h_prev[k] * w[k * n + j];
      h_t[j] = f(u, s);
    }
  }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace ctnn::cpu
