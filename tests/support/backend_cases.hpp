// Test cases that every backend must pass, written once. The including translation unit defines
//   test_policies     a boost::mpl::list of the policies to test
//   reference_policy  the backend the others are compared with
//   CTNN_BACKEND_SUITE the name of the test suite the cases go in
// and includes this file. The host test binary runs it on the CPU and the
// Thrust CPP/OMP systems; the CUDA binary on the Thrust CUDA system.
#pragma once

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "ctnn/core.hpp"
#include "support/compare.hpp"
#include "support/golden.hpp"
#include "support/inputs.hpp"

namespace ctnn_test {

template <class Net>
void load_golden(Net& net, const golden_file& g, const std::string& prefix = "") {
  for (const auto& info : Net::named_parameters())
    net.set_parameter(info.name, std::span<const float>(g.values(prefix + info.name)));
}

template <class Tensor_>
Tensor_ golden_tensor_of(const golden_file& g, const std::string& key, std::size_t batch) {
  return Tensor_(batch, std::span<const float>(g.values(key)));
}

template <class P, std::size_t In, std::size_t Out, bool Bias>
void check_linear_case(const golden_file& g, const std::string& c, std::size_t batch) {
  using Net = ctnn::basic_sequential<float, P, ctnn::Input<In>, ctnn::Linear<Out, Bias>>;
  Net net;
  net.set_parameter("0.weight", std::span<const float>(g.values(c + ".weight")));
  if constexpr (Bias) net.set_parameter("0.bias", std::span<const float>(g.values(c + ".bias")));
  const auto x = golden_tensor_of<typename Net::input_tensor>(g, c + ".x", batch);
  check_golden(net.forward(x).to_host(), g.values(c + ".y"), c + " forward");
  check_golden(net(x).to_host(), g.values(c + ".y"), c + " inference");
  typename Net::input_tensor dx;
  net.backward(golden_tensor_of<typename Net::output_tensor>(g, c + ".g", batch), dx);
  check_golden(dx.to_host(), g.values(c + ".dx"), c + " dx");
  check_golden(net.gradient("0.weight"), g.values(c + ".dweight"), c + " dweight");
  if constexpr (Bias) check_golden(net.gradient("0.bias"), g.values(c + ".dbias"), c + " dbias");
}

template <class P, class Activation>
void check_activation_case(const golden_file& g, const std::string& name) {
  using Net = ctnn::basic_sequential<float, P, ctnn::Input<6>, Activation>;
  Net net;
  const auto x = golden_tensor_of<typename Net::input_tensor>(g, "x", 4);
  check_golden(net.forward(x).to_host(), g.values(name + ".y"), name + " forward");
  typename Net::input_tensor dx;
  net.backward(golden_tensor_of<typename Net::output_tensor>(g, "g", 4), dx);
  check_golden(dx.to_host(), g.values(name + ".dx"), name + " dx");
}

// The network of tests/golden/make_golden.py's mlp(): every Linear is fused with its activation.
template <class P, class T = float>
using golden_mlp =
    ctnn::basic_sequential<T, P, ctnn::Input<6>, ctnn::Linear<5>, ctnn::ReLU, ctnn::Linear<4>,
                           ctnn::Tanh, ctnn::Linear<2>, ctnn::Sigmoid>;

// A 3-layer MLP with a view, every activation and a layer without bias, in double for gradcheck.
template <class P>
using gradcheck_mlp =
    ctnn::basic_sequential<double, P, ctnn::Input<2, 3>, ctnn::Flatten, ctnn::Linear<7>, ctnn::Tanh,
                           ctnn::Linear<5, false>, ctnn::Sigmoid, ctnn::ReLU, ctnn::Linear<3>>;

}  // namespace ctnn_test

BOOST_AUTO_TEST_SUITE(CTNN_BACKEND_SUITE)

BOOST_AUTO_TEST_CASE_TEMPLATE(linear_matches_pytorch, P, test_policies) {
  const ctnn_test::golden_file g("linear.txt");
  ctnn_test::check_linear_case<P, 5, 3, true>(g, "b4", 4);
  ctnn_test::check_linear_case<P, 7, 4, true>(g, "b1", 1);
  ctnn_test::check_linear_case<P, 6, 2, false>(g, "nobias", 7);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(activations_match_pytorch, P, test_policies) {
  const ctnn_test::golden_file g("activations.txt");
  ctnn_test::check_activation_case<P, ctnn::ReLU>(g, "relu");
  ctnn_test::check_activation_case<P, ctnn::Sigmoid>(g, "sigmoid");
  ctnn_test::check_activation_case<P, ctnn::Tanh>(g, "tanh");
}

BOOST_AUTO_TEST_CASE_TEMPLATE(mse_matches_pytorch, P, test_policies) {
  using Pred = ctnn::Tensor<float, ctnn::Shape<3>, P>;
  const ctnn_test::golden_file g("mse.txt");
  const auto p = ctnn_test::golden_tensor_of<Pred>(g, "prediction", 4);
  const auto t = ctnn_test::golden_tensor_of<Pred>(g, "target", 4);
  for (auto [reduction, name] : {std::pair{ctnn::loss::Reduction::mean, "mean"},
                                 std::pair{ctnn::loss::Reduction::sum, "sum"}}) {
    const ctnn::loss::MSELoss mse{reduction};
    ctnn_test::check_golden(std::vector<float>{mse.value(p, t)},
                            g.values(std::string(name) + ".loss"), std::string(name) + " loss");
    ctnn_test::check_golden(mse.gradient(p, t).to_host(), g.values(std::string(name) + ".grad"),
                            std::string(name) + " gradient");
  }
}

// The whole network, fused passes included: output, loss, every parameter gradient, the input
// gradient, and one SGD step.
BOOST_AUTO_TEST_CASE_TEMPLATE(mlp_matches_pytorch, P, test_policies) {
  using Net = ctnn_test::golden_mlp<P>;
  const ctnn_test::golden_file g("mlp.txt");
  Net net;
  ctnn_test::load_golden(net, g);
  const auto x = ctnn_test::golden_tensor_of<typename Net::input_tensor>(g, "x", 3);
  const auto target = ctnn_test::golden_tensor_of<typename Net::output_tensor>(g, "target", 3);
  const auto y = net.forward(x);
  ctnn_test::check_golden(y.to_host(), g.values("y"), "mlp forward");
  const ctnn::loss::MSELoss mse;
  ctnn_test::check_golden(std::vector<float>{mse.value(y, target)}, g.values("loss"), "mlp loss");
  typename Net::input_tensor dx;
  net.backward(mse.gradient(y, target), dx);
  ctnn_test::check_golden(dx.to_host(), g.values("dx"), "mlp dx");
  for (const auto& info : Net::named_parameters())
    ctnn_test::check_golden(net.gradient(info.name), g.values("grad." + info.name),
                            "grad of " + info.name);
  ctnn::optim::SGD opt{net, {.lr = 0.1}};
  opt.step();
  for (const auto& info : Net::named_parameters())
    ctnn_test::check_golden(net.parameter(info.name), g.values("after_step." + info.name),
                            "after SGD step: " + info.name);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_mlp_in_double, P, test_policies) {
  using Net = ctnn_test::gradcheck_mlp<P>;
  const Net net(7);
  for (std::size_t batch : {1u, 3u}) {
    const auto result = ctnn::gradcheck<4>(net, ctnn_test::sample_input<Net>(batch), 1e-6);
    BOOST_TEST(result.passed, "batch " << batch << ": " << result.report());
  }
}

// gradcheck must have teeth: a wrong gradient has to fail it.
BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_detects_a_wrong_gradient, P, test_policies) {
  using Net = ctnn_test::gradcheck_mlp<P>;
  struct Sabotaged : Net {
    using Net::Net;
    void backward(const typename Net::output_tensor& dy, typename Net::input_tensor& dx) {
      Net::backward(dy, dx);
      auto g = this->gradients();
      g[3] += 0.5;  // one wrong weight gradient
      ctnn::backend<P>::copy_from_host(g.data(), g.size(), this->gradient_data());
    }
  };
  const Sabotaged net(7);
  const auto result = ctnn::gradcheck<4>(net, ctnn_test::sample_input<Net>(2), 1e-6);
  BOOST_TEST(!result.passed, result.report());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(same_numbers_as_the_reference_backend, P, test_policies) {
  using Net = ctnn_test::golden_mlp<P>;
  using Ref = ctnn_test::golden_mlp<reference_policy>;
  Net net(11);
  Ref ref(11);
  ctnn_test::check_close(net.parameters(), ref.parameters(), 0, 0, "seeded initialisation");
  const auto x_host = ctnn_test::sample_input<Ref>(5, 2.0).to_host();
  const typename Net::input_tensor x(5, std::span<const float>(x_host));
  const typename Ref::input_tensor x_ref(5, std::span<const float>(x_host));
  ctnn_test::check_close(net.forward(x).to_host(), ref.forward(x_ref).to_host(), 1e-6, 1e-7,
                         "forward");
  ctnn_test::check_close(net(x).to_host(), ref(x_ref).to_host(), 1e-6, 1e-7, "inference");
  std::vector<float> dy(5 * 2, 0.25f);
  net.backward(typename Net::output_tensor(5, std::span<const float>(dy)));
  ref.backward(typename Ref::output_tensor(5, std::span<const float>(dy)));
  ctnn_test::check_close(net.gradients(), ref.gradients(), 1e-5, 1e-7, "gradients");
}

BOOST_AUTO_TEST_SUITE_END()
