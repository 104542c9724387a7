// MSELoss: mean (or sum) of squared differences over every element of the batch, as
// torch.nn.MSELoss. value() is the loss; gradient() is dL/dprediction for backward.
#pragma once

#include <cstddef>
#include <string>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/loss/reduction.hpp"

namespace ctnn::loss {

namespace detail {
template <class T>
struct ScaledDifference {
  T scale;
  CTNN_HOST_DEVICE T operator()(T prediction, T target) const {
    return scale * (prediction - target);
  }
};

inline void check_batches(const char* api, std::size_t prediction, std::size_t target) {
  if (prediction != target)
    throw shape_error(std::string(api) + ": the prediction has batch " +
                      std::to_string(prediction) + " but the target has batch " +
                      std::to_string(target));
}
}  // namespace detail

struct MSELoss {
  Reduction reduction = Reduction::mean;

  template <class T, class S, class S2, class P>
  T value(const Tensor<T, S, P>& prediction, const Tensor<T, S2, P>& target) const {
    static_assert(check::loss_shapes_match<S, S2>::ok);
    detail::check_batches("ctnn::loss::MSELoss", prediction.batch(), target.batch());
    const T total = backend<P>::sum(prediction.size(), op::SquaredDifference{}, prediction.data(),
                                    target.data());
    return reduction == Reduction::mean ? total / T(prediction.size()) : total;
  }

  template <class T, class S, class S2, class P>
  Tensor<T, S, P> gradient(const Tensor<T, S, P>& prediction,
                           const Tensor<T, S2, P>& target) const {
    static_assert(check::loss_shapes_match<S, S2>::ok);
    detail::check_batches("ctnn::loss::MSELoss", prediction.batch(), target.batch());
    Tensor<T, S, P> grad(prediction.batch());
    const T scale = reduction == Reduction::mean ? T(2) / T(prediction.size()) : T(2);
    backend<P>::map(prediction.size(), detail::ScaledDifference<T>{scale}, grad.data(),
                    prediction.data(), target.data());
    return grad;
  }
};

}  // namespace ctnn::loss
