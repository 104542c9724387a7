// Pooling, as torch.nn: MaxPool1d/2d and AvgPool1d/2d (kernel, stride defaulting to the kernel,
// padding; max pads with -inf, average with zeros and divides by the full kernel size, PyTorch's
// count_include_pad=True), and AdaptiveAvgPool2d<OH, OW> (PyTorch's window bounds; <1, 1> is
// global average pooling).
//
// Backward passes are gathers: each input element sums the gradients of the windows that used it
// (for max pooling, the windows whose first maximum it is, PyTorch's tie rule), so parallel
// backends need no atomics. Max pooling over windows that tile the input (the default stride, no
// padding) keeps each window's argmax instead, and its backward writes each window's own inputs.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/dual.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn {

struct pool1d_options {
  std::size_t kernel = 0;
  std::size_t stride = 0;  // 0: the kernel size, PyTorch's default
  std::size_t padding = 0;
};

struct pool2d_options {
  extent2 kernel = 0;
  extent2 stride = 0;  // 0: the kernel size, PyTorch's default
  extent2 padding = 0;
};

namespace pool_kernels {

// The windows of output positions that contain input row h: [first, last] along one axis.
CTNN_HOST_DEVICE constexpr long first_window(long h, long pad, long kernel, long stride) {
  const long t = h + pad - kernel + 1;
  return t <= 0 ? 0 : (t + stride - 1) / stride;
}
CTNN_HOST_DEVICE constexpr long last_window(long h, long pad, long stride) {
  return (h + pad) / stride;
}

// Index (within the plane) of the first maximum of window (oh, ow), PyTorch's tie rule.
template <window_geometry G, class T>
CTNN_HOST_DEVICE std::size_t window_argmax(const T* plane, std::size_t oh, std::size_t ow) {
  std::size_t best = 0;
  bool found = false;
  for (std::size_t kh = 0; kh < G.kernel_h; ++kh) {
    const long ih = G.in_row(oh, kh);
    if (ih < 0 || ih >= long(G.height)) continue;
    for (std::size_t kw = 0; kw < G.kernel_w; ++kw) {
      const long iw = G.in_col(ow, kw);
      if (iw < 0 || iw >= long(G.width)) continue;
      const std::size_t idx = std::size_t(ih) * G.width + std::size_t(iw);
      if (!found || primal(plane[idx]) > primal(plane[best])) best = idx, found = true;
    }
  }
  return best;
}

// Index in x (all planes) of the first maximum of output i's window.
template <window_geometry G, class T>
CTNN_HOST_DEVICE std::size_t output_argmax(const T* x, std::size_t i) {
  const std::size_t p = i % G.out_plane(), base = (i / G.out_plane()) * G.in_plane();
  return base + window_argmax<G>(x + base, p / G.out_w(), p % G.out_w());
}

template <window_geometry G, class T>
struct MaxForward {
  const T* x;
  T* y;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { y[i] = x[output_argmax<G>(x, i)]; }
};

template <window_geometry G, class T>
struct MaxBackward {
  const T* x;
  const T* dy;
  T* dx;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t plane = i / G.in_plane(), idx = i % G.in_plane();
    const long h = long(idx / G.width), w = long(idx % G.width);
    const T* in = x + plane * G.in_plane();
    const T* grad = dy + plane * G.out_plane();
    T sum(0);
    const long oh_end = last_window(h, G.pad_h, G.stride_h),
               ow_end = last_window(w, G.pad_w, G.stride_w);
    for (long oh = first_window(h, G.pad_h, G.kernel_h, G.stride_h);
         oh <= oh_end && oh < long(G.out_h()); ++oh)
      for (long ow = first_window(w, G.pad_w, G.kernel_w, G.stride_w);
           ow <= ow_end && ow < long(G.out_w()); ++ow)
        if (window_argmax<G>(in, std::size_t(oh), std::size_t(ow)) == idx)
          sum += grad[oh * long(G.out_w()) + ow];
    dx[i] = sum;
  }
};

// The same when windows do not overlap (stride >= kernel, MaxPool2d's default): each input is in
// at most one window, so each window writes its gradient to its own argmax, once per output
// rather than a search of every window per input. Runs over the outputs, on a zeroed dx.
template <window_geometry G, class T>
struct MaxBackwardDisjoint {
  static constexpr bool scatters_from_outputs = true;
  const T* x;
  const T* dy;
  T* dx;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { dx[output_argmax<G>(x, i)] = dy[i]; }
};

// Windows that tile the input from its corner (stride = kernel, no padding: MaxPool2d's default).
// Then one call takes one row of windows, with loops of compile-time length that the compiler
// unrolls and vectorises, where the kernels above search each window through index arithmetic
// (20% of a LeNet training step went there). The training forward keeps where each window's first
// maximum is (as a T: the compiler vectorises the search only when the index has the values'
// width), and backward writes the gradient there: searching again in backward, the compiler
// branches on the values, and mispredicts.
template <window_geometry G>
inline constexpr bool windows_tile =
    G.stride_h == G.kernel_h && G.stride_w == G.kernel_w && G.pad_h == 0 && G.pad_w == 0;

template <window_geometry G, class T>
struct MaxForwardRows {
  static constexpr bool by_window_rows = true;
  static_assert(G.kernel_h * G.width < (std::size_t(1) << 24), "an offset a float holds exactly");
  const T* x;
  T* y;
  T* argmax;  // per output, offset of its maximum from the window's corner; null: not kept
  static constexpr std::size_t elements_per_index() { return G.kernel_h * G.width + 2 * G.out_w(); }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {  // i = plane * out_h + oh
    constexpr std::size_t OH = G.out_h(), OW = G.out_w(), KH = G.kernel_h, KW = G.kernel_w,
                          W = G.width;
    const T* in = x + (i / OH) * G.in_plane() + (i % OH) * KH * W;
    T* out = y + i * OW;
    T* where = argmax ? argmax + i * OW : nullptr;
    for (std::size_t ow = 0; ow < OW; ++ow) {
      T best = in[ow * KW], at(0);
      for (std::size_t kh = 0; kh < KH; ++kh)
        for (std::size_t kw = 0; kw < KW; ++kw) {
          const T v = in[kh * W + ow * KW + kw];
          const bool greater = primal(v) > primal(best);  // the first maximum, as window_argmax
          best = greater ? v : best;
          at = greater ? T(scalar_of_t<T>(kh * W + kw)) : at;
        }
      out[ow] = best;
      if (where) where[ow] = at;  // a test the compiler hoists out of the loop
    }
  }
};

// Writes every input of its rows of windows: the gradient at the kept maximum, 0 elsewhere and in
// the columns and rows no window covers, so dx needs no fill first.
template <window_geometry G, class T>
struct MaxBackwardRows {
  static constexpr bool by_window_rows = true;
  const T* argmax;
  const T* dy;
  T* dx;
  static constexpr std::size_t elements_per_index() { return G.kernel_h * G.width + 2 * G.out_w(); }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {  // i = plane * out_h + oh
    constexpr std::size_t OH = G.out_h(), OW = G.out_w(), KH = G.kernel_h, KW = G.kernel_w,
                          W = G.width;
    const std::size_t oh = i % OH, first = (i / OH) * G.in_plane() + oh * KH * W;
    const std::size_t rows = oh + 1 == OH ? G.height - oh * KH : KH;  // the last takes the rest
    T* out = dx + first;
    for (std::size_t e = 0; e < rows * W; ++e) out[e] = T(0);
    const T* grad = dy + i * OW;
    const T* where = argmax + i * OW;
    for (std::size_t ow = 0; ow < OW; ++ow)
      out[ow * KW + std::size_t(primal(where[ow]))] = grad[ow];
  }
};

template <window_geometry G, class T>
using MaxForwardFor = std::conditional_t<windows_tile<G>, MaxForwardRows<G, T>, MaxForward<G, T>>;

template <window_geometry G, class T>
using MaxBackwardFor = std::conditional_t<
    windows_tile<G>, MaxBackwardRows<G, T>,
    std::conditional_t<(G.stride_h >= G.kernel_h && G.stride_w >= G.kernel_w),
                       MaxBackwardDisjoint<G, T>, MaxBackward<G, T>>>;

template <window_geometry G, class T>
struct AvgForward {
  const T* x;
  T* y;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t p = i % G.out_plane(), oh = p / G.out_w(), ow = p % G.out_w();
    const T* in = x + (i / G.out_plane()) * G.in_plane();
    T sum(0);
    for (std::size_t kh = 0; kh < G.kernel_h; ++kh) {
      const long ih = G.in_row(oh, kh);
      if (ih < 0 || ih >= long(G.height)) continue;
      for (std::size_t kw = 0; kw < G.kernel_w; ++kw) {
        const long iw = G.in_col(ow, kw);
        if (iw >= 0 && iw < long(G.width)) sum += in[std::size_t(ih) * G.width + std::size_t(iw)];
      }
    }
    y[i] = sum / T(G.kernel_size());
  }
};

template <window_geometry G, class T>
struct AvgBackward {
  const T* dy;
  T* dx;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t plane = i / G.in_plane(), idx = i % G.in_plane();
    const long h = long(idx / G.width), w = long(idx % G.width);
    const T* grad = dy + plane * G.out_plane();
    T sum(0);
    const long oh_end = last_window(h, G.pad_h, G.stride_h),
               ow_end = last_window(w, G.pad_w, G.stride_w);
    for (long oh = first_window(h, G.pad_h, G.kernel_h, G.stride_h);
         oh <= oh_end && oh < long(G.out_h()); ++oh)
      for (long ow = first_window(w, G.pad_w, G.kernel_w, G.stride_w);
           ow <= ow_end && ow < long(G.out_w()); ++ow)
        sum += grad[oh * long(G.out_w()) + ow];
    dx[i] = sum / T(G.kernel_size());
  }
};

// PyTorch's adaptive windows: [floor(o * in / out), ceil((o + 1) * in / out)).
CTNN_HOST_DEVICE constexpr std::size_t adaptive_start(std::size_t o, std::size_t in,
                                                      std::size_t out) {
  return o * in / out;
}
CTNN_HOST_DEVICE constexpr std::size_t adaptive_end(std::size_t o, std::size_t in,
                                                    std::size_t out) {
  return ((o + 1) * in + out - 1) / out;
}

template <std::size_t H, std::size_t W, std::size_t OH, std::size_t OW, class T>
struct AdaptiveAvgForward {
  const T* x;
  T* y;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t p = i % (OH * OW), oh = p / OW, ow = p % OW;
    const T* in = x + (i / (OH * OW)) * H * W;
    const std::size_t h0 = adaptive_start(oh, H, OH), h1 = adaptive_end(oh, H, OH);
    const std::size_t w0 = adaptive_start(ow, W, OW), w1 = adaptive_end(ow, W, OW);
    T sum(0);
    for (std::size_t h = h0; h < h1; ++h)
      for (std::size_t w = w0; w < w1; ++w) sum += in[h * W + w];
    y[i] = sum / T((h1 - h0) * (w1 - w0));
  }
};

template <std::size_t H, std::size_t W, std::size_t OH, std::size_t OW, class T>
struct AdaptiveAvgBackward {
  const T* dy;
  T* dx;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t idx = i % (H * W), h = idx / W, w = idx % W;
    const T* grad = dy + (i / (H * W)) * OH * OW;
    T sum(0);
    for (std::size_t oh = 0; oh < OH; ++oh) {
      const std::size_t h0 = adaptive_start(oh, H, OH), h1 = adaptive_end(oh, H, OH);
      if (h < h0 || h >= h1) continue;
      for (std::size_t ow = 0; ow < OW; ++ow) {
        const std::size_t w0 = adaptive_start(ow, W, OW), w1 = adaptive_end(ow, W, OW);
        if (w >= w0 && w < w1) sum += grad[oh * OW + ow] / T((h1 - h0) * (w1 - w0));
      }
    }
    dx[i] = sum;
  }
};

}  // namespace pool_kernels

namespace detail {

template <std::size_t Spatial, pool2d_options O, template <window_geometry, class> class Forward,
          template <window_geometry, class> class Backward, bool NeedsInput>
struct pool_layer : ctnn::no_parameters {
  static constexpr extent2 stride{O.stride.h ? O.stride.h : O.kernel.h,
                                  O.stride.w ? O.stride.w : O.kernel.w};

  template <class In>
  static constexpr window_geometry geometry = [] {
    window_geometry g = input_geometry<In, Spatial>();
    g.kernel_h = O.kernel.h, g.kernel_w = O.kernel.w;
    g.stride_h = stride.h, g.stride_w = stride.w;
    g.pad_h = O.padding.h, g.pad_w = O.padding.w;
    return g;
  }();

  template <class In>
  using output_shape =
      std::conditional_t<Spatial == 2,
                         Shape<geometry<In>.channels, geometry<In>.out_h(), geometry<In>.out_w()>,
                         Shape<geometry<In>.channels, geometry<In>.out_w()>>;

  // Kernels that go a row of windows at a time keep where each maximum is.
  template <class In>
  static constexpr std::size_t saved_per_sample =
      requires { Forward<geometry<In>, float>::by_window_rows; }
          ? geometry<In>.channels * geometry<In>.out_plane()
          : 0;

  template <class At, class From, class In>
  using check =
      check::all_of<check::window_options<1, O.kernel.h * O.kernel.w, stride.h * stride.w, 1>,
                    check::pool_padding<O.kernel.h, O.padding.h, O.kernel.w, O.padding.w>,
                    check::input_rank<At, From, In, Spatial + 1>,
                    check::kernel_fits<At, In, geometry<In>.fits()>>;

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    constexpr window_geometry G = geometry<In>;
    using kernel = Forward<G, T>;
    if constexpr (requires { kernel::by_window_rows; })
      backend<P>::for_each(a.batch * G.channels * G.out_h(), kernel{a.x, a.y, a.saved});
    else
      backend<P>::for_each(a.batch * G.channels * G.out_plane(), kernel{a.x, a.y});
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    constexpr window_geometry G = geometry<In>;
    if (!a.dx) return;
    using kernel = Backward<G, T>;
    const std::size_t n = a.batch * G.channels * G.in_plane();
    if constexpr (requires { kernel::by_window_rows; }) {
      backend<P>::for_each(a.batch * G.channels * G.out_h(), kernel{a.saved, a.dy, a.dx});
    } else if constexpr (requires { kernel::scatters_from_outputs; }) {
      backend<P>::fill(a.dx, n, T(0));
      backend<P>::for_each(a.batch * G.channels * G.out_plane(), kernel{a.x, a.dy, a.dx});
    } else if constexpr (NeedsInput) {
      backend<P>::for_each(n, Backward<G, T>{a.x, a.dy, a.dx});
    } else {
      backend<P>::for_each(n, Backward<G, T>{a.dy, a.dx});
    }
  }
};

constexpr pool2d_options as_2d(pool1d_options o) {
  return {extent2(1, o.kernel), extent2(1, o.stride ? o.stride : o.kernel), extent2(0, o.padding)};
}

}  // namespace detail

template <pool2d_options O>
struct MaxPool2d
    : detail::pool_layer<2, O, pool_kernels::MaxForwardFor, pool_kernels::MaxBackwardFor, true> {
  static constexpr std::string_view name = "MaxPool2d";
};
template <pool1d_options O>
struct MaxPool1d : detail::pool_layer<1, detail::as_2d(O), pool_kernels::MaxForwardFor,
                                      pool_kernels::MaxBackwardFor, true> {
  static constexpr std::string_view name = "MaxPool1d";
};
template <pool2d_options O>
struct AvgPool2d
    : detail::pool_layer<2, O, pool_kernels::AvgForward, pool_kernels::AvgBackward, false> {
  static constexpr std::string_view name = "AvgPool2d";
};
template <pool1d_options O>
struct AvgPool1d : detail::pool_layer<1, detail::as_2d(O), pool_kernels::AvgForward,
                                      pool_kernels::AvgBackward, false> {
  static constexpr std::string_view name = "AvgPool1d";
};

template <std::size_t OH, std::size_t OW>
struct AdaptiveAvgPool2d : no_parameters {
  static constexpr std::string_view name = "AdaptiveAvgPool2d";

  template <class In>
  using output_shape = Shape<dim_or<In>(0, 1), OH, OW>;

  template <class At, class From, class In>
  using check =
      check::all_of<check::window_options<OH * OW, 1, 1, 1>, check::input_rank<At, From, In, 3>>;

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    constexpr std::size_t C = dim_or<In>(0, 1), H = dim_or<In>(1, 1), W = dim_or<In>(2, 1);
    backend<P>::for_each(a.batch * C * OH * OW,
                         pool_kernels::AdaptiveAvgForward<H, W, OH, OW, T>{a.x, a.y});
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    constexpr std::size_t C = dim_or<In>(0, 1), H = dim_or<In>(1, 1), W = dim_or<In>(2, 1);
    if (a.dx)
      backend<P>::for_each(a.batch * C * H * W,
                           pool_kernels::AdaptiveAvgBackward<H, W, OH, OW, T>{a.dy, a.dx});
  }
};

}  // namespace ctnn
