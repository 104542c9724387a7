// The largest error of op::Tanh on registers of floats (the AVX-512 tables of
// backend/cpu/simd_tanh.hpp where the build has AVX-512), or of xsimd::tanh, against tanh in
// double, in units of the float result's last place, over every `step`-th float in [2^-126, 20].
// tanh is odd and both take |x|, so the negatives give the same. For refitting the tables with
// tools/fit_tanh.py; the test kernels/simd_tanh_within_ulps_of_tanh checks every 31st float.
// The build has it as tests/ctnn_tanh_error; alone:
//   g++ -std=c++20 -O2 -march=native -Iinclude tools/tanh_error.cpp -o /tmp/tanh_error
//   /tmp/tanh_error 1          (op::Tanh, every float: 10 to 20 s)
//   /tmp/tanh_error 1 xsimd    (xsimd::tanh)
#include <ctnn/backend/cpu/xsimd.hpp>
#include <ctnn/core/ops.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

int main(int argc, char** argv) {
  using batch = xsimd::batch<float>;
  constexpr std::size_t W = batch::size;
  const std::uint32_t step = argc > 1 ? std::uint32_t(std::strtoul(argv[1], nullptr, 10)) : 1;
  const bool of_xsimd = argc > 2 && std::string(argv[2]) == "xsimd";
  if (step == 0) return std::fprintf(stderr, "usage: tanh_error STEP [xsimd]\n"), 2;
  alignas(64) float in[W], out[W];
  double worst = 0;
  float worst_at = 0;
  std::size_t filled = 0;
  const auto evaluate = [&] {
    const batch x = batch::load_aligned(in);
    (of_xsimd ? xsimd::tanh(x) : ctnn::op::Tanh{}(x)).store_aligned(out);
    for (std::size_t l = 0; l < filled; ++l) {
      const double want = std::tanh(double(in[l]));
      const float rounded = static_cast<float>(want);
      const double spacing =
          double(std::nextafter(rounded, std::numeric_limits<float>::infinity())) - double(rounded);
      const double error = std::fabs(double(out[l]) - want) / spacing;
      if (error > worst) worst = error, worst_at = in[l];
    }
    filled = 0;
  };
  const float smallest = std::numeric_limits<float>::min(), largest = 20.0f;
  std::uint32_t from, to;
  std::memcpy(&from, &smallest, 4);
  std::memcpy(&to, &largest, 4);
  for (std::uint32_t bits = from; bits <= to; bits += step) {
    std::memcpy(&in[filled++], &bits, 4);
    if (filled == W) evaluate();
  }
  if (filled) evaluate();
  std::printf("%s: at most %.3f ulp (at %.9g), every %u-th float in [2^-126, 20]\n",
              of_xsimd ? "xsimd::tanh" : "op::Tanh", worst, double(worst_at), unsigned(step));
}
