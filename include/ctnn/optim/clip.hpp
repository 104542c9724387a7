// clip_grad_norm, as torch.nn.utils.clip_grad_norm_ (2-norm): scales every gradient of the network
// by max_norm / (total_norm + 1e-6) when that is below 1, and returns the total norm before
// clipping. A norm that is not finite throws numeric_error and leaves the gradients as they were.
#pragma once

#include <cmath>
#include <string>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/errors.hpp"

namespace ctnn::optim {

namespace clip_kernels {
struct Square {
  template <class T>
  CTNN_HOST_DEVICE T operator()(T g) const {
    return g * g;
  }
};
template <class T>
struct Scale {
  T factor;
  CTNN_HOST_DEVICE T operator()(T g) const { return g * factor; }
};
}  // namespace clip_kernels

template <class Net>
double clip_grad_norm(Net& net, double max_norm) {
  using T = typename Net::value_type;
  using B = backend<typename Net::policy_type>;
  const double total =
      std::sqrt(double(B::sum(Net::parameter_count, clip_kernels::Square{}, net.gradient_data())));
  if (!std::isfinite(total))
    throw numeric_error("ctnn::optim::clip_grad_norm: the gradient norm is " +
                        std::to_string(total) + "; the gradients were left as they were");
  const double coefficient = max_norm / (total + 1e-6);
  if (coefficient < 1)
    B::map(Net::parameter_count, clip_kernels::Scale<T>{T(coefficient)}, net.gradient_data(),
           net.gradient_data());
  return total;
}

}  // namespace ctnn::optim
