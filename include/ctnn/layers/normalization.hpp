// Normalisation layers, as torch.nn:
//   BatchNorm1d<>   input (C) or (C, L)      statistics per channel over the batch (and L)
//   BatchNorm2d<>   input (C, H, W)          statistics per channel over the batch, H and W
//   LayerNorm<>     the last `axes` feature axes of each sample (PyTorch's normalized_shape)
//   InstanceNorm2d<> input (C, H, W)         statistics per sample and channel over H and W
// BatchNorm uses the batch statistics in training mode and updates the buffers running_mean,
// running_var (with the unbiased variance) and num_batches_tracked with PyTorch's momentum rule;
// in eval mode and in inference it uses the running statistics. Backward passes are written out
// (they are not elementwise) and verified by gradcheck.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn {

struct batchnorm_options {
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;
};

struct layernorm_options {
  std::size_t axes = 1;  // how many trailing feature axes are normalised
  double eps = 1e-5;
  bool elementwise_affine = true;
};

struct instancenorm_options {
  double eps = 1e-5;
  bool affine = false;  // PyTorch's default
};

namespace norm_kernels {

// --- BatchNorm: one index per channel, looping over the batch and the plane. -------------------

template <class T, std::size_t C, std::size_t Plane>
struct BatchStats {
  const T* x;
  std::size_t batch;
  CTNN_HOST_DEVICE void operator()(std::size_t c, T& mean, T& var) const {
    const std::size_t n = batch * Plane;
    T sum(0);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < Plane; ++p) sum += x[(b * C + c) * Plane + p];
    mean = sum / T(n);
    T sq(0);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < Plane; ++p) {
        const T d = x[(b * C + c) * Plane + p] - mean;
        sq += d * d;
      }
    var = sq / T(n);
  }
};

// Buffers of a BatchNorm: running_mean [C], running_var [C], num_batches_tracked.
template <class T, std::size_t C, std::size_t Plane, bool Affine>
struct BatchNormTrain {
  const T* x;
  T* y;
  const T* params;  // weight [C], bias [C] when Affine
  T* buffers;       // null when this call must not update them
  std::size_t batch;
  double eps, momentum;
  CTNN_HOST_DEVICE void operator()(std::size_t c) const {
    using std::sqrt;
    T mean, var;
    BatchStats<T, C, Plane>{x, batch}(c, mean, var);
    const T invstd = T(1) / sqrt(var + T(eps));
    const T scale = Affine ? params[c] * invstd : invstd;
    const T shift = Affine ? params[C + c] - mean * scale : -mean * scale;
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < Plane; ++p) {
        const std::size_t i = (b * C + c) * Plane + p;
        y[i] = x[i] * scale + shift;
      }
    if (buffers) {
      const double n = double(batch * Plane);
      buffers[c] = T(1 - momentum) * buffers[c] + T(momentum) * mean;
      buffers[C + c] = T(1 - momentum) * buffers[C + c] + T(momentum * n / (n - 1)) * var;
      if (c == 0) buffers[2 * C] = buffers[2 * C] + T(1);
    }
  }
};

template <class T, std::size_t C, std::size_t Plane, bool Affine>
struct BatchNormEval {
  const T* x;
  T* y;
  const T* params;
  const T* buffers;
  double eps;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    using std::sqrt;
    const std::size_t c = (i / Plane) % C;
    const T xhat = (x[i] - buffers[c]) / sqrt(buffers[C + c] + T(eps));
    y[i] = Affine ? xhat * params[c] + params[C + c] : xhat;
  }
};

// Gradients with batch statistics:
//   dx = w invstd / N (N dy - sum(dy) - xhat sum(dy xhat)), dw += sum(dy xhat), db += sum(dy);
// with running statistics (eval): dx = dy w invstd, and the same dw, db.
template <class T, std::size_t C, std::size_t Plane, bool Affine>
struct BatchNormBackward {
  const T* x;
  const T* dy;
  T* dx;  // may be null
  const T* params;
  T* grads;
  const T* buffers;
  std::size_t batch;
  double eps;
  bool batch_statistics;
  CTNN_HOST_DEVICE void operator()(std::size_t c) const {
    using std::sqrt;
    T mean, var;
    if (batch_statistics) {
      BatchStats<T, C, Plane>{x, batch}(c, mean, var);
    } else {
      mean = buffers[c], var = buffers[C + c];
    }
    const T invstd = T(1) / sqrt(var + T(eps));
    T sum_dy(0), sum_dy_xhat(0);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < Plane; ++p) {
        const std::size_t i = (b * C + c) * Plane + p;
        sum_dy += dy[i];
        sum_dy_xhat += dy[i] * (x[i] - mean) * invstd;
      }
    if (Affine) {
      grads[c] += sum_dy_xhat;
      grads[C + c] += sum_dy;
    }
    if (!dx) return;
    const T w = Affine ? params[c] : T(1);
    const T n = T(batch * Plane);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t p = 0; p < Plane; ++p) {
        const std::size_t i = (b * C + c) * Plane + p;
        const T xhat = (x[i] - mean) * invstd;
        dx[i] = batch_statistics ? w * invstd / n * (n * dy[i] - sum_dy - xhat * sum_dy_xhat)
                                 : dy[i] * w * invstd;
      }
  }
};

// --- Row normalisation (LayerNorm, InstanceNorm): one index per row of N values. ----------------

// How the affine parameters apply: one per column (LayerNorm), one per channel (InstanceNorm:
// row r is channel r % Channels), or none.
enum class affine_mode { none, per_column, per_channel };

template <affine_mode Mode, std::size_t Channels>
CTNN_HOST_DEVICE constexpr std::size_t param_index(std::size_t row, std::size_t column) {
  return Mode == affine_mode::per_column ? column : row % Channels;
}

template <class T, std::size_t N, affine_mode Mode, std::size_t Channels>
struct RowNormForward {
  const T* x;
  T* y;
  const T* params;  // weight then bias, sized by the mode
  T* saved;         // mean and 1/std per row, or null
  double eps;
  CTNN_HOST_DEVICE void operator()(std::size_t r) const {
    using std::sqrt;
    const T* in = x + r * N;
    T mean(0), var(0);
    for (std::size_t j = 0; j < N; ++j) mean += in[j];
    mean = mean / T(N);
    for (std::size_t j = 0; j < N; ++j) var += (in[j] - mean) * (in[j] - mean);
    const T invstd = T(1) / sqrt(var / T(N) + T(eps));
    if (saved) saved[2 * r] = mean, saved[2 * r + 1] = invstd;
    constexpr std::size_t count = Mode == affine_mode::per_column ? N : Channels;
    for (std::size_t j = 0; j < N; ++j) {
      const T xhat = (in[j] - mean) * invstd;
      if constexpr (Mode == affine_mode::none) {
        y[r * N + j] = xhat;
      } else {
        const std::size_t k = param_index<Mode, Channels>(r, j);
        y[r * N + j] = xhat * params[k] + params[count + k];
      }
    }
  }
};

template <class T, std::size_t N, affine_mode Mode, std::size_t Channels>
struct RowNormBackwardInput {
  const T* x;
  const T* dy;
  T* dx;
  const T* params;
  const T* saved;
  CTNN_HOST_DEVICE void operator()(std::size_t r) const {
    const T mean = saved[2 * r], invstd = saved[2 * r + 1];
    T sum(0), sum_xhat(0);
    for (std::size_t j = 0; j < N; ++j) {
      const T g = dy[r * N + j] * weight(r, j);
      sum += g;
      sum_xhat += g * (x[r * N + j] - mean) * invstd;
    }
    for (std::size_t j = 0; j < N; ++j) {
      const T xhat = (x[r * N + j] - mean) * invstd;
      dx[r * N + j] = invstd / T(N) * (T(N) * dy[r * N + j] * weight(r, j) - sum - xhat * sum_xhat);
    }
  }
  CTNN_HOST_DEVICE T weight(std::size_t r, std::size_t j) const {
    if constexpr (Mode == affine_mode::none) {
      return T(1);
    } else {
      return params[param_index<Mode, Channels>(r, j)];
    }
  }
};

// One index per affine parameter k: sums over every (row, column) that uses it.
template <class T, std::size_t N, affine_mode Mode, std::size_t Channels>
struct RowNormBackwardParams {
  const T* x;
  const T* dy;
  T* grads;
  const T* saved;
  std::size_t rows;
  CTNN_HOST_DEVICE void operator()(std::size_t k) const {
    constexpr std::size_t count = Mode == affine_mode::per_column ? N : Channels;
    T dw(0), db(0);
    for (std::size_t r = 0; r < rows; ++r) {
      if (Mode == affine_mode::per_channel && r % Channels != k) continue;
      for (std::size_t j = 0; j < N; ++j) {
        if (Mode == affine_mode::per_column && j != k) continue;
        const T xhat = (x[r * N + j] - saved[2 * r]) * saved[2 * r + 1];
        dw += dy[r * N + j] * xhat;
        db += dy[r * N + j];
      }
    }
    grads[k] += dw;
    grads[count + k] += db;
  }
};

}  // namespace norm_kernels

namespace detail {

template <std::size_t Spatial, batchnorm_options O>
struct batchnorm_layer {
  template <class In>
  static constexpr std::size_t channels = dim_or<In>(0, 1);
  template <class In>
  static constexpr std::size_t plane = In::size / channels<In>;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = std::conditional_t<Spatial == 2, check::input_rank<At, From, In, 3>,
                                   check::input_rank_1_or_2<At, From, In>>;

  template <class In>
  static constexpr auto parameters = [] {
    if constexpr (O.affine) {
      return std::array{param_spec{"weight", 1, {channels<In>}},
                        param_spec{"bias", 1, {channels<In>}}};
    } else {
      return std::array<param_spec, 0>{};
    }
  }();
  template <class In>
  static constexpr std::array<param_spec, 3> buffers{param_spec{"running_mean", 1, {channels<In>}},
                                                     param_spec{"running_var", 1, {channels<In>}},
                                                     param_spec{"num_batches_tracked", 0, {}, false, true}};

  // weight 1, bias 0; running mean 0, running variance 1, no batches yet.
  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator&) {
    for (std::size_t c = 0; c < params.size(); ++c) params[c] = T(c < channels<In> ? 1 : 0);
  }
  template <class In, class T>
  static void reset_buffers(std::span<T> buffers) {
    for (std::size_t i = 0; i < buffers.size(); ++i)
      buffers[i] = T(i >= channels<In> && i < 2 * channels<In> ? 1 : 0);
  }

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    constexpr std::size_t C = channels<In>, Plane = plane<In>;
    if (a.training) {
      if (a.batch * Plane < 2)
        throw shape_error(
            "ctnn::BatchNorm: training needs more than 1 value per channel, got batch " +
            std::to_string(a.batch) + " of " + shape_name<In>());
      backend<P>::for_each(C,
                           norm_kernels::BatchNormTrain<T, C, Plane, O.affine>{
                               a.x, a.y, a.params, a.update_buffers, a.batch, O.eps, O.momentum});
    } else {
      backend<P>::for_each(a.batch * In::size, norm_kernels::BatchNormEval<T, C, Plane, O.affine>{
                                                   a.x, a.y, a.params, a.buffers, O.eps});
    }
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    constexpr std::size_t C = channels<In>, Plane = plane<In>;
    backend<P>::for_each(
        C, norm_kernels::BatchNormBackward<T, C, Plane, O.affine>{
               a.x, a.dy, a.dx, a.params, a.grads, a.buffers, a.batch, O.eps, a.training});
  }
};

// Rows of N values normalised on their own, with affine parameters applied by Mode.
template <class In, std::size_t N, norm_kernels::affine_mode Mode, std::size_t Channels, double Eps>
struct row_norm {
  static constexpr std::size_t rows_per_sample = In::size / N;

  template <class P, class T>
  static void forward(const layer_pass<T>& a) {
    backend<P>::for_each(
        a.batch * rows_per_sample,
        norm_kernels::RowNormForward<T, N, Mode, Channels>{a.x, a.y, a.params, a.saved, Eps});
  }

  template <class P, class T>
  static void backward(const layer_pass<T>& a) {
    const std::size_t rows = a.batch * rows_per_sample;
    if constexpr (Mode != norm_kernels::affine_mode::none) {
      constexpr std::size_t count = Mode == norm_kernels::affine_mode::per_column ? N : Channels;
      backend<P>::for_each(count, norm_kernels::RowNormBackwardParams<T, N, Mode, Channels>{
                                      a.x, a.dy, a.grads, a.saved, rows});
    }
    if (a.dx)
      backend<P>::for_each(rows, norm_kernels::RowNormBackwardInput<T, N, Mode, Channels>{
                                     a.x, a.dy, a.dx, a.params, a.saved});
  }
};

// LayerNorm and InstanceNorm: weight 1 and bias 0 to start, and passes run by Derived::rows<In>.
template <class Derived>
struct row_norm_layer {
  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator&) {
    for (std::size_t i = 0; i < params.size(); ++i) params[i] = T(i < params.size() / 2 ? 1 : 0);
  }
  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    Derived::template rows<In>::template forward<P>(a);
  }
  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    Derived::template rows<In>::template backward<P>(a);
  }
};

// The product of the last `axes` extents of S.
template <class S>
constexpr std::size_t trailing_size(std::size_t axes) {
  std::size_t n = 1;
  for (std::size_t i = 0; i < axes && i < S::rank; ++i) n *= S::dims[S::rank - 1 - i];
  return n;
}

}  // namespace detail

template <batchnorm_options O = batchnorm_options{}>
struct BatchNorm1d : detail::batchnorm_layer<1, O> {
  static constexpr std::string_view name = "BatchNorm1d";
};

template <batchnorm_options O = batchnorm_options{}>
struct BatchNorm2d : detail::batchnorm_layer<2, O> {
  static constexpr std::string_view name = "BatchNorm2d";
};

template <layernorm_options O = layernorm_options{}>
struct LayerNorm : detail::row_norm_layer<LayerNorm<O>> {
  static constexpr std::string_view name = "LayerNorm";
  static constexpr auto mode = O.elementwise_affine ? norm_kernels::affine_mode::per_column
                                                    : norm_kernels::affine_mode::none;
  template <class In>
  static constexpr std::size_t normalized = detail::trailing_size<In>(O.axes);
  template <class In>
  using rows = detail::row_norm<In, normalized<In>, mode, 1, O.eps>;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = check::normalized_axes<At, From, In, O.axes>;

  template <class In>
  static constexpr auto parameters = [] {
    if constexpr (O.elementwise_affine) {
      param_spec weight{"weight", O.axes, {}};
      for (std::size_t i = 0; i < O.axes && i < In::rank; ++i)
        weight.dims[i] = In::dims[In::rank - O.axes + i];
      param_spec bias = weight;
      bias.name = "bias";
      return std::array{weight, bias};
    } else {
      return std::array<param_spec, 0>{};
    }
  }();

  template <class In>
  static constexpr std::size_t saved_per_sample = 2 * (In::size / normalized<In>);
};

template <instancenorm_options O = instancenorm_options{}>
struct InstanceNorm2d : detail::row_norm_layer<InstanceNorm2d<O>> {
  static constexpr std::string_view name = "InstanceNorm2d";
  static constexpr auto mode =
      O.affine ? norm_kernels::affine_mode::per_channel : norm_kernels::affine_mode::none;
  template <class In>
  static constexpr std::size_t channels = dim_or<In>(0, 1);
  template <class In>
  using rows = detail::row_norm<In, In::size / channels<In>, mode, channels<In>, O.eps>;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = check::input_rank<At, From, In, 3>;

  template <class In>
  static constexpr auto parameters = [] {
    if constexpr (O.affine) {
      return std::array{param_spec{"weight", 1, {channels<In>}},
                        param_spec{"bias", 1, {channels<In>}}};
    } else {
      return std::array<param_spec, 0>{};
    }
  }();

  template <class In>
  static constexpr std::size_t saved_per_sample = 2 * channels<In>;
};

}  // namespace ctnn
