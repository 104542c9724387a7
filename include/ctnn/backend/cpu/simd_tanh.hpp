// tanh of AVX-512 float registers, for op::Tanh (op::tanh_for): the Elman RNN's step, the LSTM's
// and GRU's cells and the Tanh layer. xsimd's tanh evaluates both of its branches (a polynomial
// below 0.625, 1 - 2 / (exp(2x) + 1) above) for a register that holds both, about 20 operations
// on the multiply-add pipes and a division, and a recurrent step waits on them: rnn_infer's 50
// steps take 5.9 us with tanh replaced by x / 2, 6.6 us with xsimd's tanh.
//
// Here |x| selects one of 16 pieces from its bits (exponent and first mantissa bit: below 1/16,
// half octaves from 1/16 to 8, and 8 to 9, past which tanh is 1 in float), and a polynomial of
// degree 6 around the piece's middle gives tanh(|x|): one register permute per coefficient
// (vpermps from a 16-entry table) and 6 multiply-adds. tools/fit_tanh.py fits the tables. Error:
// at most 1.43 ulp over every float in [2^-126, 20] (xsimd's tanh: 1.35; tools/tanh_error.cpp
// measures both), where the test kernels/simd_tanh_within_ulps_of_tanh allows 1.5; odd, so
// tanh(-0) = -0; NaN stays NaN, +-inf gives +-1. rnn_infer 6.62 -> 6.37 us, lstm_train_b32 2.80
// -> 2.68 ms; lstm_infer 44.2 -> 44.9 us, likely because its W_hh^T (64 KiB) streams through L1
// every step and evicts the tables' 8 cache lines (not measured: this machine has no cache
// counters).
#pragma once

#include <xsimd/xsimd.hpp>  // through backend/cpu/xsimd.hpp, which includes this header

#include "ctnn/core/ops.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>

#include <cstdint>
#include <type_traits>

namespace ctnn::cpu::detail {

// tanh(|x|) on piece p is the polynomial sum_k tanh_coefficients[k][p] (|x| - tanh_middle[p])^k.
alignas(64) inline constexpr float tanh_middle[16] = {
    0.000000000e+00f, 7.812500000e-02f, 1.093750000e-01f, 1.562500000e-01f,
    2.187500000e-01f, 3.125000000e-01f, 4.375000000e-01f, 6.250000000e-01f,
    8.750000000e-01f, 1.250000000e+00f, 1.750000000e+00f, 2.500000000e+00f,
    3.500000000e+00f, 5.000000000e+00f, 7.000000000e+00f, 1.000000000e+01f};
alignas(64) inline constexpr float tanh_coefficients[7][16] = {
    {0.000000000e+00f, 7.796644419e-02f, 1.089409292e-01f, 1.549907327e-01f, 2.153263390e-01f,
     3.027097285e-01f, 4.115700424e-01f, 5.545997024e-01f, 7.039055824e-01f, 8.482836485e-01f,
     9.413755536e-01f, 9.866142869e-01f, 9.981778860e-01f, 9.999092221e-01f, 9.999983311e-01f,
     1.000000000e+00f},
    {1.000000000e+00f, 9.939212203e-01f, 9.881318808e-01f, 9.759778976e-01f, 9.536345601e-01f,
     9.083667994e-01f, 8.306100965e-01f, 6.924191713e-01f, 5.045168996e-01f, 2.804147601e-01f,
     1.138120443e-01f, 2.659233101e-02f, 3.640956013e-03f, 1.818613091e-04f, 3.331248763e-06f,
     -9.632599784e-08f},
    {0.000000000e+00f, -7.749250531e-02f, -1.076480076e-01f, -1.512675285e-01f, -2.053426355e-01f,
     -2.749714851e-01f, -3.418542445e-01f, -3.840155005e-01f, -3.551322818e-01f, -2.378713340e-01f,
     -1.071398556e-01f, -2.623601258e-02f, -3.634305904e-03f, -1.818128803e-04f, -3.329001629e-06f,
     -2.163251196e-07f},
    {-3.333329260e-01f, -3.252652586e-01f, -3.176500201e-01f, -3.018808663e-01f, -2.736624777e-01f,
     -2.195523977e-01f, -1.361733675e-01f, -1.783782430e-02f, 8.180493116e-02f, 1.083261147e-01f,
     6.292824447e-02f, 1.701748744e-02f, 2.411726164e-03f, 1.188217429e-04f, 2.176754379e-06f,
     -2.176094256e-07f},
    {0.000000000e+00f, 5.119057745e-02f, 7.048773766e-02f, 9.721105546e-02f, 1.273741871e-01f,
     1.581172645e-01f, 1.699963957e-01f, 1.379027367e-01f, 6.079734862e-02f, -1.258599758e-02f,
     -2.352443337e-02f, -8.052111603e-03f, -1.197268139e-03f, -5.947692989e-05f, -1.094348136e-06f,
     -1.399414060e-07f},
    {1.330307126e-01f, 1.264967769e-01f, 1.201437041e-01f, 1.071864143e-01f, 8.494748920e-02f,
     4.550605640e-02f, -5.961881019e-03f, -5.433563143e-02f, -5.854730308e-02f, -1.969067752e-02f,
     3.482178086e-03f, 2.887275303e-03f, 4.903737572e-04f, 2.848184704e-05f, 5.228790769e-07f,
     -4.562534528e-08f},
    {0.000000000e+00f, -2.856267057e-02f, -3.892553970e-02f, -5.222459510e-02f, -6.521388888e-02f,
     -7.236984372e-02f, -6.171103939e-02f, -2.434935421e-02f, 1.289191842e-02f, 1.510511059e-02f,
     2.095582662e-03f, -6.955922581e-04f, -1.578052324e-04f, -9.418681657e-06f, -1.703020018e-07f,
     -7.626841381e-09f},
};

// tanh of each lane of x.
inline __m512 tanh_avx512(__m512 x) {
  // |x| at most 9, NaN kept: min returns its second operand when one is NaN
  const __m512 magnitude = _mm512_min_ps(_mm512_set1_ps(9.0f), _mm512_abs_ps(x));
  // the piece: (exponent, first mantissa bit) counted from 1/16 = 2^-4, which is piece 1; below
  // 1/16 piece 0, and at most 15 (9 = 1.125 2^3)
  constexpr int first_half_octave = ((127 - 4) << 1) - 1;
  const __m512i piece =
      _mm512_max_epi32(_mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(magnitude), 22),
                                        _mm512_set1_epi32(first_half_octave)),
                       _mm512_setzero_si512());
  const auto of_piece = [&](const float* table) {
    return _mm512_permutexvar_ps(piece, _mm512_load_ps(table));
  };
  const __m512 r = _mm512_sub_ps(magnitude, of_piece(tanh_middle));
  __m512 sum = of_piece(tanh_coefficients[6]);
  for (int k = 5; k >= 0; --k) sum = _mm512_fmadd_ps(sum, r, of_piece(tanh_coefficients[k]));
  // the sign of x
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(INT32_MIN));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(sum), sign));
}

}  // namespace ctnn::cpu::detail

namespace ctnn::op {

template <class A>
requires std::is_base_of_v<xsimd::avx512f, A>
struct tanh_for<xsimd::batch<float, A>> {
  static xsimd::batch<float, A> apply(xsimd::batch<float, A> x) {
    return cpu::detail::tanh_avx512(x);
  }
};

}  // namespace ctnn::op

#endif
