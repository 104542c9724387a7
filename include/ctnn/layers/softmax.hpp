// Softmax and LogSoftmax over the first feature axis, as torch.nn.Softmax(dim=1) and
// LogSoftmax(dim=1): the features of a rank-1 input, the channels of an image. Numerically stable
// (the maximum is subtracted first). Not elementwise, so their backward is written out:
//   softmax:     dx = y * (dy - sum(dy * y))
//   log-softmax: dx = dy - exp(y) * sum(dy)
// and gradcheck verifies both against dual numbers.
#pragma once

#include <cmath>
#include <cstddef>
#include <string_view>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/dual.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

namespace softmax_kernels {

// One row: N values `Stride` apart, starting at sample b and inner position j.
template <std::size_t N, std::size_t Inner>
CTNN_HOST_DEVICE constexpr std::size_t row_start(std::size_t r) {
  return (r / Inner) * N * Inner + r % Inner;
}

template <class T, std::size_t N, std::size_t Inner, bool Log>
struct Forward {
  const T* x;
  T* y;
  CTNN_HOST_DEVICE void operator()(std::size_t r) const {
    using std::exp;
    using std::log;
    const std::size_t s = row_start<N, Inner>(r);
    T m = x[s];
    for (std::size_t k = 1; k < N; ++k)
      if (primal(x[s + k * Inner]) > primal(m)) m = x[s + k * Inner];
    T sum(0);
    for (std::size_t k = 0; k < N; ++k) sum += exp(x[s + k * Inner] - m);
    if constexpr (Log) {
      const T log_sum = log(sum);
      for (std::size_t k = 0; k < N; ++k) y[s + k * Inner] = x[s + k * Inner] - m - log_sum;
    } else {
      for (std::size_t k = 0; k < N; ++k) y[s + k * Inner] = exp(x[s + k * Inner] - m) / sum;
    }
  }
};

template <class T, std::size_t N, std::size_t Inner, bool Log>
struct Backward {
  const T* y;
  const T* dy;
  T* dx;
  CTNN_HOST_DEVICE void operator()(std::size_t r) const {
    using std::exp;
    const std::size_t s = row_start<N, Inner>(r);
    T dot(0);
    for (std::size_t k = 0; k < N; ++k)
      dot += Log ? dy[s + k * Inner] : dy[s + k * Inner] * y[s + k * Inner];
    for (std::size_t k = 0; k < N; ++k) {
      const std::size_t i = s + k * Inner;
      dx[i] = Log ? dy[i] - exp(y[i]) * dot : y[i] * (dy[i] - dot);
    }
  }
};

}  // namespace softmax_kernels

namespace detail {
template <bool Log>
struct softmax_layer : no_parameters {
  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = check::any_input<At, From, In>;

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    constexpr std::size_t N = In::dims[0], Inner = In::size / N;
    backend<P>::for_each(a.batch * Inner, softmax_kernels::Forward<T, N, Inner, Log>{a.x, a.y});
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    constexpr std::size_t N = In::dims[0], Inner = In::size / N;
    if (a.dx)
      backend<P>::for_each(a.batch * Inner,
                           softmax_kernels::Backward<T, N, Inner, Log>{a.y, a.dy, a.dx});
  }
};
}  // namespace detail

struct Softmax : detail::softmax_layer<false> {
  static constexpr std::string_view name = "Softmax";
};

struct LogSoftmax : detail::softmax_layer<true> {
  static constexpr std::string_view name = "LogSoftmax";
};

}  // namespace ctnn
