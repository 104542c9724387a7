// op::Tanh on registers of floats against tanh in double, in units of the float result's last
// place: every 31st float from the smallest normal to 20 and the same negated, then subnormals,
// zeros, infinities and NaN. ctnn_tests runs it with the CPU backend's AVX-512 tables
// (backend/cpu/simd_tanh.hpp) where the build has AVX-512; ctnn_avx2_tests with xsimd's tanh.
#pragma once

#include <boost/test/unit_test.hpp>

#include <ctnn/backend/cpu/xsimd.hpp>
#include <ctnn/core/ops.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace ctnn_test {

inline void check_simd_tanh() {
  using batch = xsimd::batch<float>;
  constexpr std::size_t W = batch::size;
  const auto ulps = [](float got, double want) {
    const float rounded = static_cast<float>(want);
    const double spacing =
        double(std::nextafter(std::fabs(rounded), std::numeric_limits<float>::infinity())) -
        double(std::fabs(rounded));
    return std::fabs(double(got) - want) / spacing;
  };
  alignas(64) float in[W], out[W];
  double worst = 0;
  float worst_at = 0;
  std::size_t filled = 0;
  const auto evaluate = [&] {
    ctnn::op::Tanh{}(batch::load_aligned(in)).store_aligned(out);
    for (std::size_t l = 0; l < filled; ++l) {
      const double error = ulps(out[l], std::tanh(double(in[l])));
      if (!(error <= worst)) worst = error, worst_at = in[l];
    }
    filled = 0;
  };
  const float smallest = std::numeric_limits<float>::min(), largest = 20.0f;
  std::uint32_t from, to;
  std::memcpy(&from, &smallest, 4);
  std::memcpy(&to, &largest, 4);
  for (float sign : {1.0f, -1.0f})
    for (std::uint32_t bits = from; bits <= to; bits += 31) {
      float x;
      std::memcpy(&x, &bits, 4);
      in[filled++] = sign * x;
      if (filled == W) evaluate();
    }
  if (filled) evaluate();
  BOOST_TEST(worst <= 1.5, "tanh is " << worst << " ulp off at " << worst_at);

  const float special[] = {0.0f,
                           -0.0f,
                           std::numeric_limits<float>::denorm_min(),
                           -1e-40f,
                           std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN(),
                           1e30f};
  for (float x : special) {
    std::fill(in, in + W, x);
    ctnn::op::Tanh{}(batch::load_aligned(in)).store_aligned(out);
    if (std::isnan(x)) {
      BOOST_TEST(std::isnan(out[0]));
    } else {
      BOOST_TEST(out[0] == std::tanh(x), "tanh(" << x << ")");
      BOOST_TEST(std::signbit(out[0]) == std::signbit(x), "the sign of tanh(" << x << ")");
    }
  }
}

}  // namespace ctnn_test
