// Conv1d and Conv2d, as torch.nn.Conv1d/Conv2d: out channels, kernel, stride, zero padding,
// dilation, groups, bias. Input (channels, length) or (channels, height, width); weight
// [out, in / groups, kernel...]; bias [out].
//
// Computed as im2col + GEMM over a few samples' columns side by side (so that the products are
// long), a group at a time while its columns are in cache: training keeps the (padded) input, and
// backward writes the columns again for the weight gradient. A backend may compute the forward
// and the weight gradient from the padded input itself, without columns (the optional
// conv_forward and conv_weight_grad: the CPU backend's, where the output channels fill whole
// SIMD registers, and a forward for few channels with output positions in the registers; for
// LeNet's second convolution, its training step went 1079 -> 985 us at best, then for the first
// one's forward 973 -> 943 us). The input gradient is col2im, one padded plane per call, so it needs no
// atomics on parallel backends (the CPU backend sums each row of a plane in registers). Both work on a copy of the input with its padding written out, so
// their rows have one length. An elementwise layer that follows is fused into the bias pass, as
// for Linear.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn {

struct conv1d_options {
  std::size_t out = 0;
  std::size_t kernel = 0;
  std::size_t stride = 1;
  std::size_t padding = 0;
  std::size_t dilation = 1;
  std::size_t groups = 1;
  bool bias = true;
};

struct conv2d_options {
  std::size_t out = 0;
  extent2 kernel = 0;
  extent2 stride = 1;
  extent2 padding = 0;
  extent2 dilation = 1;
  std::size_t groups = 1;
  bool bias = true;
};

namespace conv_kernels {

// out[i] = in[i * Stride] for i < N. Contiguous rows are a memcpy of constant size, which the
// compiler expands into a few vector moves; written as a loop, GCC turned them into calls to
// memmove (10% of LeNet's inference). The pointers are restrict parameters, which the compiler
// trusts (it does not trust them as locals): only then are the strided loops vectorised.
template <std::size_t N, std::size_t Stride, class T>
CTNN_HOST_DEVICE inline void copy_strided(const T* __restrict__ in, T* __restrict__ out) {
  if constexpr (Stride == 1 && std::is_trivially_copyable_v<T>) {
    __builtin_memcpy(out, in, N * sizeof(T));
  } else {
    for (std::size_t i = 0; i < N; ++i) out[i] = in[i * Stride];
  }
}

// out[i * Stride] += in[i] for i < N.
template <std::size_t N, std::size_t Stride, class T>
CTNN_HOST_DEVICE inline void add_strided(const T* __restrict__ in, T* __restrict__ out) {
  for (std::size_t i = 0; i < N; ++i) out[i * Stride] += in[i];
}

// The input with its zero padding written out, (channels, height + 2 pad_h, width + 2 pad_w) per
// sample, so that im2col and col2im copy rows of a length known at compile time without a test per
// element (the tests were a third of LeNet's inference). Without padding it is the input itself.
template <window_geometry G>
struct padded {
  static constexpr std::size_t height = G.padded_h(), width = G.padded_w();
  static constexpr std::size_t plane = height * width;
  static constexpr bool needed = G.pad_h + G.pad_w > 0;
  static constexpr std::size_t per_sample = needed ? G.channels * plane : 0;
};

// padded row i = (b * C + c) * padded height + row
template <window_geometry G, class T>
struct Pad {
  using P = padded<G>;
  const T* x;
  T* xp;
  static constexpr std::size_t elements_per_index() { return 2 * P::width; }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t row = i % P::height, plane = i / P::height;
    T* out = xp + i * P::width;
    if (row - G.pad_h >= G.height) {  // above the input too: the difference wraps around
      for (std::size_t w = 0; w < P::width; ++w) out[w] = T(0);
      return;
    }
    const T* in = x + (plane * G.height + row - G.pad_h) * G.width;
    for (std::size_t w = 0; w < G.pad_w; ++w) out[w] = T(0);
    copy_strided<G.width, 1>(in, out + G.pad_w);
    for (std::size_t w = G.pad_w + G.width; w < P::width; ++w) out[w] = T(0);
  }
};

// col[r][j][oh * OW + ow] = xp[j][c][oh * SH + kh * DH][ow * SW + kw * DW] for the kernel row
// r = (c * KH + kh) * KW + kw and each of `samples` samples j side by side (one sample: the usual
// column matrix [r][oh * OW + ow]), xp the padded input. One call fills one row (j, r) of the
// column matrix: OH copies of OW entries, with the index arithmetic done once (per copy, it was
// half of the time).
template <window_geometry G, class T>
struct Im2col {
  using P = padded<G>;
  const T* xp;
  T* col;
  std::size_t samples = 1;
  static constexpr std::size_t elements_per_index() { return 2 * G.out_plane(); }
  // i = j * rows + r
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    constexpr std::size_t OH = G.out_h(), OW = G.out_w(), rows = G.channels * G.kernel_size();
    const std::size_t plane = i / G.kernel_size(), kh = (i / G.kernel_w) % G.kernel_h,
                      kw = i % G.kernel_w;
    const T* in = xp + plane * P::plane + kh * G.dilation_h * P::width + kw * G.dilation_w;
    T* out = col + ((i % rows) * samples + i / rows) * OH * OW;
    for (std::size_t oh = 0; oh < OH; ++oh)
      copy_strided<OW, G.stride_w>(in + oh * G.stride_h * P::width, out + oh * OW);
  }
};

// dxp[c][h][w] = sum of the column entries that read xp[c][h][w] (the adjoint of Im2col), for
// one sample whose column rows are row_stride apart. One call owns one padded plane c and adds
// into it every column row of its channel, so planes run in parallel without atomics. The loop
// over output rows is innermost: adds in a row by one kernel column after another read what the
// previous add had just stored, shifted by one element, and waited on the store (a third of
// col2im's time).
template <window_geometry G, class T>
struct Col2im {
  using P = padded<G>;
  const T* dcol;
  std::size_t row_stride;
  T* dxp;
  static constexpr std::size_t elements_per_index() {
    return P::plane + 2 * G.kernel_size() * G.out_plane();
  }
  CTNN_HOST_DEVICE void operator()(std::size_t c) const {
    constexpr std::size_t OH = G.out_h(), OW = G.out_w(), KS = G.kernel_size();
    T* out = dxp + c * P::plane;
    for (std::size_t e = 0; e < P::plane; ++e) out[e] = T(0);
    const T* src = dcol + c * KS * row_stride;  // column row (c, 0, 0)
    for (std::size_t kh = 0; kh < G.kernel_h; ++kh)
      for (std::size_t kw = 0; kw < G.kernel_w; ++kw, src += row_stride) {
        T* corner = out + kh * G.dilation_h * P::width + kw * G.dilation_w;
        for (std::size_t oh = 0; oh < OH; ++oh)
          add_strided<OW, G.stride_w>(src + oh * OW, corner + oh * G.stride_h * P::width);
      }
  }
};

// Whether backend B computes the forward of a convolution with Out output channels itself, from
// the padded input, without a column matrix (the optional conv_forward).
template <class B, window_geometry G, std::size_t Out, class T>
concept has_conv_forward = requires(const T* w, std::uint64_t version, const T* xp, T* out,
                                    std::size_t samples) {
  B::template conv_forward<G, Out>(w, version, xp, out, samples);
};

// Whether backend B adds a convolution's weight gradient from dz and the padded input itself,
// without a column matrix (the optional conv_weight_grad).
template <class B, window_geometry G, std::size_t Out, class T>
concept has_conv_weight_grad = requires(const T* dz, const T* xp, T* grad_w, std::size_t samples) {
  B::template conv_weight_grad<G, Out>(dz, xp, grad_w, samples);
};

// Whether backend B adds the column matrices of samples side by side into their planes itself
// (the optional col2im).
template <class B, window_geometry G, class T>
concept has_col2im = requires(const T* col, std::size_t row_stride, std::size_t samples, T* dxp) {
  B::template col2im<G>(col, row_stride, samples, dxp);
};

// dx[b][c][h] = the inside of padded row (b, c, h + pad_h).
template <window_geometry G, class T>
struct Unpad {
  using P = padded<G>;
  const T* dxp;
  T* dx;
  static constexpr std::size_t elements_per_index() { return 2 * G.width; }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {  // i = (b * C + c) * H + h
    const std::size_t h = i % G.height, plane = i / G.height;
    const T* in = dxp + (plane * P::height + h + G.pad_h) * P::width + G.pad_w;
    T* out = dx + i * G.width;
    copy_strided<G.width, 1>(in, out);
  }
};

// Between the batch layout [sample j][channel o][plane] and the channels' planes side by side,
// [o][j][plane] (Im2col's layout for several samples), for `samples` samples: into the side by
// side layout (ToSide) or back.
template <class T, std::size_t Channels, std::size_t Plane, bool ToSide>
struct SideBySide {
  const T* from;
  T* to;
  std::size_t samples;
  static constexpr std::size_t elements_per_index() { return 2 * Plane; }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {  // i = o * samples + j
    const std::size_t o = i / samples, j = i % samples;
    const std::size_t in_batch = (j * Channels + o) * Plane, side = i * Plane;
    copy_strided<Plane, 1>(from + (ToSide ? in_batch : side), to + (ToSide ? side : in_batch));
  }
};

// grad_bias[c] += sum over the batch and the plane of dz[b][c][.].
template <class T, std::size_t Channels, std::size_t Plane>
struct ChannelSum {
  const T* dz;
  T* grad_bias;
  std::size_t batch;
  constexpr std::size_t elements_per_index() const { return batch * Plane; }
  CTNN_HOST_DEVICE void operator()(std::size_t c) const {
    // Independent partial sums, which the compiler keeps in a register: one running sum is a
    // chain of dependent additions that it may not reorder (4% of a LeNet training step).
    constexpr std::size_t lanes = 16;
    T partial[lanes] = {};
    for (std::size_t b = 0; b < batch; ++b) {
      const T* row = dz + (b * Channels + c) * Plane;
      std::size_t p = 0;
      for (; p + lanes <= Plane; p += lanes)
        for (std::size_t j = 0; j < lanes; ++j) partial[j] += row[p + j];
      for (; p < Plane; ++p) partial[p % lanes] += row[p];
    }
    T sum(0);
    for (std::size_t j = 0; j < lanes; ++j) sum += partial[j];
    grad_bias[c] += sum;
  }
};

}  // namespace conv_kernels

namespace detail {

// The implementation shared by Conv1d (Spatial = 1) and Conv2d (Spatial = 2); O is normalised
// to 2-d options.
template <std::size_t Spatial, conv2d_options O>
struct conv_layer {
  static constexpr bool accepts_epilogue = true;
  static constexpr std::size_t out_channels = O.out;

  template <class In>
  static constexpr window_geometry geometry = [] {
    window_geometry g = input_geometry<In, Spatial>();
    g.kernel_h = O.kernel.h, g.kernel_w = O.kernel.w;
    g.stride_h = O.stride.h, g.stride_w = O.stride.w;
    g.pad_h = O.padding.h, g.pad_w = O.padding.w;
    g.dilation_h = O.dilation.h, g.dilation_w = O.dilation.w;
    return g;
  }();

  template <class In>
  using output_shape =
      std::conditional_t<Spatial == 2, Shape<O.out, geometry<In>.out_h(), geometry<In>.out_w()>,
                         Shape<O.out, geometry<In>.out_w()>>;

  template <class At, class From, class In>
  using check =
      check::all_of<check::window_options<O.out, O.kernel.h * O.kernel.w, O.stride.h * O.stride.w,
                                          O.dilation.h * O.dilation.w>,
                    check::input_rank<At, From, In, Spatial + 1>,
                    check::conv_groups<At, In, dim_or<In>(0, O.groups), O.out, O.groups>,
                    check::kernel_fits<At, In, geometry<In>.fits()>>;

  template <class In>
  static constexpr std::size_t in_per_group = geometry<In>.channels / (O.groups ? O.groups : 1);
  template <class In>
  static constexpr std::size_t fan_in = in_per_group<In>* O.kernel.h* O.kernel.w;

  template <class In>
  static constexpr auto parameters = [] {
    constexpr param_spec weight =
        Spatial == 2 ? param_spec{"weight", 4, {O.out, in_per_group<In>, O.kernel.h, O.kernel.w}}
                     : param_spec{"weight", 3, {O.out, in_per_group<In>, O.kernel.w}};
    if constexpr (O.bias) {
      return std::array{weight, param_spec{"bias", 1, {O.out}}};
    } else {
      return std::array{weight};
    }
  }();

  // Training keeps the padded input (nothing without padding: the input itself is kept). The
  // column matrix is not kept: backward writes it again, a group of samples at a time, into the
  // room it then multiplies from while it is in cache. Kept for the batch, LeNet's columns were
  // 4.4 MB at batch 32, written to memory by forward and read back by the weight gradient (its
  // loads of them were 14% of LeNet's training step in perf).
  template <class In>
  static constexpr std::size_t saved_per_sample = conv_kernels::padded<geometry<In>>::per_sample;
  // The products run over a few samples' columns side by side, [C KH KW][sample][OH OW]: the
  // weight gradient's dot products are longer, and the other two products have wider rows with
  // one ragged end per group instead of one per sample. One sample of LeNet's second convolution
  // has 100 positions; its dz col^T, 16 x 150 x 100, ran at 63 GFLOP/s here, 94 at 400 positions,
  // 98 at 600, 103 at 800 (AVX-512, one core). W col, 16 x 100 x 150, took 5.4 us a sample alone
  // and 4.4 at 600 positions; W^T dz, 150 x 100 x 16, 6.0 and 5.1 us. Samples are added up to
  // about 512 positions, while their columns take at most 128 Ki elements (512 KiB of float, half
  // this machine's L2), so that they are still in cache for the product.
  template <class In>
  static constexpr std::size_t samples_side_by_side = [] {
    constexpr std::size_t positions = geometry<In>.out_plane(),
                          columns = geometry<In>.channels * geometry<In>.kernel_size() * positions;
    const std::size_t by_length = (512 + positions - 1) / positions;
    const std::size_t by_cache = std::max<std::size_t>(1, (std::size_t(128) << 10) / columns);
    return std::min(by_length, by_cache);
  }();
  // Scratch: the padded input (inference) or its gradient (backward), per sample; then the
  // columns of samples_side_by_side samples and their output or dz side by side, reused group
  // after group.
  template <class In>
  static constexpr std::size_t scratch_per_sample = conv_kernels::padded<geometry<In>>::per_sample;
  template <class In>
  static constexpr std::size_t scratch_per_call =
      samples_side_by_side<In> * (geometry<In>.channels * geometry<In>.kernel_size() + O.out) *
      geometry<In>.out_plane();

  // PyTorch's reset_parameters: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias.
  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in<In>));
    for (auto& p : params) p = static_cast<T>(rng.uniform(-bound, bound));
  }

  template <class In, class P, class T, class Epilogue = op::Identity>
  static void forward(const layer_pass<T>& a, Epilogue epilogue = {}) {
    using B = backend<P>;
    constexpr window_geometry G = geometry<In>;
    constexpr std::size_t plane = G.out_plane(), groups = O.groups;
    constexpr std::size_t rows_g = G.channels * G.kernel_size() / groups;
    using padded = conv_kernels::padded<G>;
    const T* xp = a.x;
    if constexpr (padded::needed) {
      T* room = a.saved ? a.saved : a.scratch;
      B::for_each(a.batch * G.channels * padded::height, conv_kernels::Pad<G, T>{a.x, room});
      xp = room;
    }
    T* pre = a.pre ? a.pre : a.y;
    if constexpr (groups == 1 && conv_kernels::has_conv_forward<B, G, O.out, T>) {
      B::template conv_forward<G, O.out>(a.params, a.params_version, xp, pre, a.batch);
    } else {
      forward_by_columns<In, P>(a, xp, pre);
    }
    // y = epilogue(pre + bias of the channel)
    if constexpr (O.bias) {
      B::map_channels(a.batch, O.out, plane, op::AddBiasThen<Epilogue>{epilogue}, a.y,
                      a.params + O.out * rows_g, pre);
    } else if constexpr (!std::is_same_v<Epilogue, op::Identity>) {
      B::map(a.batch * O.out * plane, epilogue, a.y, pre);
    } else if (pre != a.y) {
      B::copy(pre, a.batch * O.out * plane, a.y);
    }
  }

  // pre = W xp by im2col + GEMM: each group's columns are multiplied right after they are
  // written, while still in cache, in one room reused for all groups.
  template <class In, class P, class T>
  static void forward_by_columns(const layer_pass<T>& a, const T* xp, T* pre) {
    using B = backend<P>;
    constexpr window_geometry G = geometry<In>;
    constexpr std::size_t plane = G.out_plane(), groups = O.groups;
    constexpr std::size_t rows = G.channels * G.kernel_size(), rows_g = rows / groups,
                          out_g = O.out / groups;
    using padded = conv_kernels::padded<G>;
    constexpr std::size_t per_group = samples_side_by_side<In>;
    T* col = a.scratch + a.batch * scratch_per_sample<In>;
    T* out_side = col + per_group * rows * plane;
    for (std::size_t first = 0; first < a.batch; first += per_group) {
      const std::size_t samples = std::min(per_group, a.batch - first), length = samples * plane;
      B::for_each(samples * rows, conv_kernels::Im2col<G, T>{
                                      xp + first * G.channels * padded::plane, col, samples});
      T* out = samples > 1 ? out_side : pre + first * O.out * plane;
      for (std::size_t g = 0; g < groups; ++g)
        B::gemm(transpose::no, transpose::no, out_g, length, rows_g, T(1),
                a.params + g * out_g * rows_g, col + g * rows_g * length, T(0),
                out + g * out_g * length);
      if (samples > 1)
        B::for_each(samples * O.out, conv_kernels::SideBySide<T, O.out, plane, false>{
                                         out_side, pre + first * O.out * plane, samples});
    }
  }

  template <class In, class P, class T, class Epilogue = op::Identity>
  static void backward(const layer_pass<T>& a, Epilogue epilogue = {}) {
    using B = backend<P>;
    constexpr window_geometry G = geometry<In>;
    constexpr std::size_t plane = G.out_plane(), groups = O.groups;
    constexpr std::size_t rows = G.channels * G.kernel_size(), rows_g = rows / groups,
                          out_g = O.out / groups;
    const T* bias = a.params + O.out * rows_g;
    T* dz = a.dy;
    if constexpr (!std::is_same_v<Epilogue, op::Identity>) {
      const T* pre = a.pre ? a.pre : a.y;
      // dz = dy epilogue'(pre + bias of the channel), in place of dy
      if constexpr (O.bias) {
        B::map_channels(a.batch, O.out, plane, op::GradThroughBias<Epilogue>{epilogue}, dz, bias,
                        pre, dz);
      } else {
        B::map(a.batch * O.out * plane, op::GradThrough<Epilogue>{epilogue}, dz, pre, dz);
      }
    }
    if constexpr (O.bias)
      B::for_each(O.out,
                  conv_kernels::ChannelSum<T, O.out, plane>{dz, a.grads + O.out * rows_g, a.batch});
    // The weight gradient straight from dz and the kept input where the backend can; otherwise
    // per group of samples, while in cache: their columns written again from the kept input, the
    // weight gradient from them and their dz. Then the column gradient in the same room, gathered
    // into dx: the group's samples in one call of the backend's col2im (which the CPU splits over
    // threads), else a sample at a time.
    using padded = conv_kernels::padded<G>;
    constexpr std::size_t padded_plane = G.channels * padded::plane,
                          per_group = samples_side_by_side<In>;
    constexpr bool direct_weight_grad =
        groups == 1 && conv_kernels::has_conv_weight_grad<B, G, O.out, T>;
    const T* xp = padded::needed ? a.saved : a.x;
    if constexpr (direct_weight_grad) {
      B::template conv_weight_grad<G, O.out>(dz, xp, a.grads, a.batch);
      if (!a.dx) return;
    }
    T* col = a.scratch + a.batch * scratch_per_sample<In>;
    T* dz_side = col + per_group * rows * plane;
    T* dxp = padded::needed ? a.scratch : a.dx;
    for (std::size_t first = 0; first < a.batch; first += per_group) {
      const std::size_t samples = std::min(per_group, a.batch - first), length = samples * plane;
      if constexpr (!direct_weight_grad)
        B::for_each(samples * rows,
                    conv_kernels::Im2col<G, T>{xp + first * padded_plane, col, samples});
      const T* dz_rows = dz + first * O.out * plane;
      if (samples > 1) {
        B::for_each(samples * O.out,
                    conv_kernels::SideBySide<T, O.out, plane, true>{dz_rows, dz_side, samples});
        dz_rows = dz_side;
      }
      if constexpr (!direct_weight_grad)
        for (std::size_t g = 0; g < groups; ++g)
          B::gemm(transpose::no, transpose::yes, out_g, rows_g, length, T(1),
                  dz_rows + g * out_g * length, col + g * rows_g * length, T(1),
                  a.grads + g * out_g * rows_g);
      if (!a.dx) continue;
      for (std::size_t g = 0; g < groups; ++g)
        B::gemm(transpose::yes, transpose::no, rows_g, length, out_g, T(1),
                a.params + g * out_g * rows_g, dz_rows + g * out_g * length, T(0),
                col + g * rows_g * length);
      if constexpr (conv_kernels::has_col2im<B, G, T>) {
        B::template col2im<G>(col, length, samples, dxp + first * padded_plane);
      } else {
        for (std::size_t j = 0; j < samples; ++j)
          B::for_each(G.channels, conv_kernels::Col2im<G, T>{col + j * plane, length,
                                                             dxp + (first + j) * padded_plane});
      }
    }
    if constexpr (padded::needed)
      if (a.dx) B::for_each(a.batch * G.channels * G.height, conv_kernels::Unpad<G, T>{dxp, a.dx});
  }
};

constexpr conv2d_options as_2d(conv1d_options o) {
  return {o.out,
          extent2(1, o.kernel),
          extent2(1, o.stride),
          extent2(0, o.padding),
          extent2(1, o.dilation),
          o.groups,
          o.bias};
}

}  // namespace detail

template <conv2d_options O>
struct Conv2d : detail::conv_layer<2, O> {
  static constexpr std::string_view name = "Conv2d";
};

template <conv1d_options O>
struct Conv1d : detail::conv_layer<1, detail::as_2d(O)> {
  static constexpr std::string_view name = "Conv1d";
};

}  // namespace ctnn
