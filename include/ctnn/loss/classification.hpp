// Losses over class indices, as torch.nn: the prediction is (C) per sample, the target one class
// index per sample, Shape<1>, carried in the element type.
//   CrossEntropyLoss  on logits: log-sum-exp minus the target's logit, stable; label_smoothing
//                     mixes the one-hot target with the uniform distribution, as PyTorch
//   NLLLoss           on log-probabilities (after LogSoftmax): minus the target's entry
// A class index that is not a whole number in [0, C) raises index_error naming it. value() is the
// mean or sum over samples; elementwise() the per-sample losses; gradient() dL/dprediction.
#pragma once

#include <cmath>
#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/dual.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/loss/elementwise.hpp"
#include "ctnn/loss/reduction.hpp"

namespace ctnn::loss {

namespace class_kernels {

template <class T, std::size_t C, bool Logits>
struct Terms {
  const T* x;
  const T* classes;
  T* out;
  double smoothing;
  CTNN_HOST_DEVICE void operator()(std::size_t b) const {
    using std::exp;
    using std::log;
    const T* row = x + b * C;
    const std::size_t k = static_cast<std::size_t>(primal(classes[b]));
    if constexpr (!Logits) {
      out[b] = -row[k];
    } else {
      T m = row[0], mean = row[0];
      for (std::size_t c = 1; c < C; ++c) {
        if (primal(row[c]) > primal(m)) m = row[c];
        mean += row[c];
      }
      T sum(0);
      for (std::size_t c = 0; c < C; ++c) sum += exp(row[c] - m);
      const T lse = m + log(sum);
      out[b] = T(1 - smoothing) * (lse - row[k]) + T(smoothing) * (lse - mean / T(C));
    }
  }
};

// One sample's gradient row: scale (softmax(x) - smoothed one-hot), or -scale at the target.
template <class T, std::size_t C, bool Logits>
struct Gradient {
  const T* x;
  const T* classes;
  T* grad;
  T scale;
  double smoothing;
  CTNN_HOST_DEVICE void operator()(std::size_t b) const {
    using std::exp;
    const T* row = x + b * C;
    T* g = grad + b * C;
    const std::size_t k = static_cast<std::size_t>(primal(classes[b]));
    if constexpr (!Logits) {
      for (std::size_t c = 0; c < C; ++c) g[c] = c == k ? -scale : T(0);
    } else {
      T m = row[0];
      for (std::size_t c = 1; c < C; ++c)
        if (primal(row[c]) > primal(m)) m = row[c];
      T sum(0);
      for (std::size_t c = 0; c < C; ++c) sum += exp(row[c] - m);
      for (std::size_t c = 0; c < C; ++c) {
        const T target = T(smoothing / double(C)) + (c == k ? T(1 - smoothing) : T(0));
        g[c] = scale * (exp(row[c] - m) / sum - target);
      }
    }
  }
};

}  // namespace class_kernels

template <bool Logits>
struct ClassIndexLoss {
  Reduction reduction = Reduction::mean;
  double label_smoothing = 0.0;  // CrossEntropyLoss only

  template <class T, std::size_t C, class P>
  Tensor<T, Shape<1>, P> elementwise(const Tensor<T, Shape<C>, P>& prediction,
                                     const Tensor<T, Shape<1>, P>& classes) const {
    check<C>(prediction.batch(), classes);
    Tensor<T, Shape<1>, P> out(prediction.batch());
    backend<P>::for_each(prediction.batch(),
                         class_kernels::Terms<T, C, Logits>{prediction.data(), classes.data(),
                                                            out.data(), label_smoothing});
    return out;
  }

  template <class T, std::size_t C, class P>
  T value(const Tensor<T, Shape<C>, P>& prediction, const Tensor<T, Shape<1>, P>& classes) const {
    const auto terms = elementwise(prediction, classes);
    const T total = backend<P>::sum(terms.size(), op::Identity{}, terms.data());
    return reduction == Reduction::mean ? total / T(prediction.batch()) : total;
  }

  template <class T, std::size_t C, class P>
  Tensor<T, Shape<C>, P> gradient(const Tensor<T, Shape<C>, P>& prediction,
                                  const Tensor<T, Shape<1>, P>& classes) const {
    check<C>(prediction.batch(), classes);
    Tensor<T, Shape<C>, P> grad(prediction.batch());
    const T scale = reduction == Reduction::mean ? T(1) / T(prediction.batch()) : T(1);
    backend<P>::for_each(prediction.batch(), class_kernels::Gradient<T, C, Logits>{
                                                 prediction.data(), classes.data(), grad.data(),
                                                 scale, label_smoothing});
    return grad;
  }

 private:
  template <std::size_t C, class T, class P>
  static void check(std::size_t batch, const Tensor<T, Shape<1>, P>& classes) {
    detail::check_batches(api(), batch, classes.batch());
    if (primal(backend<P>::sum(classes.size(), op::NotAnIndexBelow<C>{}, classes.data())) == 0)
      return;
    const auto host = classes.to_host();
    for (std::size_t b = 0; b < host.size(); ++b)
      if (primal(op::NotAnIndexBelow<C>{}(host[b])) != 0) {
        std::ostringstream id;
        id << primal(host[b]);
        throw index_error(
            std::string(api()) + ": class index " + id.str() + " of sample " + std::to_string(b) +
            " is not a class; indices must be whole numbers in [0, " + std::to_string(C) + ")");
      }
  }
  static const char* api() {
    return Logits ? "ctnn::loss::CrossEntropyLoss" : "ctnn::loss::NLLLoss";
  }
};

using CrossEntropyLoss = ClassIndexLoss<true>;
using NLLLoss = ClassIndexLoss<false>;

}  // namespace ctnn::loss
