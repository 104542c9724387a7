// A convolution's forward and weight gradient without im2col, on SIMD registers, where its output
// channels fill one to four whole registers (LeNet's second convolution: 16, one AVX-512 register
// of float); and the forward of convolutions with few output channels and stride 1 along the
// width, with output positions in the registers instead (LeNet's first: 6 channels, rows of 28).
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
// batch before they are stored. With positions in the registers (conv_rows_weight_grad), a tap's
// register of each output channel takes dz's register of positions times the input the tap read
// there, and its lanes are summed at the end: LeNet's first convolution without its 2.5 MB column
// matrix at batch 32, lenet_train_b32 951 -> 915 us (median of 20, pinned, alternating).
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>

#include "ctnn/backend/cpu/xsimd.hpp"

#include "ctnn/backend/cpu/col2im.hpp"
#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/backend/cpu/threads.hpp"
#include "ctnn/backend/cpu/transpose.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn::cpu {

namespace detail {
// The registers a kernel's accumulators may take here; the rest hold its loaded operands.
template <class T>
inline constexpr std::size_t accumulator_registers = blocking<T>::wide_register_file ? 24 : 12;
}  // namespace detail

template <window_geometry G, std::size_t Out, class T>
inline constexpr bool conv_direct_applies = [] {
  if constexpr (simd_element_v<T>) {
    constexpr std::size_t W = xsimd::batch<T>::size;
    return Out % W == 0 && Out / W <= 4;
  } else {
    return false;
  }
}();

// Output positions in the registers instead (conv_rows), for convolutions whose channels do not
// fill whole registers: stride 1 along the width, a row of output channels times registers of
// positions that fits in registers, and at least three quarters of those lanes used (shorter
// rows waste lanes on every multiply-add, where im2col + GEMM puts several samples' positions
// side by side; a rule of thumb, measured on LeNet's first convolution only: 28 of 32 lanes).
template <window_geometry G, std::size_t Out, class T>
inline constexpr bool conv_rows_applies = [] {
  if constexpr (CTNN_CPU_MASKED_LOADS && simd_element_v<T>) {
    constexpr std::size_t W = xsimd::batch<T>::size, R = (G.out_w() + W - 1) / W;
    return G.stride_w == 1 && !conv_direct_applies<G, Out, T> && 4 * G.out_w() >= 3 * R * W &&
           Out * R <= detail::accumulator_registers<T>;
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
  constexpr std::size_t width = G.padded_w(), plane = G.padded_h() * width;
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
  constexpr std::size_t registers = accumulator_registers<T>;
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
  constexpr std::size_t width = G.padded_w(), height = G.padded_h();
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
template <window_geometry G, std::size_t Out, class T>
void conv_weight_grad_row(const T* dz_cl, const T* xp, std::size_t samples, std::size_t c,
                          std::size_t kh, T* sums) {
  constexpr std::size_t V = Out / xsimd::batch<T>::size;
  constexpr std::size_t registers = blocking<T>::wide_register_file ? 12 : 5;
  constexpr std::size_t KB = std::max<std::size_t>(1, registers / V), KW = G.kernel_w;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (conv_weight_grad_taps<G, Out, I * KB, std::min(KB, KW - I * KB)>(dz_cl, xp, samples, c, kh,
                                                                      sums),
     ...);
  }
  (std::make_index_sequence<(KW + KB - 1) / KB>{});
}

#if CTNN_CPU_MASKED_LOADS
// One sample with output positions in the registers instead of channels (conv_rows): each
// output row of OW positions is R registers per output channel, the last one masked; each tap
// adds the tap's weight, broadcast, times the R registers of input it reads, loaded from the
// padded row where it is.
template <window_geometry G, std::size_t Out, class T>
void conv_rows_sample(const T* w, const T* xp, T* out) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size, OH = G.out_h(), OW = G.out_w();
  constexpr std::size_t R = (OW + W - 1) / W, last = OW - (R - 1) * W;
  constexpr std::size_t width = G.padded_w(), plane = G.padded_h() * width;
  constexpr std::size_t taps = G.channels * G.kernel_size();
  for (std::size_t oh = 0; oh < OH; ++oh) {
    batch acc[Out][R];
#pragma GCC unroll 8
    for (std::size_t o = 0; o < Out; ++o)
#pragma GCC unroll 4
      for (std::size_t r = 0; r < R; ++r) acc[o][r] = batch(T(0));
    for (std::size_t c = 0, tap = 0; c < G.channels; ++c)
      for (std::size_t kh = 0; kh < G.kernel_h; ++kh) {
        const T* row = xp + c * plane + (oh * G.stride_h + kh * G.dilation_h) * width;
        for (std::size_t kw = 0; kw < G.kernel_w; ++kw, ++tap) {
          const T* in = row + kw * G.dilation_w;
          batch xv[R];
#pragma GCC unroll 4
          for (std::size_t r = 0; r + 1 < R; ++r) xv[r] = batch::load_unaligned(in + r * W);
          xv[R - 1] = load_lanes(in + (R - 1) * W, 0, last);
#pragma GCC unroll 8
          for (std::size_t o = 0; o < Out; ++o) {
            const batch wv(w[o * taps + tap]);
#pragma GCC unroll 4
            for (std::size_t r = 0; r < R; ++r) acc[o][r] = xsimd::fma(wv, xv[r], acc[o][r]);
          }
        }
      }
#pragma GCC unroll 8
    for (std::size_t o = 0; o < Out; ++o) {
      T* dst = out + (o * OH + oh) * OW;
#pragma GCC unroll 4
      for (std::size_t r = 0; r + 1 < R; ++r) acc[o][r].store_unaligned(dst + r * W);
      store_lanes(dst + (R - 1) * W, acc[o][R - 1], last);
    }
  }
}

// grad_w[o][taps (c, kh, k0 ..)] += sum over samples and positions of dz[s][o][position] times
// the input element the tap read there, for OB output channels from o0 and KB kernel columns from
// k0. Positions are in the registers as in conv_rows: each register of dz, times the register of
// input a tap read for the same positions, goes into that (channel, tap)'s register, whose lanes
// are summed at the end. Masked lanes load zeros in both.
template <window_geometry G, std::size_t Out, std::size_t OB, std::size_t KB, class T>
void conv_rows_weight_grad_taps(const T* dz, const T* xp, std::size_t samples, std::size_t o0,
                                std::size_t c, std::size_t kh, std::size_t k0, T* grad_w) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size, OH = G.out_h(), OW = G.out_w();
  constexpr std::size_t R = (OW + W - 1) / W, last = OW - (R - 1) * W;
  constexpr std::size_t width = G.padded_w(), height = G.padded_h(), plane = G.out_plane();
  constexpr std::size_t in_sample = G.channels * height * width, out_sample = Out * plane;
  constexpr std::size_t taps = G.channels * G.kernel_size();
  batch acc[OB][KB];
#pragma GCC unroll 8
  for (std::size_t o = 0; o < OB; ++o)
#pragma GCC unroll 16
    for (std::size_t k = 0; k < KB; ++k) acc[o][k] = batch(T(0));
  for (std::size_t s = 0; s < samples; ++s)
    for (std::size_t oh = 0; oh < OH; ++oh) {
      const T* row = xp + s * in_sample +
                     (c * height + oh * G.stride_h + kh * G.dilation_h) * width + k0 * G.dilation_w;
      const T* dz_row = dz + s * out_sample + o0 * plane + oh * OW;
      // the register of positions from `first`, through `load` (whole or masked)
      const auto add = [&](std::size_t first, const auto& load) {
        batch dzv[OB];
#pragma GCC unroll 8
        for (std::size_t o = 0; o < OB; ++o) dzv[o] = load(dz_row + o * plane + first);
#pragma GCC unroll 16
        for (std::size_t k = 0; k < KB; ++k) {
          const batch xv = in_register(load(row + first + k * G.dilation_w));
#pragma GCC unroll 8
          for (std::size_t o = 0; o < OB; ++o) acc[o][k] = xsimd::fma(dzv[o], xv, acc[o][k]);
        }
      };
#pragma GCC unroll 4
      for (std::size_t r = 0; r + 1 < R; ++r)
        add(r * W, [](const T* p) { return batch::load_unaligned(p); });
      add((R - 1) * W, [](const T* p) { return load_lanes(p, 0, last); });
    }
  T* grad = grad_w + o0 * taps + (c * G.kernel_h + kh) * G.kernel_w + k0;
#pragma GCC unroll 8
  for (std::size_t o = 0; o < OB; ++o)
#pragma GCC unroll 16
    for (std::size_t k = 0; k < KB; ++k) grad[o * taps + k] += horizontal_sum(acc[o][k]);
}

// The blocks of conv_rows_weight_grad: OB output channels times KB kernel columns of
// accumulators, plus OB registers of dz and one of input, within the registers a row of
// conv_rows_sample's accumulators may take. A whole kernel row where that leaves room for a
// channel (LeNet's first convolution on AVX-512: 3 channels of 5 taps, 19 registers).
template <window_geometry G, class T>
struct conv_rows_grad_blocks {
  static constexpr std::size_t registers = accumulator_registers<T>;
  static constexpr bool whole_rows = (registers - 1) / (G.kernel_w + 1) >= 1;
  static constexpr std::size_t KB = whole_rows ? G.kernel_w : std::min(G.kernel_w, registers - 2);
  static constexpr std::size_t OB = whole_rows ? (registers - 1) / (G.kernel_w + 1) : 1;
};
#endif

// sample(xp_s, out_s) for each sample's padded input and output, split over threads.
template <window_geometry G, std::size_t Out, class T, class Sample>
void forward_samples(const T* xp, T* out, std::size_t samples, const Sample& sample) {
  constexpr std::size_t in_sample = G.channels * G.padded_h() * G.padded_w();
  constexpr std::size_t out_sample = Out * G.out_plane();
  for_each_split(samples, out_sample * G.channels * G.kernel_size(),
                 [&](std::size_t s) { sample(xp + s * in_sample, out + s * out_sample); });
}

}  // namespace detail

// out [samples][Out][OH][OW] = W xp for each sample, from w_t = W^T [C KH KW][Out] and the padded
// inputs xp [samples][C][height + 2 pad_h][width + 2 pad_w].
template <window_geometry G, std::size_t Out, class T>
  requires conv_direct_applies<G, Out, T>
void conv_direct(const T* w_t, const T* xp, T* out, std::size_t samples) {
  detail::forward_samples<G, Out>(
      xp, out, samples, [&](const T* x, T* y) { detail::conv_direct_sample<G, Out>(w_t, x, y); });
}

#if CTNN_CPU_MASKED_LOADS
// The same with W in its own layout [Out][C KH KW] and output positions in the registers, for
// few output channels (LeNet's first convolution: 6) and stride 1 along the width.
template <window_geometry G, std::size_t Out, class T>
  requires conv_rows_applies<G, Out, T>
void conv_rows(const T* w, const T* xp, T* out, std::size_t samples) {
  detail::forward_samples<G, Out>(
      xp, out, samples, [&](const T* x, T* y) { detail::conv_rows_sample<G, Out>(w, x, y); });
}
#endif

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
  // rows (c, kh) of taps, each over every sample and position
  detail::for_each_split(tap_rows, samples * out_sample * G.kernel_w, [&](std::size_t r) {
    detail::conv_weight_grad_row<G, Out>(dz_cl, xp, samples, r / G.kernel_h, r % G.kernel_h,
                                         sums + r * G.kernel_w * Out);
  });
  for (std::size_t o = 0; o < Out; ++o)
    for (std::size_t t = 0; t < taps; ++t) grad_w[o * taps + t] += sums[t * Out + o];
}

#if CTNN_CPU_MASKED_LOADS
// The same with output positions in the registers (conv_rows' layout), for few output channels
// and stride 1 along the width: no transpose of dz, and no column matrix for im2col + GEMM to
// write and read (LeNet's first convolution: 25 column rows of 784 positions a sample). The
// (c, kh, block of output channels) items are split over threads.
template <window_geometry G, std::size_t Out, class T>
  requires conv_rows_applies<G, Out, T>
void conv_rows_weight_grad(const T* dz, const T* xp, T* grad_w, std::size_t samples) {
  using blocks = detail::conv_rows_grad_blocks<G, T>;
  constexpr std::size_t OB = std::min(Out, blocks::OB), KB = blocks::KB, KW = G.kernel_w;
  constexpr std::size_t o_blocks = (Out + OB - 1) / OB, tap_rows = G.channels * G.kernel_h;
  const std::size_t work = samples * OB * G.out_plane() * KW;
  detail::for_each_split(tap_rows * o_blocks, work, [&](std::size_t item) {
    const std::size_t row = item / o_blocks, o0 = item % o_blocks * OB;
    const std::size_t c = row / G.kernel_h, kh = row % G.kernel_h;
    const auto columns = [&]<std::size_t Channels>() {
      std::size_t k0 = 0;
      for (; k0 + KB <= KW; k0 += KB)
        detail::conv_rows_weight_grad_taps<G, Out, Channels, KB>(dz, xp, samples, o0, c, kh, k0,
                                                                 grad_w);
      if constexpr (KW % KB != 0)
        detail::conv_rows_weight_grad_taps<G, Out, Channels, KW % KB>(dz, xp, samples, o0, c, kh,
                                                                      k0, grad_w);
    };
    if constexpr (Out % OB != 0) {
      if (o0 + OB > Out) return columns.template operator()<Out % OB>();
    }
    columns.template operator()<OB>();
  });
}
#endif

}  // namespace ctnn::cpu
