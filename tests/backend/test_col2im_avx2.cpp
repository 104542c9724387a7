// The CPU col2im built for AVX2 (its masked loads are _mm256_maskload, not AVX-512's masks), so
// that both of its instruction-set paths run here, the direct convolution with eight-lane
// registers, op::Tanh on registers without AVX-512 (xsimd's tanh) and row_times_matrix with
// chunks of four registers at most: CMake builds this file with -mavx2 -mno-avx512f.
#define BOOST_TEST_MODULE ctnn_avx2
#include <boost/test/unit_test.hpp>

#include "support/col2im_check.hpp"
#include "support/conv_direct_check.hpp"
#include "support/row_product_check.hpp"
#include "support/tanh_check.hpp"

namespace {

// Whether this CPU runs what this file was built for; if not, the test says so and passes.
bool cpu_runs_avx2() {
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return true;
  BOOST_TEST_MESSAGE("this CPU has no AVX2: nothing to run");
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(col2im_on_avx2_adds_every_column_entry_where_it_was_read) {
#if defined(__AVX512F__) || !defined(__AVX2__)
  BOOST_FAIL("built for the wrong instruction set: AVX2 without AVX-512 expected");
#endif
  if (!cpu_runs_avx2()) return;
  ctnn_test::check_col2im_geometries<float>();
  ctnn_test::check_col2im_geometries<double>();
}

BOOST_AUTO_TEST_CASE(direct_convolution_on_avx2_sums_every_tap) {
  if (!cpu_runs_avx2()) return;
  ctnn_test::check_conv_direct_geometries<float>();
  ctnn_test::check_conv_direct_geometries<double>();
}

BOOST_AUTO_TEST_CASE(tanh_on_avx2_within_ulps_of_tanh) {
  if (!cpu_runs_avx2()) return;
  ctnn_test::check_simd_tanh();
}

BOOST_AUTO_TEST_CASE(row_times_matrix_on_avx2_in_either_order) {
  if (!cpu_runs_avx2()) return;
  ctnn_test::check_row_times_matrix_sums<float>();
  ctnn_test::check_row_times_matrix_sums<double>();
  ctnn_test::check_row_times_matrix_order<float>();
  ctnn_test::check_row_times_matrix_order<double>();
}
