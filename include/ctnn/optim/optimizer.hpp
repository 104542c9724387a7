// The machinery shared by the optimisers: each works on the network's flat parameter and gradient
// buffers (never on layers), keeps up to three state vectors of the same size in the backend's
// memory, and updates every element in one for_each with a functor from its Rule:
//   Rule::options                          the hyper-parameters, PyTorch's names and defaults
//   Rule::states, Rule::initial(o, k)      how many state vectors, and their start value
//   Rule::constants(o, step)               per-step values computed once on the host
//   Rule::update(i, p, g, s, o, c, lanes)  CTNN_HOST_DEVICE update of element i, reading and
//                                          writing memory through Lanes (core/lanes.hpp)
//   Rule::simd                             optional: the update is written for SIMD batches too,
//                                          so a backend may update a register of elements at once
//   Rule::name, Rule::state_names          PyTorch's class name and state keys, for checkpoints
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/lanes.hpp"

namespace ctnn::optim {

// Runs Rule::update for element first + i: the functor that for_each carries to every backend.
template <class Rule, class T>
struct update_kernel {
  using value_type = T;
  static constexpr bool simd = requires { requires Rule::simd; };
  T* p;
  const T* g;
  T* s[3];
  typename Rule::options o;
  std::array<double, 2> c;
  std::size_t first;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { (*this)(i, scalar_lanes{}); }
  template <class Lanes>
  CTNN_HOST_DEVICE void operator()(std::size_t i, Lanes lanes) const {
    Rule::update(first + i, p, g, s, o, c, lanes);
  }
};

template <class Net, class Rule>
class elementwise_optimizer {
  using T = typename Net::value_type;
  using B = backend<typename Net::policy_type>;
  using vector_type = typename B::template vector<T>;

 public:
  using options_type = typename Rule::options;

  elementwise_optimizer(Net& net, options_type options) : net_(&net), options_(options) {
    for (std::size_t k = 0; k < Rule::states; ++k) {
      state_[k] = B::template allocate<T>(Net::parameter_count);
      B::fill(B::data(state_[k]), Net::parameter_count, T(Rule::initial(options_, k)));
    }
  }

  // Updates the trainable parameters; frozen ones and constants keep their values and state.
  void step() {
    ++steps_;
    T* s[3] = {nullptr, nullptr, nullptr};
    for (std::size_t k = 0; k < Rule::states; ++k) s[k] = B::data(state_[k]);
    const auto constants = Rule::constants(options_, steps_);
    for (const auto& range : net_->trainable_ranges())
      B::for_each(range.size, update_kernel<Rule, T>{net_->parameter_data(),
                                                     net_->gradient_data(),
                                                     {s[0], s[1], s[2]},
                                                     options_,
                                                     constants,
                                                     range.offset});
  }

  void zero_grad() { net_->zero_grad(); }

  double lr() const { return options_.lr; }
  void set_lr(double lr) { options_.lr = lr; }
  const options_type& options() const { return options_; }
  std::uint64_t steps() const { return steps_; }

  static constexpr std::string_view name = Rule::name;
  static constexpr std::size_t state_count = Rule::states;
  static constexpr auto state_names = Rule::state_names;

  // State vector k on the host (momentum buffers, moment estimates), for inspection and saving.
  std::vector<T> state(std::size_t k) const {
    std::vector<T> host(Net::parameter_count);
    B::copy_to_host(B::data(state_[k]), host.size(), host.data());
    return host;
  }
  // Restores state vector k and the step count (loading a checkpoint).
  void set_state(std::size_t k, std::span<const T> values) {
    if (k >= Rule::states || values.size() != Net::parameter_count)
      throw shape_error("ctnn::optim::set_state: state " + std::to_string(k) + " with " +
                        std::to_string(values.size()) + " values; the optimiser has " +
                        std::to_string(Rule::states) + " states of " +
                        std::to_string(Net::parameter_count));
    B::copy_from_host(values.data(), values.size(), B::data(state_[k]));
  }
  void set_steps(std::uint64_t steps) { steps_ = steps; }

 private:
  Net* net_;
  options_type options_;
  std::array<vector_type, Rule::states> state_{};
  std::uint64_t steps_ = 0;
};

}  // namespace ctnn::optim
