// col2im of one sample on SIMD registers: every column entry added into the padded input it was
// read from, for convolutions with stride 1 along the width.
//
// The portable kernel (conv.hpp's Col2im) adds one column row after another into the plane: the
// rows of neighbouring kernel columns overlap, shifted by one element, so each add loads what an
// add just before had stored at another offset, and the store cannot be forwarded (LeNet's second
// convolution at batch 32: 7% of a training step). Here each row of the plane is summed in
// registers from every column row that reads it, and stored once. A column row lands in the
// register shifted by its kernel column: it is loaded with the lanes outside it masked off, which
// reads no memory outside the row (AVX-512 and AVX2 masked loads do not fault there).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ctnn/backend/cpu/xsimd.hpp"

#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/layers/window.hpp"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#define CTNN_CPU_MASKED_LOADS 1
#else
#define CTNN_CPU_MASKED_LOADS 0
#endif

namespace ctnn::cpu {

template <window_geometry G, class T>
inline constexpr bool col2im_applies =
    CTNN_CPU_MASKED_LOADS && simd_element_v<T> && G.stride_w == 1;

#if CTNN_CPU_MASKED_LOADS
namespace detail {

// The mask of lanes [lo, hi) of a register of T, 0 <= lo <= hi <= lanes, in the form the masked
// loads and stores of this instruction set take.
template <class T>
auto lanes_between(unsigned lo, unsigned hi) {
#if defined(__AVX512F__)
  const auto bits = ((std::uint64_t(1) << hi) - 1) & ~((std::uint64_t(1) << lo) - 1);
  if constexpr (std::is_same_v<T, float>) {
    return static_cast<__mmask16>(bits);
  } else {
    return static_cast<__mmask8>(bits);
  }
#else
  if constexpr (std::is_same_v<T, float>) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_andnot_si256(_mm256_cmpgt_epi32(_mm256_set1_epi32(int(lo)), lane),
                               _mm256_cmpgt_epi32(_mm256_set1_epi32(int(hi)), lane));
  } else {
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    return _mm256_andnot_si256(_mm256_cmpgt_epi64(_mm256_set1_epi64x(lo), lane),
                               _mm256_cmpgt_epi64(_mm256_set1_epi64x(hi), lane));
  }
#endif
}

// Lanes [lo, hi) of a register from p + lane, the others zero; memory outside those lanes is
// not read.
template <class T>
xsimd::batch<T> load_lanes(const T* p, unsigned lo, unsigned hi) {
  const auto mask = lanes_between<T>(lo, hi);
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    return _mm512_maskz_loadu_ps(mask, p);
  } else {
    return _mm512_maskz_loadu_pd(mask, p);
  }
#else
  if constexpr (std::is_same_v<T, float>) {
    return _mm256_maskload_ps(p, mask);
  } else {
    return _mm256_maskload_pd(p, mask);
  }
#endif
}

// The first `count` lanes of v stored at p, nothing written beyond them.
template <class T>
void store_lanes(T* p, xsimd::batch<T> v, unsigned count) {
  if (count == xsimd::batch<T>::size) return v.store_unaligned(p);
  const auto mask = lanes_between<T>(0, count);
#if defined(__AVX512F__)
  if constexpr (std::is_same_v<T, float>) {
    _mm512_mask_storeu_ps(p, mask, v);
  } else {
    _mm512_mask_storeu_pd(p, mask, v);
  }
#else
  if constexpr (std::is_same_v<T, float>) {
    _mm256_maskstore_ps(p, mask, v);
  } else {
    _mm256_maskstore_pd(p, mask, v);
  }
#endif
}

}  // namespace detail

// dxp[c][r][w] = the sum of the column entries col[(c, kh, kw)][oh][ow] with r = oh SH + kh DH and
// w = ow + kw DW: col is one sample's [C KH KW, OH OW] column matrix, its rows row_stride apart
// (OH OW, or more where several samples' columns lie side by side), dxp its padded input planes
// [C, height + 2 pad_h, width + 2 pad_w], overwritten.
template <window_geometry G, class T>
  requires col2im_applies<G, T>
void col2im(const T* col, std::size_t row_stride, T* dxp) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size;
  constexpr std::size_t OH = G.out_h(), OW = G.out_w(), KS = G.kernel_size();
  constexpr std::size_t height = G.height + 2 * G.pad_h, width = G.width + 2 * G.pad_w;
  constexpr std::size_t registers = (width + W - 1) / W;
  for (std::size_t c = 0; c < G.channels; ++c) {
    const T* plane_col = col + c * KS * row_stride;
    T* plane = dxp + c * height * width;
    for (std::size_t r = 0; r < height; ++r) {
      batch acc[registers];
      for (auto& a : acc) a = batch(T(0));
      for (std::size_t kh = 0; kh < G.kernel_h; ++kh) {
        if (r < kh * G.dilation_h || (r - kh * G.dilation_h) % G.stride_h != 0) continue;
        const std::size_t oh = (r - kh * G.dilation_h) / G.stride_h;
        if (oh >= OH) continue;
        for (std::size_t kw = 0; kw < G.kernel_w; ++kw) {
          // Column row (c, kh, kw) at output row oh lands on columns shift .. shift + OW.
          const T* row = plane_col + (kh * G.kernel_w + kw) * row_stride + oh * OW;
          const std::size_t shift = kw * G.dilation_w;
          for (std::size_t q = 0; q < registers; ++q) {
            // Lane l of register q is column q W + l, entry q W + l - shift of the row.
            const std::size_t first = q * W, last = first + W;
            if (last <= shift || first >= shift + OW) continue;
            const unsigned lo = shift > first ? unsigned(shift - first) : 0u;
            const unsigned hi = shift + OW < last ? unsigned(shift + OW - first) : unsigned(W);
            // row + first - shift may lie before the row; only lanes [lo, hi) are read.
            acc[q] += detail::load_lanes(row + static_cast<std::ptrdiff_t>(first) -
                                             static_cast<std::ptrdiff_t>(shift),
                                         lo, hi);
          }
        }
      }
      for (std::size_t q = 0; q < registers; ++q)
        detail::store_lanes(plane + r * width + q * W, acc[q],
                            unsigned(width - q * W < W ? width - q * W : W));
    }
  }
}
#endif

}  // namespace ctnn::cpu
