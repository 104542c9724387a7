// Mean<Dim>: the mean over one feature axis, as x.mean(dim = Dim + 1) in PyTorch (the batch is not
// counted). Over the sequence axis of an Embedding's (L, E) output it gives one E-vector per
// sample: the "average pooling over the sequence" of a bag-of-embeddings classifier. A rank-1 input
// gives Shape<1>.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

namespace reduce_kernels {

// Output element r of Outer x Inner: the mean of N inputs `Inner` apart.
template <class T, std::size_t N, std::size_t Inner>
struct MeanForward {
  const T* x;
  T* y;
  CTNN_HOST_DEVICE void operator()(std::size_t r) const {
    const T* start = x + (r / Inner) * N * Inner + r % Inner;
    T sum(0);
    for (std::size_t k = 0; k < N; ++k) sum += start[k * Inner];
    y[r] = sum / T(N);
  }
};

template <class T, std::size_t N, std::size_t Inner>
struct MeanBackward {
  const T* dy;
  T* dx;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t inner = i % Inner, outer = i / (N * Inner);
    dx[i] = dy[outer * Inner + inner] / T(N);
  }
};

}  // namespace reduce_kernels

namespace detail {
template <class In, std::size_t Dim>
constexpr auto dims_without() {
  if constexpr (Dim >= In::rank || In::rank == 1) {
    return std::array<std::size_t, 1>{Dim >= In::rank ? In::size : 1};
  } else {
    std::array<std::size_t, In::rank - 1> out{};
    for (std::size_t i = 0, o = 0; i < In::rank; ++i)
      if (i != Dim) out[o++] = In::dims[i];
    return out;
  }
}
}  // namespace detail

template <std::size_t Dim>
struct Mean : no_parameters {
  static constexpr std::string_view name = "Mean";

  template <class In>
  using output_shape = shape_from<detail::dims_without<In, Dim>()>;

  template <class At, class From, class In>
  using check = check::reduce_axis<At, From, In, Dim>;

  template <class In>
  static constexpr std::size_t reduced = In::dims[Dim < In::rank ? Dim : 0];
  template <class In>
  static constexpr std::size_t inner = [] {
    std::size_t n = 1;
    for (std::size_t i = Dim + 1; i < In::rank; ++i) n *= In::dims[i];
    return n;
  }();

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    constexpr std::size_t N = reduced<In>, Inner = inner<In>;
    backend<P>::for_each(a.batch * (In::size / N),
                         reduce_kernels::MeanForward<T, N, Inner>{a.x, a.y});
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    constexpr std::size_t N = reduced<In>, Inner = inner<In>;
    if (a.dx)
      backend<P>::for_each(a.batch * In::size, reduce_kernels::MeanBackward<T, N, Inner>{a.dy, a.dx});
  }
};

}  // namespace ctnn
