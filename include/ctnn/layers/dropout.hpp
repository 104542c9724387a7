// Dropout<P>, as torch.nn.Dropout(p): in training mode each element is zeroed with probability P
// and the others are scaled by 1 / (1 - P) (inverted dropout); in eval mode, and in inference, it
// passes the input through. The mask comes from counter-based randomness (hash of the network's
// seed, the forward count and the element index), so it is the same on every backend and in any
// order of evaluation; the training forward keeps it for backward.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

namespace dropout_kernels {
template <class T>
struct Forward {
  const T* x;
  T* y;
  T* mask;  // may be null in a forward that keeps nothing
  std::uint64_t seed;
  double p;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const bool keep = hash_uniform(seed, i) >= p;
    const T m = keep ? T(1.0 / (1.0 - p)) : T(0);
    if (mask) mask[i] = m;
    y[i] = x[i] * m;
  }
};
}  // namespace dropout_kernels

template <float P = 0.5f>
struct Dropout : no_parameters {
  static_assert(check::dropout_probability<(P >= 0.0f && P <= 1.0f)>::ok);
  static constexpr std::string_view name = "Dropout";
  static constexpr double probability = P;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = check::any_input<At, From, In>;

  template <class In>
  static constexpr std::size_t saved_per_sample = In::size;  // the mask

  template <class In, class B_, class T>
  static void forward(const layer_pass<T>& a) {
    const std::size_t n = a.batch * In::size;
    if (!a.training || P == 0.0f) {
      backend<B_>::copy(a.x, n, a.y);
      if (a.saved) backend<B_>::fill(a.saved, n, T(1));
      return;
    }
    backend<B_>::for_each(n, dropout_kernels::Forward<T>{a.x, a.y, a.saved, a.seed, probability});
  }

  template <class In, class B_, class T>
  static void backward(const layer_pass<T>& a) {
    if (a.dx) backend<B_>::map(a.batch * In::size, op::Multiply{}, a.dx, a.dy, a.saved);
  }
};

}  // namespace ctnn
