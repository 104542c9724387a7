// y = x W for one row x [k] and W [k, n] row-major, with the sum over k taken first to last or
// last to first: a recurrent step at batch 1, h W_hh^T, whose layer alternates the order from one
// step to the next.
//
// Why: an LSTM's W_hh^T with 64 units is 64 KiB and a GRU's 48 KiB, more than an L1 data cache of
// 32 KiB, and every step reads all of it. Read in the same order every step, each line has been
// evicted by the time the step comes back to it (least recently used goes first), so every step
// streamed the whole matrix from L2: about 2 cycles a multiply-add in lstm_infer (perf: 28 of its
// 45 us). Read in the reverse order of the step before, a step starts with the lines that step
// read last, which are still in L1: lstm_infer 44.4 -> 36.3 us, gru_infer 33.8 -> 27.0 (min of
// 4 alternating rounds). Reversing only the order of the gates (four 16 KiB blocks, k ascending)
// gained 5% on the GRU and nothing on the LSTM. The two orders round differently.
//
// The columns go a chunk of registers at a time (8 on AVX-512, else 4, then 4, 2, 1 and single
// columns), each chunk's sums in registers over all of k. Descending, the chunks come in reverse
// order too, so that the whole sequence of reads is the reverse of the ascending one.
#pragma once

#include <cstddef>

#include "ctnn/backend/cpu/xsimd.hpp"

#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/core/backend.hpp"

namespace ctnn::cpu {

namespace detail {

// Columns [j, j + V W): y[j..] = sum over k of x[p] W[p, j..], p in `order`. Fewer than eight
// registers of sums alternate between two sets, so that no chain of dependent multiply-adds waits
// on the FMA latency.
template <std::size_t V, class T>
void row_times_columns(std::size_t n, std::size_t k, const T* x, const T* w, T* y, std::size_t j,
                       sum_order order) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size, S = V >= 8 ? 1 : 2;
  batch acc[S][V];
#pragma GCC unroll 2
  for (std::size_t s = 0; s < S; ++s)
#pragma GCC unroll 8
    for (std::size_t v = 0; v < V; ++v) acc[s][v] = batch(T(0));
  const auto add = [&](std::size_t s, std::size_t p) {
    const batch xp(x[p]);
#pragma GCC unroll 8
    for (std::size_t v = 0; v < V; ++v)
      acc[s][v] = xsimd::fma(xp, batch::load_unaligned(w + p * n + j + v * W), acc[s][v]);
  };
  const bool descending = order == sum_order::descending;
  std::size_t r = 0;
  for (; r + S <= k; r += S)
#pragma GCC unroll 2
    for (std::size_t s = 0; s < S; ++s) add(s, descending ? k - 1 - (r + s) : r + s);
  for (; r < k; ++r) add(0, descending ? k - 1 - r : r);
#pragma GCC unroll 8
  for (std::size_t v = 0; v < V; ++v) {
    batch sum = acc[0][v];
    if constexpr (S == 2) sum += acc[1][v];
    sum.store_unaligned(y + j + v * W);
  }
}

}  // namespace detail

// y [n] = x [k] W [k, n], each sum over k in `order`. Element types without SIMD kernels (dual
// numbers) take a loop per column.
template <class T>
void row_times_matrix(std::size_t n, std::size_t k, const T* x, const T* w, T* y, sum_order order) {
  const bool descending = order == sum_order::descending;
  const auto single_column = [&](std::size_t j) {
    T sum(0);
    for (std::size_t r = 0; r < k; ++r) {
      const std::size_t p = descending ? k - 1 - r : r;
      sum += x[p] * w[p * n + j];
    }
    y[j] = sum;
  };
  if constexpr (!simd_element_v<T>) {
    for (std::size_t j = 0; j < n; ++j) single_column(descending ? n - 1 - j : j);
  } else {
    using detail::row_times_columns;
    constexpr std::size_t W = xsimd::batch<T>::size;
    constexpr std::size_t V = detail::blocking<T>::wide_register_file ? 8 : 4;
    // Ascending: whole chunks of V registers, then one of 4 (where V is 8), 2 and 1 register as
    // the rest needs, then single columns.
    const std::size_t chunks = n / (V * W), rest = (n - chunks * V * W) / W;
    const std::size_t j4 = chunks * V * W, j2 = j4 + (rest & 4 ? 4 * W : 0),
                      j1 = j2 + (rest & 2 ? 2 * W : 0), single = j1 + (rest & 1 ? W : 0);
    if (!descending) {
      for (std::size_t c = 0; c < chunks; ++c)
        row_times_columns<V>(n, k, x, w, y, c * V * W, order);
      if constexpr (V > 4)
        if (rest & 4) row_times_columns<4>(n, k, x, w, y, j4, order);
      if (rest & 2) row_times_columns<2>(n, k, x, w, y, j2, order);
      if (rest & 1) row_times_columns<1>(n, k, x, w, y, j1, order);
      for (std::size_t j = single; j < n; ++j) single_column(j);
    } else {
      for (std::size_t j = n; j-- > single;) single_column(j);
      if (rest & 1) row_times_columns<1>(n, k, x, w, y, j1, order);
      if (rest & 2) row_times_columns<2>(n, k, x, w, y, j2, order);
      if constexpr (V > 4)
        if (rest & 4) row_times_columns<4>(n, k, x, w, y, j4, order);
      for (std::size_t c = chunks; c-- > 0;) row_times_columns<V>(n, k, x, w, y, c * V * W, order);
    }
  }
}

}  // namespace ctnn::cpu
