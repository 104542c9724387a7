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
//
// With AVX-512 float and a state of at most four registers (n = 16, 32, 48, 64), h[t] also stays
// in registers between steps (recurrence_in_registers): the next step splats it from there
// instead of loading what was just stored, and the next step's input side is issued between this
// step's products and its f. rnn_infer 6.84 -> 6.62 us at best, pinned and alternating.
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

#if defined(__AVX512F__)
// All steps for a state of V whole AVX-512 registers of float (n = 16 V): h[t] stays in registers
// from one step to the next, and its elements are splatted from them (a 128-bit lane broadcast,
// then vpermilps), so the step does not wait for h[t] to be stored and loaded back.
template <std::size_t V, class F>
void recurrence_in_registers(std::size_t steps, std::size_t m, const F& f, const float* x,
                             std::size_t x_stride, const float* a, const float* b, const float* w,
                             const float* h0, float* h, std::size_t h_stride) {
  using batch = xsimd::batch<float>;
  constexpr std::size_t W = batch::size, n = V * W;
  static_assert(W == 16);
  batch state[V], bias[V];
#pragma GCC unroll 4
  for (std::size_t v = 0; v < V; ++v) {
    state[v] = batch::load_unaligned(h0 + v * W);
    bias[v] = batch::load_unaligned(b + v * W);
  }
  const auto add_value = [&](batch(&acc)[V], batch value, const float* M, std::size_t k) {
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v)
      acc[v] = xsimd::fma(value, batch::load_unaligned(M + k * n + v * W), acc[v]);
  };
  const auto add_quad = [&](batch(&acc)[2][V], __m512 quad, const float* M, std::size_t k) {
    add_value(acc[0], batch(_mm512_permute_ps(quad, 0x00)), M, k);
    add_value(acc[1], batch(_mm512_permute_ps(quad, 0x55)), M, k + 1);
    add_value(acc[0], batch(_mm512_permute_ps(quad, 0xAA)), M, k + 2);
    add_value(acc[1], batch(_mm512_permute_ps(quad, 0xFF)), M, k + 3);
  };
  // x[t] A + b, the input side of step t, which does not wait for h
  const auto input_side = [&](batch(&u)[V], std::size_t t) {
    const float* x_t = x + t * x_stride;
    batch acc[2][V];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) acc[0][v] = bias[v], acc[1][v] = batch(0.0f);
    const std::size_t quads = m - m % 4;
    for (std::size_t k = 0; k < quads; k += 4)
      add_quad(acc, _mm512_broadcast_f32x4(_mm_loadu_ps(x_t + k)), a, k);
    for (std::size_t k = quads; k < m; ++k) add_value(acc[0], batch(x_t[k]), a, k);
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) u[v] = acc[0][v] + acc[1][v];
  };
  batch u[V];
  input_side(u, 0);
  for (std::size_t t = 0; t < steps; ++t) {
    batch hidden[2][V];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) hidden[0][v] = hidden[1][v] = batch(0.0f);
#pragma GCC unroll 4
    for (std::size_t q = 0; q < V; ++q) {
      const __m512 s = state[q];
      add_quad(hidden, _mm512_shuffle_f32x4(s, s, 0x00), w, q * W);
      add_quad(hidden, _mm512_shuffle_f32x4(s, s, 0x55), w, q * W + 4);
      add_quad(hidden, _mm512_shuffle_f32x4(s, s, 0xAA), w, q * W + 8);
      add_quad(hidden, _mm512_shuffle_f32x4(s, s, 0xFF), w, q * W + 12);
    }
    // The next step's input side comes here, between this step's products and its f, so that
    // the core has independent work at hand while f waits for the products' last sums.
    const bool next = t + 1 < steps;
    batch u_next[V];
    if (next) input_side(u_next, t + 1);
    float* h_t = h + t * h_stride;
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) {
      state[v] = f(u[v], hidden[0][v] + hidden[1][v]);
      state[v].store_unaligned(h_t + v * W);
      if (next) u[v] = u_next[v];
    }
  }
}
#endif

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
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float> && xsimd::batch<float>::size == 16) {
    constexpr std::size_t W = xsimd::batch<float>::size, max_registers = 4;
    if (n % W == 0 && n <= max_registers * W)
      return detail::dispatch_rows<max_registers>(n / W, [&](auto registers) {
        detail::recurrence_in_registers<decltype(registers)::value>(steps, m, f, x, x_stride, a, b,
                                                                    w, h0, h, h_stride);
      });
  }
#endif
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
