// out[c, r] = in[r, c] for the CPU backend: W x W tiles of float transposed in registers (16 x 16
// on AVX-512, edges through masks; 8 x 8 on AVX, edges one element at a time); other element
// types one element at a time.
// Why: packing B^T for the blocked GEMM (x W^T at every batch size) and W_hh^T for a recurrent
// layer are transposes. Element by element, each costs a scalar load and a scalar store:
// pack_b took 12 to 18% of the MLP and LeNet cases. In registers, a tile of W x W elements takes
// W loads, W stores and W log2(W) shuffles. xsimd 8 has no transpose (and its AVX-512 zip_lo/hi
// interleave within 128-bit lanes), so the tiles use the intrinsics it wraps.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#if defined(__AVX512F__) || defined(__AVX__)
#include <immintrin.h>
#endif

namespace ctnn::cpu {

namespace detail {

// The side of the tile transposed in registers for T on this build; 1 where there is none.
template <class T>
inline constexpr std::size_t transpose_tile =
#if defined(__AVX512F__)
    std::is_same_v<T, float> ? 16 : 1;
#elif defined(__AVX__)
    std::is_same_v<T, float> ? 8 : 1;
#else
    1;
#endif

#if defined(__AVX512F__)
// Rows r of the tile at in + r * ld_in, written as columns at out + c * ld_out. After the two
// unpacks, register 4 g + q holds, in its 128-bit lane L, rows 4 g .. 4 g + 3 of column 4 L + q;
// two rounds of 128-bit lane shuffles gather lane L of the four row groups. An edge tile of
// rows x cols < 16 x 16 reads and writes through masks, so edges cost a tile, not an element
// loop (a GEMM's 8-row slivers of A, a 20-wide weight).
inline void transpose_tile_16(const float* in, std::size_t ld_in, float* out, std::size_t ld_out,
                              std::size_t rows = 16, std::size_t cols = 16) {
  const __mmask16 col_mask = static_cast<__mmask16>((1u << cols) - 1);
  const __mmask16 row_mask = static_cast<__mmask16>((1u << rows) - 1);
  __m512 r[16], t[16];
  for (std::size_t i = 0; i < 16; ++i)
    r[i] = i < rows ? _mm512_maskz_loadu_ps(col_mask, in + i * ld_in) : _mm512_setzero_ps();
  for (int k = 0; k < 8; ++k) {
    t[2 * k] = _mm512_unpacklo_ps(r[2 * k], r[2 * k + 1]);
    t[2 * k + 1] = _mm512_unpackhi_ps(r[2 * k], r[2 * k + 1]);
  }
  const auto lo = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  const auto hi = [](__m512 a, __m512 b) {
    return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
  };
  for (int g = 0; g < 4; ++g) {  // t[4 g .. 4 g + 3] come from rows 4 g .. 4 g + 3
    r[4 * g + 0] = lo(t[4 * g], t[4 * g + 2]);
    r[4 * g + 1] = hi(t[4 * g], t[4 * g + 2]);
    r[4 * g + 2] = lo(t[4 * g + 1], t[4 * g + 3]);
    r[4 * g + 3] = hi(t[4 * g + 1], t[4 * g + 3]);
  }
  const auto store = [&](std::size_t c, __m512 column) {
    if (c < cols) _mm512_mask_storeu_ps(out + c * ld_out, row_mask, column);
  };
  for (std::size_t q = 0; q < 4; ++q) {
    const __m512 g01_lo = _mm512_shuffle_f32x4(r[q], r[4 + q], 0x44);
    const __m512 g01_hi = _mm512_shuffle_f32x4(r[q], r[4 + q], 0xEE);
    const __m512 g23_lo = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0x44);
    const __m512 g23_hi = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0xEE);
    store(0 + q, _mm512_shuffle_f32x4(g01_lo, g23_lo, 0x88));
    store(4 + q, _mm512_shuffle_f32x4(g01_lo, g23_lo, 0xDD));
    store(8 + q, _mm512_shuffle_f32x4(g01_hi, g23_hi, 0x88));
    store(12 + q, _mm512_shuffle_f32x4(g01_hi, g23_hi, 0xDD));
  }
}
#elif defined(__AVX__)
// The same with 8 x 8: the unpacks leave rows 4 g .. 4 g + 3 of column 4 L + q in lane L.
inline void transpose_tile_8(const float* in, std::size_t ld_in, float* out, std::size_t ld_out) {
  __m256 r[8], t[8];
  for (int i = 0; i < 8; ++i) r[i] = _mm256_loadu_ps(in + i * ld_in);
  for (int k = 0; k < 4; ++k) {
    t[2 * k] = _mm256_unpacklo_ps(r[2 * k], r[2 * k + 1]);
    t[2 * k + 1] = _mm256_unpackhi_ps(r[2 * k], r[2 * k + 1]);
  }
  for (int g = 0; g < 2; ++g) {
    r[4 * g + 0] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0x44);
    r[4 * g + 1] = _mm256_shuffle_ps(t[4 * g], t[4 * g + 2], 0xEE);
    r[4 * g + 2] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
    r[4 * g + 3] = _mm256_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
  }
  for (int q = 0; q < 4; ++q) {
    _mm256_storeu_ps(out + q * ld_out, _mm256_permute2f128_ps(r[q], r[4 + q], 0x20));
    _mm256_storeu_ps(out + (4 + q) * ld_out, _mm256_permute2f128_ps(r[q], r[4 + q], 0x31));
  }
}
#endif

template <class T>
void transpose_elements(std::size_t r0, std::size_t r1, std::size_t c0, std::size_t c1,
                        const T* in, std::size_t ld_in, T* out, std::size_t ld_out) {
  for (std::size_t r = r0; r < r1; ++r)
    for (std::size_t c = c0; c < c1; ++c) out[c * ld_out + r] = in[r * ld_in + c];
}

}  // namespace detail

// out[c * ld_out + r] = in[r * ld_in + c] for r < rows, c < cols; in and out do not overlap.
template <class T>
void copy_transposed(std::size_t rows, std::size_t cols, const T* in, std::size_t ld_in, T* out,
                     std::size_t ld_out) {
  constexpr std::size_t W = detail::transpose_tile<T>;
  if constexpr (W > 1) {
#if defined(__AVX512F__)
    for (std::size_t r = 0; r < rows; r += W)  // edge tiles through masks
      for (std::size_t c = 0; c < cols; c += W)
        detail::transpose_tile_16(in + r * ld_in + c, ld_in, out + c * ld_out + r, ld_out,
                                  std::min(W, rows - r), std::min(W, cols - c));
#elif defined(__AVX__)
    const std::size_t whole_rows = rows - rows % W, whole_cols = cols - cols % W;
    for (std::size_t r = 0; r < whole_rows; r += W)
      for (std::size_t c = 0; c < whole_cols; c += W)
        detail::transpose_tile_8(in + r * ld_in + c, ld_in, out + c * ld_out + r, ld_out);
    detail::transpose_elements(0, whole_rows, whole_cols, cols, in, ld_in, out, ld_out);
    detail::transpose_elements(whole_rows, rows, 0, cols, in, ld_in, out, ld_out);
#endif
  } else {
    constexpr std::size_t tile = 16;  // both sides' lines stay in L1
    for (std::size_t r = 0; r < rows; r += tile)
      for (std::size_t c = 0; c < cols; c += tile)
        detail::transpose_elements(r, std::min(rows, r + tile), c, std::min(cols, c + tile), in,
                                   ld_in, out, ld_out);
  }
}

#if defined(CTNN_SEPARATE_COMPILATION)
// Compiled once, in ctnn::compiled (kernels.ipp), as the GEMM is.
extern template void copy_transposed<float>(std::size_t, std::size_t, const float*, std::size_t,
                                            float*, std::size_t);
extern template void copy_transposed<double>(std::size_t, std::size_t, const double*, std::size_t,
                                             double*, std::size_t);
#endif

}  // namespace ctnn::cpu
