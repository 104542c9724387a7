// Adagrad, RMSprop and Adadelta, as torch.optim (PyTorch 1.13's single-tensor forms).
//   Adagrad:  sum += g^2; p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(sum) + eps)
//   RMSprop:  sq = a sq + (1 - a) g^2; avg = sqrt(sq [- ga^2 when centered]) + eps;
//             p -= lr g / avg, or through a momentum buffer
//   Adadelta: sq = r sq + (1 - r) g^2; d = sqrt(acc + eps) / sqrt(sq + eps) g;
//             acc = r acc + (1 - r) d^2; p -= lr d
// All add weight_decay * p to the gradient first.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>

#include "ctnn/config.hpp"
#include "ctnn/optim/optimizer.hpp"

namespace ctnn::optim {

struct adagrad_options {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
};

struct adagrad_rule {
  using options = adagrad_options;
  static constexpr std::size_t states = 1;  // sum of squares
  static constexpr std::string_view name = "Adagrad";
  static constexpr std::array<std::string_view, states> state_names{"sum"};
  static double initial(const options& o, std::size_t) { return o.initial_accumulator_value; }
  static std::array<double, 2> constants(const options& o, std::uint64_t step) {
    return {o.lr / (1 + double(step - 1) * o.lr_decay), 0};
  }
  static constexpr bool simd = true;
  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void update(std::size_t i, T* p, const T* g, T* const* s,
                                      const options& o, const std::array<double, 2>& c, Lanes) {
    using std::sqrt;
    const auto param = Lanes::load(p + i);
    const auto grad = Lanes::load(g + i) + T(o.weight_decay) * param;
    const auto sum = Lanes::load(s[0] + i) + grad * grad;
    Lanes::store(s[0] + i, sum);
    Lanes::store(p + i, param - T(c[0]) * grad / (sqrt(sum) + T(o.eps)));
  }
};

struct rmsprop_options {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
};

struct rmsprop_rule {
  using options = rmsprop_options;
  static constexpr std::size_t states = 3;  // square average, gradient average, momentum buffer
  static constexpr std::string_view name = "RMSprop";
  static constexpr std::array<std::string_view, states> state_names{"square_avg", "grad_avg",
                                                                    "momentum_buffer"};
  static double initial(const options&, std::size_t) { return 0; }
  static std::array<double, 2> constants(const options&, std::uint64_t) { return {0, 0}; }
  static constexpr bool simd = true;
  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void update(std::size_t i, T* p, const T* g, T* const* s,
                                      const options& o, const std::array<double, 2>& /*constants*/,
                                      Lanes) {
    using std::sqrt;
    const auto param = Lanes::load(p + i);
    const auto grad = Lanes::load(g + i) + T(o.weight_decay) * param;
    const auto sq = Lanes::load(s[0] + i) * T(o.alpha) + grad * grad * T(1 - o.alpha);
    Lanes::store(s[0] + i, sq);
    auto variance = sq;  // centered: minus the square of the gradient's running mean
    if (o.centered) {
      const auto ga = Lanes::load(s[1] + i) * T(o.alpha) + grad * T(1 - o.alpha);
      Lanes::store(s[1] + i, ga);
      variance = sq - ga * ga;
    }
    const auto avg = sqrt(variance) + T(o.eps);
    if (o.momentum > 0) {
      const auto buf = Lanes::load(s[2] + i) * T(o.momentum) + grad / avg;
      Lanes::store(s[2] + i, buf);
      Lanes::store(p + i, param - T(o.lr) * buf);
    } else {
      Lanes::store(p + i, param - T(o.lr) * grad / avg);
    }
  }
};

struct adadelta_options {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0;
};

struct adadelta_rule {
  using options = adadelta_options;
  static constexpr std::size_t states = 2;  // square average, accumulated update
  static constexpr std::string_view name = "Adadelta";
  static constexpr std::array<std::string_view, states> state_names{"square_avg", "acc_delta"};
  static double initial(const options&, std::size_t) { return 0; }
  static std::array<double, 2> constants(const options&, std::uint64_t) { return {0, 0}; }
  static constexpr bool simd = true;
  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void update(std::size_t i, T* p, const T* g, T* const* s,
                                      const options& o, const std::array<double, 2>& /*constants*/,
                                      Lanes) {
    using std::sqrt;
    const auto param = Lanes::load(p + i);
    const auto grad = Lanes::load(g + i) + T(o.weight_decay) * param;
    const auto sq = Lanes::load(s[0] + i) * T(o.rho) + grad * grad * T(1 - o.rho);
    const auto acc = Lanes::load(s[1] + i);
    const auto delta = sqrt(acc + T(o.eps)) / sqrt(sq + T(o.eps)) * grad;
    Lanes::store(s[0] + i, sq);
    Lanes::store(s[1] + i, acc * T(o.rho) + delta * delta * T(1 - o.rho));
    Lanes::store(p + i, param - T(o.lr) * delta);
  }
};

template <class Net>
struct Adagrad : elementwise_optimizer<Net, adagrad_rule> {
  using elementwise_optimizer<Net, adagrad_rule>::elementwise_optimizer;
};
template <class Net>
Adagrad(Net&, adagrad_options) -> Adagrad<Net>;

template <class Net>
struct RMSprop : elementwise_optimizer<Net, rmsprop_rule> {
  using elementwise_optimizer<Net, rmsprop_rule>::elementwise_optimizer;
};
template <class Net>
RMSprop(Net&, rmsprop_options) -> RMSprop<Net>;

template <class Net>
struct Adadelta : elementwise_optimizer<Net, adadelta_rule> {
  using elementwise_optimizer<Net, adadelta_rule>::elementwise_optimizer;
};
template <class Net>
Adadelta(Net&, adadelta_options) -> Adadelta<Net>;

}  // namespace ctnn::optim
