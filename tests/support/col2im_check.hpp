// The CPU backend's col2im against every column entry added where it was read from, one at a
// time: LeNet's second convolution, padding, planes wider than one register (37 columns: three
// float registers, five double ones on AVX-512), dilation, a row stride, kernel width 1 and a
// width of 1; alone and as one of several samples side by side. The kernel overwrites the planes:
// they start as NaN. Shared by ctnn_tests and ctnn_avx2_tests, which builds it for AVX2's masked
// loads.
#pragma once

#include <boost/test/unit_test.hpp>

#include <ctnn/backend/cpu/col2im.hpp>
#include <ctnn/core/random.hpp>

#include "support/compare.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace ctnn_test {

// Sample `sample` of `samples` whose column rows lie side by side, row_stride = samples OH OW
// apart (one sample: the plain column matrix).
template <ctnn::window_geometry G, class T>
void check_col2im(std::size_t samples, std::size_t sample) {
  constexpr std::size_t OH = G.out_h(), OW = G.out_w(), KS = G.kernel_size();
  constexpr std::size_t height = G.height + 2 * G.pad_h, width = G.width + 2 * G.pad_w;
  const std::size_t row_stride = samples * OH * OW;
  ctnn::Generator rng(16);
  std::vector<T> col(G.channels * KS * row_stride);
  for (auto& e : col) e = static_cast<T>(rng.uniform(-1, 1));
  const T* mine = col.data() + sample * OH * OW;
  std::vector<double> want(G.channels * height * width, 0.0);
  for (std::size_t c = 0; c < G.channels; ++c)
    for (std::size_t kh = 0; kh < G.kernel_h; ++kh)
      for (std::size_t kw = 0; kw < G.kernel_w; ++kw)
        for (std::size_t oh = 0; oh < OH; ++oh)
          for (std::size_t ow = 0; ow < OW; ++ow)
            want[(c * height + oh * G.stride_h + kh * G.dilation_h) * width + ow +
                 kw * G.dilation_w] +=
                mine[(c * KS + kh * G.kernel_w + kw) * row_stride + oh * OW + ow];
  std::vector<T> dxp(want.size(), std::numeric_limits<T>::quiet_NaN());
#if CTNN_CPU_MASKED_LOADS
  ctnn::cpu::col2im<G>(mine, row_stride, dxp.data());
#else
  BOOST_TEST_MESSAGE("col2im: no masked loads on this machine; the layers use the portable one");
  return;
#endif
  double worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    worst = ctnn_test::worse(worst, std::abs(double(dxp[i]) - want[i]));
  BOOST_TEST(worst <= 1e-5, "channels " << G.channels << " height " << G.height << " width "
                                        << G.width << ", sample " << sample << " of " << samples
                                        << ": error " << worst);
}

template <ctnn::window_geometry G, class T>
void check_col2im() {
  check_col2im<G, T>(1, 0);
  check_col2im<G, T>(3, 1);
}

template <class T>
void check_col2im_geometries() {
  using ctnn::window_geometry;
  constexpr window_geometry lenet{.channels = 6, .height = 14, .width = 14, .kernel_h = 5,
                                  .kernel_w = 5};
  constexpr window_geometry padded{.channels = 1, .height = 28, .width = 28, .kernel_h = 5,
                                   .kernel_w = 5, .pad_h = 2, .pad_w = 2};
  constexpr window_geometry wide{.channels = 3, .height = 5, .width = 37, .kernel_h = 3,
                                 .kernel_w = 3, .stride_h = 2, .pad_h = 1, .dilation_w = 2};
  constexpr window_geometry dilated{.channels = 2, .height = 9, .width = 17, .kernel_h = 2,
                                    .kernel_w = 4, .pad_w = 1, .dilation_h = 3, .dilation_w = 3};
  constexpr window_geometry column{.channels = 3, .height = 4, .width = 1, .kernel_h = 2};
  constexpr window_geometry pointwise{.channels = 2, .height = 3, .width = 19};
  check_col2im<lenet, T>();
  check_col2im<padded, T>();
  check_col2im<wide, T>();
  check_col2im<dilated, T>();
  check_col2im<column, T>();
  check_col2im<pointwise, T>();
}

}  // namespace ctnn_test
