// The CPU backend's direct convolution and weight gradient (conv_direct.hpp) against the sums of
// their definitions in double, one entry at a time: LeNet's second convolution (a row of 10
// positions), stride and padding, dilation, rows longer than one tile of positions (a whole tile
// and a remainder), and output channels of one to four registers; one sample and several. The
// output starts as NaN, so an entry left unwritten fails. Shared by ctnn_tests and ctnn_avx2_tests
// (eight-lane registers, so other register counts per position).
#pragma once

#include <boost/test/unit_test.hpp>

#include <ctnn/backend/cpu/conv_direct.hpp>
#include <ctnn/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>

namespace ctnn_test {

template <ctnn::window_geometry G, std::size_t Out, class T>
void check_conv_direct(std::size_t samples) {
  if constexpr (ctnn::cpu::conv_direct_applies<G, Out, T>) {
    constexpr std::size_t OH = G.out_h(), OW = G.out_w(), taps = G.channels * G.kernel_size();
    constexpr std::size_t height = G.height + 2 * G.pad_h, width = G.width + 2 * G.pad_w;
    constexpr std::size_t in_sample = G.channels * height * width, out_sample = Out * OH * OW;
    ctnn::Generator rng(23);
    std::vector<T> w_t(taps * Out), xp(samples * in_sample);
    for (auto& v : w_t) v = static_cast<T>(rng.uniform(-1.0, 1.0));
    for (auto& v : xp) v = static_cast<T>(rng.uniform(-1.0, 1.0));
    std::vector<T> out(samples * out_sample, std::numeric_limits<T>::quiet_NaN());
    ctnn::cpu::conv_direct<G, Out>(w_t.data(), xp.data(), out.data(), samples);
    double worst = 0;
    for (std::size_t s = 0; s < samples; ++s)
      for (std::size_t o = 0; o < Out; ++o)
        for (std::size_t oh = 0; oh < OH; ++oh)
          for (std::size_t ow = 0; ow < OW; ++ow) {
            double sum = 0;
            for (std::size_t c = 0; c < G.channels; ++c)
              for (std::size_t kh = 0; kh < G.kernel_h; ++kh)
                for (std::size_t kw = 0; kw < G.kernel_w; ++kw) {
                  const std::size_t h = oh * G.stride_h + kh * G.dilation_h,
                                    x = ow * G.stride_w + kw * G.dilation_w;
                  const std::size_t tap = (c * G.kernel_h + kh) * G.kernel_w + kw;
                  sum += double(w_t[tap * Out + o]) *
                         double(xp[s * in_sample + (c * height + h) * width + x]);
                }
            const double got = out[s * out_sample + (o * OH + oh) * OW + ow];
            const double error =  // NaN: an entry not written
                std::isnan(got) ? std::numeric_limits<double>::infinity() : std::abs(got - sum);
            worst = std::max(worst, error);
          }
    const double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-12;
    BOOST_TEST(worst <= tolerance, "conv_direct, " << G.channels << " channels " << G.height << "x"
                                                   << G.width << " kernel " << G.kernel_h << "x"
                                                   << G.kernel_w << ", " << Out << " out, "
                                                   << samples << " samples: error " << worst);
  }
}

// conv_weight_grad adds sum over samples and positions of dz[s][o][position] times the input
// element tap t read there to grad_w[o][t], which starts from other values.
template <ctnn::window_geometry G, std::size_t Out, class T>
void check_conv_weight_grad(std::size_t samples) {
  if constexpr (ctnn::cpu::conv_direct_applies<G, Out, T>) {
    constexpr std::size_t OH = G.out_h(), OW = G.out_w(), taps = G.channels * G.kernel_size();
    constexpr std::size_t height = G.height + 2 * G.pad_h, width = G.width + 2 * G.pad_w;
    constexpr std::size_t in_sample = G.channels * height * width, out_sample = Out * OH * OW;
    ctnn::Generator rng(24);
    std::vector<T> dz(samples * out_sample), xp(samples * in_sample), grad_w(Out * taps);
    for (auto& v : dz) v = static_cast<T>(rng.uniform(-1.0, 1.0));
    for (auto& v : xp) v = static_cast<T>(rng.uniform(-1.0, 1.0));
    for (auto& v : grad_w) v = static_cast<T>(rng.uniform(-1.0, 1.0));
    const std::vector<T> before = grad_w;
    ctnn::cpu::conv_weight_grad<G, Out>(dz.data(), xp.data(), grad_w.data(), samples);
    double worst = 0;
    for (std::size_t o = 0; o < Out; ++o)
      for (std::size_t c = 0; c < G.channels; ++c)
        for (std::size_t kh = 0; kh < G.kernel_h; ++kh)
          for (std::size_t kw = 0; kw < G.kernel_w; ++kw) {
            const std::size_t tap = (c * G.kernel_h + kh) * G.kernel_w + kw;
            double sum = before[o * taps + tap];
            for (std::size_t s = 0; s < samples; ++s)
              for (std::size_t oh = 0; oh < OH; ++oh)
                for (std::size_t ow = 0; ow < OW; ++ow) {
                  const std::size_t h = oh * G.stride_h + kh * G.dilation_h,
                                    x = ow * G.stride_w + kw * G.dilation_w;
                  sum += double(dz[s * out_sample + (o * OH + oh) * OW + ow]) *
                         double(xp[s * in_sample + (c * height + h) * width + x]);
                }
            const double got = grad_w[o * taps + tap];
            const double error =
                std::isnan(got) ? std::numeric_limits<double>::infinity() : std::abs(got - sum);
            worst = std::max(worst, error);
          }
    const double tolerance = std::is_same_v<T, float> ? 1e-3 : 1e-11;
    BOOST_TEST(worst <= tolerance,
               "conv_weight_grad, " << G.channels << " channels " << G.height << "x" << G.width
                                    << " kernel " << G.kernel_h << "x" << G.kernel_w << ", " << Out
                                    << " out, " << samples << " samples: error " << worst);
  }
}

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
}

}  // namespace ctnn_test
