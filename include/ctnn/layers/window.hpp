// The geometry of a window sliding over (channels, height, width), shared by convolutions and
// pooling; 1-d layers are the case height 1. Extents follow PyTorch:
//   out = (in + 2 padding - dilation (kernel - 1) - 1) / stride + 1.
#pragma once

#include <cstddef>

#include "ctnn/config.hpp"
#include "ctnn/core/shape.hpp"

namespace ctnn {

// One value for both axes (`.kernel = 5`) or {height, width} (`.kernel = {3, 5}`).
struct extent2 {
  std::size_t h = 0;
  std::size_t w = 0;
  constexpr extent2() = default;
  constexpr extent2(std::size_t both) : h(both), w(both) {}  // NOLINT(google-explicit-constructor)
  constexpr extent2(std::size_t height, std::size_t width) : h(height), w(width) {}
};

struct window_geometry {
  std::size_t channels = 1, height = 1, width = 1;
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t pad_h = 0, pad_w = 0;
  std::size_t dilation_h = 1, dilation_w = 1;

  constexpr bool fits() const {
    return height + 2 * pad_h >= dilation_h * (kernel_h - 1) + 1 &&
           width + 2 * pad_w >= dilation_w * (kernel_w - 1) + 1;
  }
  // 1 when the kernel does not fit, so that shapes stay valid while the error is reported.
  constexpr std::size_t out_h() const {
    return fits() ? (height + 2 * pad_h - dilation_h * (kernel_h - 1) - 1) / stride_h + 1 : 1;
  }
  constexpr std::size_t out_w() const {
    return fits() ? (width + 2 * pad_w - dilation_w * (kernel_w - 1) - 1) / stride_w + 1 : 1;
  }
  constexpr std::size_t in_plane() const { return height * width; }
  // The input with its zero padding written out (conv.hpp's padded copy).
  constexpr std::size_t padded_h() const { return height + 2 * pad_h; }
  constexpr std::size_t padded_w() const { return width + 2 * pad_w; }
  constexpr std::size_t out_plane() const { return out_h() * out_w(); }
  constexpr std::size_t kernel_size() const { return kernel_h * kernel_w; }

  // The input row read by output row `o` at kernel row `k`; negative or >= height in the padding.
  CTNN_HOST_DEVICE constexpr long in_row(std::size_t o, std::size_t k) const {
    return static_cast<long>(o * stride_h + k * dilation_h) - static_cast<long>(pad_h);
  }
  CTNN_HOST_DEVICE constexpr long in_col(std::size_t o, std::size_t k) const {
    return static_cast<long>(o * stride_w + k * dilation_w) - static_cast<long>(pad_w);
  }
};

// Extent `axis` of a shape, or `fallback` when the shape has fewer axes (while a rank error is
// being reported, the rest of the layer must still compile).
template <class S>
constexpr std::size_t dim_or(std::size_t axis, std::size_t fallback) {
  return axis < S::rank ? S::dims[axis] : fallback;
}

// The (channels, height, width) view of an input of `Spatial` spatial axes (1 or 2).
template <class In, std::size_t Spatial>
constexpr window_geometry input_geometry() {
  window_geometry g;
  g.channels = dim_or<In>(0, 1);
  g.height = Spatial == 2 ? dim_or<In>(1, 1) : 1;
  g.width = dim_or<In>(Spatial, 1);
  return g;
}

}  // namespace ctnn
