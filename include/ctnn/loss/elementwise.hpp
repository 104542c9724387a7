// Losses that are a sum of one term per element, f(prediction, target): MSELoss, L1Loss,
// HuberLoss, BCELoss, BCEWithLogitsLoss, as torch.nn. Each term is an op written once; its
// derivative with respect to the prediction comes from dual numbers.
//   value(p, t)        the reduced loss (mean or sum)
//   elementwise(p, t)  every term (PyTorch's reduction='none')
//   gradient(p, t)     dL/dp for the reduction (for 'none': of the sum of the terms)
#pragma once

#include <cmath>
#include <cstddef>
#include <string>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/dual.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/loss/reduction.hpp"

namespace ctnn::loss {

namespace terms {

struct Squared {
  template <class T, class U>
  CTNN_HOST_DEVICE T operator()(T p, U t) const {
    return (p - t) * (p - t);
  }
};

// |p - t| with derivative 0 at 0, as torch.sign.
struct Absolute {
  template <class T, class U>
  CTNN_HOST_DEVICE T operator()(T p, U t) const {
    const T d = p - t;
    return d > T(0) ? d : (d < T(0) ? -d : d * T(0));
  }
};

// 0.5 d^2 for |d| <= delta, delta (|d| - 0.5 delta) beyond.
struct Huber {
  double delta = 1.0;
  template <class T, class U>
  CTNN_HOST_DEVICE T operator()(T p, U t) const {
    const T d = p - t;
    const T a = d < T(0) ? -d : d;
    return a <= T(delta) ? T(0.5) * d * d : T(delta) * (a - T(0.5 * delta));
  }
};

// -(t log p + (1 - t) log(1 - p)), each log clamped at -100 as PyTorch does.
struct BinaryCrossEntropy {
  template <class T, class U>
  CTNN_HOST_DEVICE T operator()(T p, U t) const {
    using std::log;
    T lp = p > T(0) ? log(p) : T(-100);
    T lq = p < T(1) ? log(T(1) - p) : T(-100);
    if (lp < T(-100)) lp = T(-100);
    if (lq < T(-100)) lq = T(-100);
    return -(T(t) * lp + (T(1) - T(t)) * lq);
  }
};

// max(x, 0) - x t + log(1 + exp(-|x|)): stable for any logit. The kinks of max and |x| at 0 take
// the same side, so the dual derivative is sigmoid(x) - t everywhere.
struct BinaryCrossEntropyWithLogits {
  template <class T, class U>
  CTNN_HOST_DEVICE T operator()(T x, U t) const {
    using std::exp;
    using std::log1p;
    const T positive = x >= T(0) ? x : x * T(0);
    const T magnitude = x >= T(0) ? x : -x;
    return positive - x * T(t) + log1p(exp(-magnitude));
  }
};

template <class Term>
struct Value {
  Term term;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T p, T t) const {
    return term(p, t);
  }
};

// scale * d term(p, t) / dp, by forward-mode differentiation.
template <class Term, class T>
struct Gradient {
  Term term;
  T scale;
  CTNN_HOST_DEVICE T operator()(T p, T t) const {
    return scale * term(Dual<T, 1>::variable(p), t).grad[0];
  }
};

}  // namespace terms

namespace detail {
inline void check_batches(const char* api, std::size_t prediction, std::size_t target) {
  if (prediction != target)
    throw shape_error(std::string(api) + ": the prediction has batch " +
                      std::to_string(prediction) + " but the target has batch " +
                      std::to_string(target));
}
}  // namespace detail

template <class Term>
struct ElementwiseLoss {
  Reduction reduction = Reduction::mean;
  Term term{};

  template <class T, class S, class S2, class P>
  T value(const Tensor<T, S, P>& prediction, const Tensor<T, S2, P>& target) const {
    check<S, S2>(prediction, target);
    const T total = backend<P>::sum(prediction.size(), terms::Value<Term>{term}, prediction.data(),
                                    target.data());
    return reduction == Reduction::mean ? total / T(prediction.size()) : total;
  }

  template <class T, class S, class S2, class P>
  Tensor<T, S, P> elementwise(const Tensor<T, S, P>& prediction,
                              const Tensor<T, S2, P>& target) const {
    check<S, S2>(prediction, target);
    Tensor<T, S, P> out(prediction.batch());
    backend<P>::map(prediction.size(), terms::Value<Term>{term}, out.data(), prediction.data(),
                    target.data());
    return out;
  }

  template <class T, class S, class S2, class P>
  Tensor<T, S, P> gradient(const Tensor<T, S, P>& prediction,
                           const Tensor<T, S2, P>& target) const {
    check<S, S2>(prediction, target);
    Tensor<T, S, P> grad(prediction.batch());
    const T scale = reduction == Reduction::mean ? T(1) / T(prediction.size()) : T(1);
    backend<P>::map(prediction.size(), terms::Gradient<Term, T>{term, scale}, grad.data(),
                    prediction.data(), target.data());
    return grad;
  }

 private:
  template <class S, class S2, class A, class B>
  static void check(const A& prediction, const B& target) {
    static_assert(check::loss_shapes_match<S, S2>::ok);
    detail::check_batches("ctnn::loss", prediction.batch(), target.batch());
  }
};

using MSELoss = ElementwiseLoss<terms::Squared>;
using L1Loss = ElementwiseLoss<terms::Absolute>;
using HuberLoss = ElementwiseLoss<terms::Huber>;
using BCELoss = ElementwiseLoss<terms::BinaryCrossEntropy>;
using BCEWithLogitsLoss = ElementwiseLoss<terms::BinaryCrossEntropyWithLogits>;

}  // namespace ctnn::loss
