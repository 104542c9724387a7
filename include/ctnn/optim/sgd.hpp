// SGD, as torch.optim.SGD: weight decay, momentum (the buffer starts as the first gradient),
// dampening and Nesterov momentum.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "ctnn/config.hpp"
#include "ctnn/optim/optimizer.hpp"

namespace ctnn::optim {

struct sgd_options {
  double lr = 1e-3;  // PyTorch 2's default
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
};

struct sgd_rule {
  using options = sgd_options;
  static constexpr std::size_t states = 1;  // momentum buffer
  static constexpr std::string_view name = "SGD";
  static constexpr std::array<std::string_view, states> state_names{"momentum_buffer"};
  static double initial(const options&, std::size_t) { return 0; }
  // c[0] is 1 on the first step, when the momentum buffer starts as the gradient.
  static std::array<double, 2> constants(const options&, std::uint64_t step) {
    return {step == 1 ? 1.0 : 0.0, 0};
  }

  static constexpr bool simd = true;
  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void update(std::size_t i, T* p, const T* g, T* const* s,
                                      const options& o, const std::array<double, 2>& c, Lanes) {
    const auto param = Lanes::load(p + i);
    auto grad = Lanes::load(g + i) + T(o.weight_decay) * param;
    if (o.momentum != 0) {
      const auto buf = c[0] != 0 ? grad
                                 : T(o.momentum) * Lanes::load(s[0] + i) + T(1 - o.dampening) * grad;
      Lanes::store(s[0] + i, buf);
      grad = o.nesterov ? grad + T(o.momentum) * buf : buf;
    }
    Lanes::store(p + i, param - T(o.lr) * grad);
  }
};

template <class Net>
struct SGD : elementwise_optimizer<Net, sgd_rule> {
  using elementwise_optimizer<Net, sgd_rule>::elementwise_optimizer;
};
template <class Net>
SGD(Net&, sgd_options) -> SGD<Net>;

}  // namespace ctnn::optim
