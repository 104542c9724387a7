// Initialisers, as torch.nn.init, applied to one parameter of a network by its PyTorch name:
//   uniform, normal, constant, zeros, ones, xavier_uniform, xavier_normal, kaiming_uniform,
//   kaiming_normal
// Fans follow PyTorch's _calculate_fan_in_and_fan_out (dims[1] and dims[0] times the receptive
// field), gains its calculate_gain. apply(net, f) calls f(net, info) for every parameter, as
// net.apply(init_fn). Values come from a ctnn::Generator, so a seed makes them reproducible.
#pragma once

#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "ctnn/core/errors.hpp"
#include "ctnn/core/random.hpp"

namespace ctnn::init {

enum class nonlinearity { linear, conv, sigmoid, tanh, relu, leaky_relu };
enum class fan_mode { fan_in, fan_out };

inline double calculate_gain(nonlinearity f, double negative_slope = 0.01) {
  switch (f) {
    case nonlinearity::tanh:
      return 5.0 / 3;
    case nonlinearity::relu:
      return std::sqrt(2.0);
    case nonlinearity::leaky_relu:
      return std::sqrt(2.0 / (1 + negative_slope * negative_slope));
    default:
      return 1.0;
  }
}

struct fans {
  double in, out;
};

inline fans compute_fans(const std::string& name, const std::vector<std::size_t>& dims) {
  if (dims.size() < 2)
    throw shape_error("ctnn::init: fan in and fan out need at least 2 dimensions, \"" + name +
                      "\" has " + std::to_string(dims.size()));
  double receptive = 1;
  for (std::size_t i = 2; i < dims.size(); ++i) receptive *= double(dims[i]);
  return {double(dims[1]) * receptive, double(dims[0]) * receptive};
}

namespace detail {
template <class Net, class Fill>
void fill(Net& net, std::string_view name, Fill fill) {
  auto values = net.parameter(name);  // throws index_error for an unknown name
  for (const auto& info : Net::named_parameters())
    if (info.name == name) {
      for (auto& v : values) v = static_cast<typename Net::value_type>(fill(info));
      net.set_parameter(name, values);
      return;
    }
}
}  // namespace detail

template <class Net>
void uniform(Net& net, std::string_view name, Generator& rng, double a = 0, double b = 1) {
  detail::fill(net, name, [&](const auto&) { return rng.uniform(a, b); });
}
template <class Net>
void normal(Net& net, std::string_view name, Generator& rng, double mean = 0, double std = 1) {
  detail::fill(net, name, [&](const auto&) { return rng.normal(mean, std); });
}
template <class Net>
void constant(Net& net, std::string_view name, double value) {
  detail::fill(net, name, [&](const auto&) { return value; });
}
template <class Net>
void zeros(Net& net, std::string_view name) {
  constant(net, name, 0.0);
}
template <class Net>
void ones(Net& net, std::string_view name) {
  constant(net, name, 1.0);
}

template <class Net>
void xavier_uniform(Net& net, std::string_view name, Generator& rng, double gain = 1) {
  detail::fill(net, name, [&](const auto& info) {
    const fans f = compute_fans(info.name, info.dims);
    const double bound = gain * std::sqrt(6.0 / (f.in + f.out));
    return rng.uniform(-bound, bound);
  });
}
template <class Net>
void xavier_normal(Net& net, std::string_view name, Generator& rng, double gain = 1) {
  detail::fill(net, name, [&](const auto& info) {
    const fans f = compute_fans(info.name, info.dims);
    return rng.normal(0, gain * std::sqrt(2.0 / (f.in + f.out)));
  });
}

// PyTorch's defaults: a = 0, fan_in, leaky_relu (which with a = 0 is ReLU's gain sqrt(2)).
template <class Net>
void kaiming_uniform(Net& net, std::string_view name, Generator& rng, double a = 0,
                     fan_mode mode = fan_mode::fan_in, nonlinearity f = nonlinearity::leaky_relu) {
  detail::fill(net, name, [&](const auto& info) {
    const fans fs = compute_fans(info.name, info.dims);
    const double std = calculate_gain(f, a) / std::sqrt(mode == fan_mode::fan_in ? fs.in : fs.out);
    const double bound = std::sqrt(3.0) * std;
    return rng.uniform(-bound, bound);
  });
}
template <class Net>
void kaiming_normal(Net& net, std::string_view name, Generator& rng, double a = 0,
                    fan_mode mode = fan_mode::fan_in, nonlinearity f = nonlinearity::leaky_relu) {
  detail::fill(net, name, [&](const auto& info) {
    const fans fs = compute_fans(info.name, info.dims);
    return rng.normal(0,
                      calculate_gain(f, a) / std::sqrt(mode == fan_mode::fan_in ? fs.in : fs.out));
  });
}

// Calls f(net, info) for every parameter in state_dict order, as PyTorch's net.apply(init_fn).
template <class Net, class F>
void apply(Net& net, F&& f) {
  for (const auto& info : Net::named_parameters()) f(net, info);
}

}  // namespace ctnn::init
