// The CPU backend's direct convolution and weight gradient (conv_direct.hpp) against the sums of
// their definitions in double, one entry at a time: LeNet's second convolution (a row of 10
// positions), stride and padding, dilation, rows longer than one tile of positions (a whole tile
// and a remainder), and output channels of one to four registers; one sample and several, on one
// thread and on two. The output starts as NaN, so an entry left unwritten fails. Shared by
// ctnn_tests and ctnn_avx2_tests (eight-lane registers, so other register counts per position).
#pragma once

#include <boost/test/unit_test.hpp>

#include <ctnn/backend/cpu/conv_direct.hpp>
#include <ctnn/core/random.hpp>

#include "support/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>

namespace ctnn_test {

// The sizes of a direct-convolution check, random operands in [-1, 1) and the reference sums.
template <ctnn::window_geometry G, std::size_t Out, class T>
struct conv_case {
  static constexpr std::size_t OH = G.out_h(), OW = G.out_w(), taps = G.channels * G.kernel_size();
  static constexpr std::size_t height = G.height + 2 * G.pad_h, width = G.width + 2 * G.pad_w;
  static constexpr std::size_t in_sample = G.channels * height * width, out_sample = Out * OH * OW;

  std::size_t samples;
  ctnn::Generator rng{23};
  std::vector<T> xp = random(samples * in_sample);
  double worst = 0;

  std::vector<T> random(std::size_t n) {
    std::vector<T> v(n);
    for (auto& e : v) e = static_cast<T>(rng.uniform(-1.0, 1.0));
    return v;
  }
  // The padded input element of sample s that tap (c, kh, kw) reads for output (oh, ow).
  double input(std::size_t s, std::size_t c, std::size_t kh, std::size_t kw, std::size_t oh,
               std::size_t ow) const {
    const std::size_t h = oh * G.stride_h + kh * G.dilation_h,
                      x = ow * G.stride_w + kw * G.dilation_w;
    return double(xp[s * in_sample + (c * height + h) * width + x]);
  }
  void compare(double got, double expected) {  // NaN: an entry not written
    worst = ctnn_test::worse(worst, std::abs(got - expected));
  }
  // out [samples][Out][OH][OW] against the sum over taps of weight(o, tap) times the input.
  template <class Weight>
  void compare_forward(const std::vector<T>& out, const Weight& weight) {
    for (std::size_t s = 0; s < samples; ++s)
      for (std::size_t o = 0; o < Out; ++o)
        for (std::size_t oh = 0; oh < OH; ++oh)
          for (std::size_t ow = 0; ow < OW; ++ow) {
            double sum = 0;
            for (std::size_t c = 0, tap = 0; c < G.channels; ++c)
              for (std::size_t kh = 0; kh < G.kernel_h; ++kh)
                for (std::size_t kw = 0; kw < G.kernel_w; ++kw, ++tap)
                  sum += weight(o, tap) * input(s, c, kh, kw, oh, ow);
            compare(out[s * out_sample + (o * OH + oh) * OW + ow], sum);
          }
  }
  void report(const char* kernel) const {
    const double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-12;
    BOOST_TEST(worst <= tolerance, kernel << ", " << G.channels << " channels " << G.height << "x"
                                          << G.width << " kernel " << G.kernel_h << "x"
                                          << G.kernel_w << ", " << Out << " out, " << samples
                                          << " samples: error " << worst);
  }
};

// conv_direct writes out[s][o][oh][ow] = sum over taps of W^T[tap][o] times the element the tap
// reads; out starts as NaN.
template <ctnn::window_geometry G, std::size_t Out, class T>
void check_conv_direct(std::size_t samples) {
  if constexpr (ctnn::cpu::conv_direct_applies<G, Out, T>) {
    using C = conv_case<G, Out, T>;
    C k{samples};
    const std::vector<T> w_t = k.random(C::taps * Out);
    std::vector<T> out(samples * C::out_sample, std::numeric_limits<T>::quiet_NaN());
    ctnn::cpu::conv_direct<G, Out>(w_t.data(), k.xp.data(), out.data(), samples);
    k.compare_forward(out,
                      [&](std::size_t o, std::size_t tap) { return double(w_t[tap * Out + o]); });
    k.report("conv_direct");
  }
}

#if CTNN_CPU_MASKED_LOADS
// conv_rows, from W in its own layout [Out][taps], likewise.
template <ctnn::window_geometry G, std::size_t Out, class T>
void check_conv_rows(std::size_t samples) {
  if constexpr (ctnn::cpu::conv_rows_applies<G, Out, T>) {
    using C = conv_case<G, Out, T>;
    C k{samples};
    const std::vector<T> w = k.random(Out * C::taps);
    std::vector<T> out(samples * C::out_sample, std::numeric_limits<T>::quiet_NaN());
    ctnn::cpu::conv_rows<G, Out>(w.data(), k.xp.data(), out.data(), samples);
    k.compare_forward(out,
                      [&](std::size_t o, std::size_t tap) { return double(w[o * C::taps + tap]); });
    k.report("conv_rows");
  }
}
#endif

// A weight gradient kernel adds sum over samples and positions of dz[s][o][position] times the
// input element tap t read there to grad_w[o][t], which starts from other values.
template <ctnn::window_geometry G, std::size_t Out, class T, class Kernel>
void check_weight_grad(std::size_t samples, const char* name, const Kernel& kernel) {
  using C = conv_case<G, Out, T>;
  C k{samples};
  const std::vector<T> dz = k.random(samples * C::out_sample), before = k.random(Out * C::taps);
  std::vector<T> grad_w = before;
  kernel(dz.data(), k.xp.data(), grad_w.data());
  for (std::size_t o = 0; o < Out; ++o)
    for (std::size_t c = 0, tap = 0; c < G.channels; ++c)
      for (std::size_t kh = 0; kh < G.kernel_h; ++kh)
        for (std::size_t kw = 0; kw < G.kernel_w; ++kw, ++tap) {
          double sum = before[o * C::taps + tap];
          for (std::size_t s = 0; s < samples; ++s)
            for (std::size_t oh = 0; oh < C::OH; ++oh)
              for (std::size_t ow = 0; ow < C::OW; ++ow)
                sum += double(dz[s * C::out_sample + (o * C::OH + oh) * C::OW + ow]) *
                       k.input(s, c, kh, kw, oh, ow);
          k.compare(grad_w[o * C::taps + tap], sum);
        }
  k.report(name);
}

template <ctnn::window_geometry G, std::size_t Out, class T>
void check_conv_weight_grad(std::size_t samples) {
  if constexpr (ctnn::cpu::conv_direct_applies<G, Out, T>)
    check_weight_grad<G, Out, T>(samples, "conv_weight_grad",
                                 [&](const T* dz, const T* xp, T* grad_w) {
                                   ctnn::cpu::conv_weight_grad<G, Out>(dz, xp, grad_w, samples);
                                 });
}

#if CTNN_CPU_MASKED_LOADS
template <ctnn::window_geometry G, std::size_t Out, class T>
void check_conv_rows_weight_grad(std::size_t samples) {
  if constexpr (ctnn::cpu::conv_rows_applies<G, Out, T>)
    check_weight_grad<G, Out, T>(
        samples, "conv_rows_weight_grad", [&](const T* dz, const T* xp, T* grad_w) {
          ctnn::cpu::conv_rows_weight_grad<G, Out>(dz, xp, grad_w, samples);
        });
}
#endif

template <class T>
void check_conv_direct_geometries() {
  using ctnn::window_geometry;
  // channels, height, width, kernel, stride, padding, dilation
  constexpr window_geometry lenet2{6, 14, 14, 5, 5, 1, 1, 0, 0, 1, 1};
  constexpr window_geometry strided{3, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1};
  constexpr window_geometry dilated{2, 13, 17, 3, 2, 1, 1, 0, 1, 2, 3};
  constexpr window_geometry long_rows{1, 4, 40, 1, 3, 1, 1, 0, 0, 1, 1};  // 38 positions a row
  constexpr window_geometry one_by_one{5, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1};
  for (std::size_t samples : {1u, 3u}) {
    check_conv_direct<lenet2, 16, T>(samples);
    check_conv_direct<lenet2, 32, T>(samples);
    check_conv_direct<strided, 32, T>(samples);
    check_conv_direct<dilated, 16, T>(samples);
    check_conv_direct<long_rows, 16, T>(samples);
    check_conv_direct<long_rows, 64, T>(samples);
    check_conv_direct<one_by_one, 8, T>(samples);
    check_conv_direct<one_by_one, 48, T>(samples);
    check_conv_weight_grad<lenet2, 16, T>(samples);
    check_conv_weight_grad<lenet2, 32, T>(samples);
    check_conv_weight_grad<strided, 32, T>(samples);
    check_conv_weight_grad<dilated, 16, T>(samples);
    check_conv_weight_grad<long_rows, 16, T>(samples);
    check_conv_weight_grad<long_rows, 64, T>(samples);
    check_conv_weight_grad<one_by_one, 8, T>(samples);
    check_conv_weight_grad<one_by_one, 48, T>(samples);
  }
#if CTNN_CPU_MASKED_LOADS
  // Output positions in the registers: LeNet's first convolution (28 positions: a register and a
  // masked one on AVX-512), a stride along the height, dilation, rows of whole registers only,
  // and rows of 12 positions (three quarters of a register, the shortest taken on AVX-512).
  constexpr window_geometry lenet1{1, 28, 28, 5, 5, 1, 1, 2, 2, 1, 1};
  constexpr window_geometry strided_h{3, 9, 14, 3, 3, 2, 1, 1, 1, 1, 1};
  constexpr window_geometry whole_rows{1, 3, 18, 1, 3, 1, 1, 0, 0, 1, 1};      // 16 positions
  constexpr window_geometry three_quarters{2, 5, 14, 3, 3, 1, 1, 0, 0, 1, 1};  // 12 of 16
  // In the weight gradient, a kernel row too wide for one block of accumulators (30 columns:
  // blocks of 22 and 8 on AVX-512, of 10 on AVX2); three_quarters' 7 channels take a block of 5
  // and one of 2 on AVX-512.
  constexpr window_geometry wide_kernel{2, 3, 45, 2, 30, 1, 1, 0, 0, 1, 1};
  for (std::size_t samples : {1u, 3u}) {
    check_conv_rows<lenet1, 6, T>(samples);
    check_conv_rows<strided_h, 4, T>(samples);
    check_conv_rows<dilated, 3, T>(samples);
    check_conv_rows<whole_rows, 5, T>(samples);
    check_conv_rows<three_quarters, 7, T>(samples);
    check_conv_rows_weight_grad<lenet1, 6, T>(samples);
    check_conv_rows_weight_grad<strided_h, 4, T>(samples);
    check_conv_rows_weight_grad<dilated, 3, T>(samples);
    check_conv_rows_weight_grad<whole_rows, 5, T>(samples);
    check_conv_rows_weight_grad<three_quarters, 7, T>(samples);
    check_conv_rows_weight_grad<wide_kernel, 2, T>(samples);
  }
#endif
  // Enough multiply-adds for two threads: samples split in forward, kernel rows in the gradient.
  ctnn::set_num_threads(2);
  check_conv_direct<lenet2, 32, T>(24);
  check_conv_weight_grad<lenet2, 32, T>(24);
#if CTNN_CPU_MASKED_LOADS
  check_conv_rows_weight_grad<lenet1, 6, T>(24);
#endif
  ctnn::set_num_threads(0);
}

}  // namespace ctnn_test
