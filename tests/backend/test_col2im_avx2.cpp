// The CPU col2im built for AVX2 (its masked loads are _mm256_maskload, not AVX-512's masks), so
// that both of its instruction-set paths run here, the direct convolution with eight-lane
// registers, and op::Tanh on registers without AVX-512 (xsimd's tanh): CMake builds this file
// with -mavx2 -mno-avx512f.
#define BOOST_TEST_MODULE ctnn_avx2
#include <boost/test/unit_test.hpp>

#include "support/col2im_check.hpp"
#include "support/conv_direct_check.hpp"
#include "support/tanh_check.hpp"

BOOST_AUTO_TEST_CASE(col2im_on_avx2_adds_every_column_entry_where_it_was_read) {
#if defined(__AVX512F__) || !defined(__AVX2__)
  BOOST_FAIL("built for the wrong instruction set: AVX2 without AVX-512 expected");
#endif
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    BOOST_TEST_MESSAGE("this CPU has no AVX2: nothing to run");
    return;
  }
  ctnn_test::check_col2im_geometries<float>();
  ctnn_test::check_col2im_geometries<double>();
}

BOOST_AUTO_TEST_CASE(direct_convolution_on_avx2_sums_every_tap) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    BOOST_TEST_MESSAGE("this CPU has no AVX2: nothing to run");
    return;
  }
  ctnn_test::check_conv_direct_geometries<float>();
  ctnn_test::check_conv_direct_geometries<double>();
}

BOOST_AUTO_TEST_CASE(tanh_on_avx2_within_ulps_of_tanh) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) {
    BOOST_TEST_MESSAGE("this CPU has no AVX2: nothing to run");
    return;
  }
  ctnn_test::check_simd_tanh();
}
