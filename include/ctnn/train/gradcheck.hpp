// gradcheck: checks a network's reverse pass against forward-mode dual numbers. For random
// directions v (over the parameters and the input) and a random output cotangent u it compares
//   <u, J v>   from evaluating the whole network on Dual<T, N> with tangents v, and
//   <J^T u, v> from backward(u),
// which must agree for a correct backward. N directions are checked per evaluation.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ctnn/core/dual.hpp"
#include "ctnn/core/random.hpp"

namespace ctnn {

struct gradcheck_result {
  double max_relative_error = 0;
  std::size_t directions = 0;
  std::vector<double> reverse;  // <J^T u, v> per direction
  std::vector<double> forward;  // <u, J v> per direction
  bool passed = false;
  std::string report() const {
    std::string s = "gradcheck: max relative error " + std::to_string(max_relative_error) +
                    " over " + std::to_string(directions) + " directions";
    for (std::size_t k = 0; k < directions; ++k)
      s += "\n  direction " + std::to_string(k) + ": reverse " + std::to_string(reverse[k]) +
           ", dual " + std::to_string(forward[k]);
    return s;
  }
};

template <std::size_t N = 4, class Net>
gradcheck_result gradcheck(const Net& net, const typename Net::input_tensor& x,
                           double tolerance = 1e-6, std::uint64_t seed = 1) {
  using T = typename Net::value_type;
  using P = typename Net::policy_type;
  using D = Dual<T, N>;
  using DualNet = typename Net::template rebind<D, P>;
  using DualInput = typename DualNet::input_tensor;
  using Out = typename Net::output_tensor;

  Generator rng(seed);
  const std::vector<T> theta = net.parameters();
  const std::vector<T> x_host = x.to_host();
  const std::size_t out_size = x.batch() * Net::output_shape::size;
  std::vector<T> u(out_size);
  for (auto& e : u) e = T(rng.uniform(-1, 1));
  std::vector<std::vector<T>> v_theta(N, std::vector<T>(theta.size()));
  std::vector<std::vector<T>> v_x(N, std::vector<T>(x_host.size()));
  for (std::size_t k = 0; k < N; ++k) {
    for (auto& e : v_theta[k]) e = T(rng.uniform(-1, 1));
    for (auto& e : v_x[k]) e = T(rng.uniform(-1, 1));
  }

  // Reverse mode on a copy, so the caller's gradients stay as they were.
  Net work = net;
  work.zero_grad();
  const auto random = work.get_random_state();  // the dual pass draws the same Dropout masks
  work.forward(x);
  typename Net::input_tensor dx;
  work.backward(Out(x.batch(), std::span<const T>(u)), dx);
  const std::vector<T> g_theta = work.gradients();
  const std::vector<T> g_x = dx.to_host();

  // Forward mode: the same parameters and input, seeded with the directions as tangents.
  DualNet dual_net;
  dual_net.set_random_state({random.seed, random.forward_count});
  dual_net.train(work.is_training());
  std::vector<D> theta_d(theta.size());
  for (std::size_t i = 0; i < theta.size(); ++i) {
    theta_d[i] = D(theta[i]);
    for (std::size_t k = 0; k < N; ++k) theta_d[i].grad[k] = v_theta[k][i];
  }
  dual_net.set_parameters(theta_d);
  const std::vector<T> buffers = work.buffers();  // running statistics, as constants
  dual_net.set_buffers(std::vector<D>(buffers.begin(), buffers.end()));
  std::vector<D> x_d(x_host.size());
  for (std::size_t i = 0; i < x_host.size(); ++i) {
    x_d[i] = D(x_host[i]);
    for (std::size_t k = 0; k < N; ++k) x_d[i].grad[k] = v_x[k][i];
  }
  const std::vector<D> y_d =
      dual_net.forward(DualInput(x.batch(), std::span<const D>(x_d))).to_host();

  gradcheck_result result;
  result.directions = N;
  result.passed = true;
  for (std::size_t k = 0; k < N; ++k) {
    double reverse = 0, forward = 0;
    for (std::size_t i = 0; i < theta.size(); ++i)
      reverse += double(g_theta[i]) * double(v_theta[k][i]);
    for (std::size_t i = 0; i < g_x.size(); ++i) reverse += double(g_x[i]) * double(v_x[k][i]);
    for (std::size_t i = 0; i < out_size; ++i) forward += double(u[i]) * double(y_d[i].grad[k]);
    const double scale = std::max({std::abs(reverse), std::abs(forward), 1e-12});
    const double err = std::abs(reverse - forward) / scale;
    result.reverse.push_back(reverse);
    result.forward.push_back(forward);
    result.max_relative_error = std::max(result.max_relative_error, err);
    if (!(err <= tolerance)) result.passed = false;
  }
  return result;
}

}  // namespace ctnn
