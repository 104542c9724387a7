// A convolution's forward and weight gradient without im2col, on SIMD registers, where its output
// channels fill one to four whole registers (LeNet's second convolution: 16, one AVX-512 register
// of float).
//
// im2col copies each input element once per kernel tap into a column matrix for the product: for
// LeNet's second convolution 150 column rows of 10-element pieces a sample, about 4 cycles a
// piece, 1.5 us a sample (with backward's, 16% of a training step). Here the product reads the
// padded input where it is: a register holds the output channels of one position, and each tap
// adds the tap's weights (a register of W^T's row) times the input element, broadcast. A row of
// output positions is accumulated in registers over all taps; the sample's output, channels last,
// is transposed into [channel][position] in register tiles at the end.
//
// The weight gradient likewise: dz is transposed to channels last once, and for each input
// channel and kernel row the registers of the taps' gradients (all output channels of a tap)
// take dz's register of each position times the input element it read, broadcast, over the whole
// batch before they are stored.
#pragma once

#include <algorithm>
#include <cstddef>

#include "ctnn/backend/cpu/xsimd.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/backend/cpu/threads.hpp"
#include "ctnn/backend/cpu/transpose.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn::cpu {

template <window_geometry G, std::size_t Out, class T>
inline constexpr bool conv_direct_applies = [] {
  if constexpr (simd_element_v<T>) {
    constexpr std::size_t W = xsimd::batch<T>::size;
    return Out % W == 0 && Out / W <= 4;
  } else {
    return false;
  }
}();

namespace detail {

// Output positions [ow0, ow0 + N) of row oh, all Out channels, summed over every tap into
// channels_last [position][Out].
template <window_geometry G, std::size_t Out, std::size_t N, class T>
void conv_direct_positions(const T* w_t, const T* xp, std::size_t oh, std::size_t ow0,
                           T* channels_last) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size, V = Out / W;
  constexpr std::size_t width = G.width + 2 * G.pad_w, plane = (G.height + 2 * G.pad_h) * width;
  batch acc[N][V];
#pragma GCC unroll 32
  for (std::size_t p = 0; p < N; ++p)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) acc[p][v] = batch(T(0));
  for (std::size_t c = 0; c < G.channels; ++c)
    for (std::size_t kh = 0; kh < G.kernel_h; ++kh) {
      const T* row =
          xp + c * plane + (oh * G.stride_h + kh * G.dilation_h) * width + ow0 * G.stride_w;
      const T* taps = w_t + (c * G.kernel_h + kh) * G.kernel_w * Out;
      for (std::size_t kw = 0; kw < G.kernel_w; ++kw) {
        batch wv[V];
#pragma GCC unroll 4
        for (std::size_t v = 0; v < V; ++v) wv[v] = batch::load_unaligned(taps + kw * Out + v * W);
#pragma GCC unroll 32
        for (std::size_t p = 0; p < N; ++p) {
          const batch xv(row[p * G.stride_w + kw * G.dilation_w]);
#pragma GCC unroll 4
          for (std::size_t v = 0; v < V; ++v) acc[p][v] = xsimd::fma(xv, wv[v], acc[p][v]);
        }
      }
    }
  T* out = channels_last + (oh * G.out_w() + ow0) * Out;
#pragma GCC unroll 32
  for (std::size_t p = 0; p < N; ++p)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v) acc[p][v].store_unaligned(out + p * Out + v * W);
}

// One sample: out [Out][OH OW] = W xp.
template <window_geometry G, std::size_t Out, class T>
void conv_direct_sample(const T* w_t, const T* xp, T* out) {
  constexpr std::size_t V = Out / xsimd::batch<T>::size, OH = G.out_h(), OW = G.out_w();
  // Accumulators a row of positions holds: the rest of the registers take the weights and the
  // broadcast.
  constexpr std::size_t registers = blocking<T>::wide_register_file ? 24 : 12;
  constexpr std::size_t N = std::min(OW, std::max<std::size_t>(1, registers / V));
  constexpr std::size_t whole = OW - OW % N;
  thread_local aligned_buffer<T> room;
  T* channels_last = grow(room, OH * OW * Out);
  for (std::size_t oh = 0; oh < OH; ++oh) {
    for (std::size_t ow0 = 0; ow0 < whole; ow0 += N)
      conv_direct_positions<G, Out, N>(w_t, xp, oh, ow0, channels_last);
    if constexpr (whole < OW)
      conv_direct_positions<G, Out, OW - whole>(w_t, xp, oh, whole, channels_last);
  }
  copy_transposed(OH * OW, Out, channels_last, Out, out, OH * OW);
}

// sums[kw][Out] = the gradient of the taps (c, kh, K0 .. K0 + KB) over all samples:
// sum over positions of dz_cl[s][position][o] xp[s][c][the element that tap read there].
template <window_geometry G, std::size_t Out, std::size_t K0, std::size_t KB, class T>
void conv_weight_grad_taps(const T* dz_cl, const T* xp, std::size_t samples, std::size_t c,
                           std::size_t kh, T* sums) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size, V = Out / W, OH = G.out_h(), OW = G.out_w();
  constexpr std::size_t width = G.width + 2 * G.pad_w, height = G.height + 2 * G.pad_h;
  constexpr std::size_t in_sample = G.channels * height * width, out_sample = Out * OH * OW;
  // Two sets, for even and odd positions: one would be a chain of dependent multiply-adds per
  // register, waiting on the FMA latency.
  batch acc[2][KB][V];
#pragma GCC unroll 2
  for (std::size_t e = 0; e < 2; ++e)
#pragma GCC unroll 16
    for (std::size_t k = 0; k < KB; ++k)
#pragma GCC unroll 4
      for (std::size_t v = 0; v < V; ++v) acc[e][k][v] = batch(T(0));
  for (std::size_t s = 0; s < samples; ++s)
    for (std::size_t oh = 0; oh < OH; ++oh) {
      const T* row = xp + s * in_sample +
                     (c * height + oh * G.stride_h + kh * G.dilation_h) * width + K0 * G.dilation_w;
      const T* dz_row = dz_cl + s * out_sample + oh * OW * Out;
      const auto add = [&](batch(&into)[KB][V], std::size_t ow) {
        batch dzv[V];
#pragma GCC unroll 4
        for (std::size_t v = 0; v < V; ++v)
          dzv[v] = batch::load_unaligned(dz_row + ow * Out + v * W);
#pragma GCC unroll 16
        for (std::size_t k = 0; k < KB; ++k) {
          const batch xv(row[ow * G.stride_w + k * G.dilation_w]);
#pragma GCC unroll 4
          for (std::size_t v = 0; v < V; ++v) into[k][v] = xsimd::fma(xv, dzv[v], into[k][v]);
        }
      };
      std::size_t ow = 0;
      for (; ow + 2 <= OW; ow += 2) add(acc[0], ow), add(acc[1], ow + 1);
      if (ow < OW) add(acc[0], ow);
    }
#pragma GCC unroll 16
  for (std::size_t k = 0; k < KB; ++k)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < V; ++v)
      (acc[0][k][v] + acc[1][k][v]).store_unaligned(sums + (K0 + k) * Out + v * W);
}

// The taps of (c, kh), a few kernel columns at a time so that the accumulators fit in registers.
template <window_geometry G, std::size_t Out, std::size_t K0, class T>
void conv_weight_grad_row(const T* dz_cl, const T* xp, std::size_t samples, std::size_t c,
                          std::size_t kh, T* sums) {
  if constexpr (K0 < G.kernel_w) {
    constexpr std::size_t V = Out / xsimd::batch<T>::size;
    constexpr std::size_t registers = blocking<T>::wide_register_file ? 12 : 5;
    constexpr std::size_t KB = std::min(G.kernel_w - K0, std::max<std::size_t>(1, registers / V));
    conv_weight_grad_taps<G, Out, K0, KB>(dz_cl, xp, samples, c, kh, sums);
    conv_weight_grad_row<G, Out, K0 + KB>(dz_cl, xp, samples, c, kh, sums);
  }
}

}  // namespace detail

// out [samples][Out][OH][OW] = W xp for each sample, from w_t = W^T [C KH KW][Out] and the padded
// inputs xp [samples][C][height + 2 pad_h][width + 2 pad_w]. Samples are split over threads when
// each thread gets enough multiply-adds (gemm.hpp's rule).
template <window_geometry G, std::size_t Out, class T>
  requires conv_direct_applies<G, Out, T>
void conv_direct(const T* w_t, const T* xp, T* out, std::size_t samples) {
  constexpr std::size_t in_sample = G.channels * (G.height + 2 * G.pad_h) * (G.width + 2 * G.pad_w);
  constexpr std::size_t out_sample = Out * G.out_plane();
  constexpr std::size_t work_per_sample = out_sample * G.channels * G.kernel_size();
#if defined(_OPENMP)
  const std::size_t threads =
      std::min({get_num_threads(), samples,
                std::max<std::size_t>(1, samples * work_per_sample / detail::min_work_per_thread)});
  if (threads > 1) {
    const int team = static_cast<int>(threads);
#pragma omp parallel for num_threads(team) schedule(static)
    for (std::size_t s = 0; s < samples; ++s)
      detail::conv_direct_sample<G, Out>(w_t, xp + s * in_sample, out + s * out_sample);
    return;
  }
#endif
  for (std::size_t s = 0; s < samples; ++s)
    detail::conv_direct_sample<G, Out>(w_t, xp + s * in_sample, out + s * out_sample);
}

// grad_w [Out][C KH KW] += the weight gradient of a convolution over all samples, from dz
// [samples][Out][OH][OW] and the padded inputs xp. The rows (c, kh) of taps are split over
// threads when each thread gets enough multiply-adds.
template <window_geometry G, std::size_t Out, class T>
  requires conv_direct_applies<G, Out, T>
void conv_weight_grad(const T* dz, const T* xp, T* grad_w, std::size_t samples) {
  constexpr std::size_t plane = G.out_plane(), taps = G.channels * G.kernel_size();
  constexpr std::size_t tap_rows = G.channels * G.kernel_h, out_sample = Out * plane;
  thread_local detail::aligned_buffer<T> room;
  T* dz_cl = detail::grow(room, samples * out_sample + taps * Out);
  T* sums = dz_cl + samples * out_sample;  // [taps][Out]
  for (std::size_t s = 0; s < samples; ++s)
    copy_transposed(Out, plane, dz + s * out_sample, plane, dz_cl + s * out_sample, Out);
  const auto tap_row = [&](std::size_t r) {
    detail::conv_weight_grad_row<G, Out, 0>(dz_cl, xp, samples, r / G.kernel_h, r % G.kernel_h,
                                            sums + r * G.kernel_w * Out);
  };
  std::size_t threads = 1;
#if defined(_OPENMP)
  threads = std::min(
      {get_num_threads(), tap_rows,
       std::max<std::size_t>(1, samples * out_sample * taps / detail::min_work_per_thread)});
  if (threads > 1) {
    const int team = static_cast<int>(threads);
#pragma omp parallel for num_threads(team) schedule(static)
    for (std::size_t r = 0; r < tap_rows; ++r) tap_row(r);
  }
#endif
  if (threads <= 1)
    for (std::size_t r = 0; r < tap_rows; ++r) tap_row(r);
  for (std::size_t o = 0; o < Out; ++o)
    for (std::size_t t = 0; t < taps; ++t) grad_w[o * taps + t] += sums[t * Out + o];
}

}  // namespace ctnn::cpu
