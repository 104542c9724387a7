// check_sequential_case: a network against the golden values of an nn.Sequential written in
// tests/golden/make_golden.py with the same layers.
#pragma once

#include <boost/test/unit_test.hpp>

#include <span>
#include <string>

#include "ctnn/core.hpp"
#include "support/compare.hpp"
#include "support/golden.hpp"

namespace ctnn_test {

// Loads the case's parameters, then compares the forward output, the inference output, the input
// gradient (unless the input is token ids) and every parameter gradient with PyTorch's.
template <class Net>
void check_sequential_case(const golden_file& g, const std::string& c, std::size_t batch,
                           bool input_gradient = true) {
  Net net;
  for (const auto& info : Net::named_parameters())
    net.set_parameter(info.name, std::span<const float>(g.values(c + "." + info.name)));
  for (const auto& info : Net::named_buffers())
    net.set_buffer(info.name, std::span<const float>(g.values(c + "." + info.name)));
  const typename Net::input_tensor x(batch, std::span<const float>(g.values(c + ".x")));
  check_golden(net.forward(x).to_host(), g.values(c + ".y"), c + " forward");
  typename Net::input_tensor dx;
  net.backward(typename Net::output_tensor(batch, std::span<const float>(g.values(c + ".g"))), dx);
  if (input_gradient) check_golden(dx.to_host(), g.values(c + ".dx"), c + " dx");
  for (const auto& info : Net::named_parameters())
    check_golden(net.gradient(info.name), g.values(c + ".grad." + info.name),
                 c + " grad of " + info.name);
  // Running statistics after the training step; then eval mode and inference use them.
  for (const auto& info : Net::named_buffers())
    check_golden(net.buffer(info.name), g.values(c + ".after." + info.name),
                 c + " buffer " + info.name);
  const std::string eval_key = g.has(c + ".y_eval") ? c + ".y_eval" : c + ".y";
  check_golden(net(x).to_host(), g.values(eval_key), c + " inference");
  net.eval();
  check_golden(net.forward(x).to_host(), g.values(eval_key), c + " eval forward");
}

template <class P, class... Layers>
using float_net = ctnn::basic_sequential<float, P, Layers...>;

}  // namespace ctnn_test
