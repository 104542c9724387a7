// SGD over the network's flat parameter buffer: p -= lr * g, as torch.optim.SGD without momentum.
// An optimiser sees the buffers, never the layers.
#pragma once

#include <cstddef>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"

namespace ctnn::optim {

struct sgd_options {
  double lr = 1e-3;  // PyTorch's default
};

namespace detail {
template <class T>
struct SgdUpdate {
  T lr;
  CTNN_HOST_DEVICE T operator()(T p, T g) const { return p - lr * g; }
};
}  // namespace detail

template <class Net>
class SGD {
  using T = typename Net::value_type;
  using B = backend<typename Net::policy_type>;

 public:
  SGD(Net& net, sgd_options options) : net_(&net), options_(options) {}

  void step() {
    B::map(Net::parameter_count, detail::SgdUpdate<T>{T(options_.lr)}, net_->parameter_data(),
           net_->parameter_data(), net_->gradient_data());
  }
  void zero_grad() { net_->zero_grad(); }

  const sgd_options& options() const { return options_; }
  void set_lr(double lr) { options_.lr = lr; }

 private:
  Net* net_;
  sgd_options options_;
};

}  // namespace ctnn::optim
