#include <boost/test/unit_test.hpp>

#include <ctnn/ctnn.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "support/compare.hpp"

using namespace ctnn;

BOOST_AUTO_TEST_SUITE(sequential)

// The worked example of the classic back-propagation tutorial: a 2x2 Linear without bias,
// sigmoid, MSE, on x = [-0.5, 0.1], y = [0.1, 0.2], with W = [[0.1, 0.2], [0.3, 0.4]].
// By the chain rule, with z = W x, a = sigmoid(z), L = ((a1 - y1)^2 + (a2 - y2)^2) / 2:
//   dL/da_i = (a_i - y_i)            (the 2 of the square cancels the mean over 2 elements)
//   da_i/dz_i = a_i (1 - a_i)
//   dz_i/dW_ij = x_j
//   dL/dW_ij = (a_i - y_i) a_i (1 - a_i) x_j
// z = [-0.03, -0.11], a = [0.492500562, 0.472527696], L = 0.114164018,
// dL/dW = [[-0.0490515329, 0.00981030658], [-0.0339631199, 0.00679262398]].
BOOST_AUTO_TEST_CASE(backpropagation_tutorial) {
  using Net = Sequential<Input<2>, Linear<2, false>, Sigmoid>::rebind<double>;
  Net net;
  const std::vector<double> w{0.1, 0.2, 0.3, 0.4};
  net.set_parameter("0.weight", w);
  const Net::input_tensor x(1, {-0.5, 0.1});
  const Net::output_tensor y(1, {0.1, 0.2});

  const double xs[2] = {-0.5, 0.1}, ys[2] = {0.1, 0.2};
  double a[2], expected_loss = 0, expected_grad[4];
  for (int i = 0; i < 2; ++i) {
    const double z = w[2 * i] * xs[0] + w[2 * i + 1] * xs[1];
    a[i] = 1 / (1 + std::exp(-z));
    expected_loss += (a[i] - ys[i]) * (a[i] - ys[i]) / 2;
    for (int j = 0; j < 2; ++j)
      expected_grad[2 * i + j] = (a[i] - ys[i]) * a[i] * (1 - a[i]) * xs[j];
  }
  // The values written above, so the formulas themselves are checked too.
  BOOST_TEST(expected_loss == 0.114164018, boost::test_tools::tolerance(1e-8));
  BOOST_TEST(expected_grad[0] == -0.0490515329, boost::test_tools::tolerance(1e-8));

  const loss::MSELoss mse;
  const auto prediction = net.forward(x);
  BOOST_TEST(prediction.at(0, 0) == a[0], boost::test_tools::tolerance(1e-12));
  BOOST_TEST(prediction.at(0, 1) == a[1], boost::test_tools::tolerance(1e-12));
  BOOST_TEST(mse.value(prediction, y) == expected_loss, boost::test_tools::tolerance(1e-12));
  net.backward(mse.gradient(prediction, y));
  const auto grad = net.gradient("0.weight");
  for (int k = 0; k < 4; ++k)
    BOOST_TEST(grad[k] == expected_grad[k], boost::test_tools::tolerance(1e-12));

  const double lr = 0.5;
  optim::SGD opt{net, {.lr = lr}};
  opt.step();
  const auto moved = net.parameter("0.weight");
  for (int k = 0; k < 4; ++k)
    BOOST_TEST(moved[k] == w[k] - lr * expected_grad[k], boost::test_tools::tolerance(1e-12));
}

using Mnist =
    Sequential<Input<1, 28, 28>, Flatten, Linear<128>, ReLU, Linear<64>, ReLU, Linear<10>>;

BOOST_AUTO_TEST_CASE(parameter_names_and_layouts_follow_pytorch) {
  const auto params = Mnist::named_parameters();
  BOOST_TEST_REQUIRE(params.size() == 6u);
  const char* names[] = {"1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"};
  const std::vector<std::vector<std::size_t>> dims = {{128, 784}, {128},    {64, 128},
                                                      {64},       {10, 64}, {10}};
  std::size_t offset = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    BOOST_TEST(params[i].name == names[i]);
    BOOST_TEST(params[i].dims == dims[i]);
    BOOST_TEST(params[i].offset == offset);
    offset += params[i].size;
  }
  BOOST_TEST(offset == Mnist::parameter_count);
  BOOST_TEST(Mnist::parameter_count == 784u * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
}

BOOST_AUTO_TEST_CASE(default_init_is_pytorchs_uniform_bound_and_seeded) {
  const Mnist a(1), b(1), c(2);
  BOOST_TEST(a.parameters() == b.parameters());
  BOOST_TEST(a.parameters() != c.parameters());
  // U(-1/sqrt(in), 1/sqrt(in)) for weight and bias; the extremes come close to the bound.
  const auto w = a.layer<3>().parameter("weight");
  const double bound = 1 / std::sqrt(128.0);
  double lo = 0, hi = 0;
  for (float v : w) lo = std::min(lo, double(v)), hi = std::max(hi, double(v));
  BOOST_TEST(hi <= bound);
  BOOST_TEST(lo >= -bound);
  BOOST_TEST(hi > 0.99 * bound);
  BOOST_TEST(lo < -0.99 * bound);
  BOOST_TEST(a.layer<5>().parameter("bias").size() == 10u);
}

BOOST_AUTO_TEST_CASE(layer_access_by_index) {
  Mnist net;
  using L1 = decltype(net.layer<1>());
  static_assert(std::is_same_v<L1::type, Linear<128>>);
  static_assert(std::is_same_v<L1::input_shape, Shape<784>>);
  static_assert(L1::parameter_count == 784 * 128 + 128);
  BOOST_TEST(net.layer<1>().parameter("bias") == net.parameter("1.bias"));
}

BOOST_AUTO_TEST_CASE(inference_keeps_nothing_and_is_thread_safe) {
  const Mnist net(3);
  std::vector<float> values(4 * 784);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = float(i % 13) / 13.0f;
  const Mnist::input_tensor x(4, values);
  const auto expected = net(x).to_host();
  std::vector<std::vector<float>> results(4);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = net(x).to_host(); });
  for (auto& t : threads) t.join();
  for (const auto& r : results) BOOST_TEST(r == expected);
  // The training forward gives the same numbers through the fused, recorded path.
  Mnist copy = net;
  ctnn_test::check_close(copy.forward(x).to_host(), expected, 1e-6, 1e-7, "forward vs inference");
}

BOOST_AUTO_TEST_CASE(train_and_eval_modes) {
  Mnist net;
  BOOST_TEST(net.is_training());
  net.eval();
  BOOST_TEST(!net.is_training());
  net.train();
  BOOST_TEST(net.is_training());
}

BOOST_AUTO_TEST_CASE(gradients_accumulate_until_zero_grad) {
  using Net = Sequential<Input<3>, Linear<2>, Tanh>::rebind<double>;
  Net net(5);
  const Net::input_tensor x(2, {0.1, -0.2, 0.3, 0.5, 0.4, -0.6});
  const Net::output_tensor dy(2, {1, -1, 0.5, 2});
  net.forward(x);
  net.backward(dy);
  const auto once = net.gradients();
  net.backward(dy);
  const auto twice = net.gradients();
  for (std::size_t i = 0; i < once.size(); ++i)
    BOOST_TEST(twice[i] == 2 * once[i], boost::test_tools::tolerance(1e-12));
  net.zero_grad();
  for (double g : net.gradients()) BOOST_TEST(g == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_input_raises_typed_errors) {
  using Net = Sequential<Input<3>, Linear<2>>;
  Net net;
  const Net::input_tensor x(2);
  BOOST_CHECK_THROW(net.backward(Net::output_tensor(2)), state_error);  // no forward yet
  net.forward(x);
  BOOST_CHECK_EXCEPTION(net.backward(Net::output_tensor(3)), shape_error, [](const shape_error& e) {
    return std::string(e.what()).find("batch 3") != std::string::npos &&
           std::string(e.what()).find("batch 2") != std::string::npos;
  });
  BOOST_CHECK_EXCEPTION(net.parameter("4.weight"), index_error, [](const index_error& e) {
    return std::string(e.what()).find("\"4.weight\"") != std::string::npos &&
           std::string(e.what()).find("0.weight, 0.bias") != std::string::npos;
  });
  const std::vector<float> five(5);
  BOOST_CHECK_THROW(net.set_parameter("0.bias", five), shape_error);
  BOOST_CHECK_THROW(Net::input_tensor(2, std::span<const float>(five)), shape_error);
  BOOST_CHECK_THROW(x.at(2, 0), index_error);
  BOOST_CHECK_THROW(x.at(0, 3), index_error);
  const loss::MSELoss mse;
  BOOST_CHECK_THROW(mse.value(Net::output_tensor(2), Net::output_tensor(3)), shape_error);
}

BOOST_AUTO_TEST_CASE(nan_loss_stops_train_step_before_any_update) {
  using Net = Sequential<Input<2>, Linear<1>>;
  Net net;
  const auto before = net.parameters();
  optim::SGD opt{net, {.lr = 0.1}};
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Net::input_tensor x(1, {nan, 1.0f});
  BOOST_CHECK_EXCEPTION(train_step(net, loss::MSELoss{}, opt, x, Net::output_tensor(1)),
                        numeric_error, [](const numeric_error& e) {
                          return std::string(e.what()).find("nan") != std::string::npos;
                        });
  BOOST_TEST(net.parameters() == before);
}

BOOST_AUTO_TEST_CASE(train_step_learns_a_linear_map) {
  using Net = Sequential<Input<2>, Linear<1>>::rebind<double>;
  Net net(9);
  optim::SGD opt{net, {.lr = 0.1}};
  // y = 2 x0 - 3 x1 + 0.5
  const Net::input_tensor x(4, {0, 0, 1, 0, 0, 1, 1, 1});
  const Net::output_tensor y(4, {0.5, 2.5, -2.5, -0.5});
  double loss = 0;
  for (int i = 0; i < 2000; ++i) loss = train_step(net, loss::MSELoss{}, opt, x, y);
  BOOST_TEST(loss < 1e-10);
  const auto w = net.parameter("0.weight");
  BOOST_TEST(w[0] == 2.0, boost::test_tools::tolerance(1e-4));
  BOOST_TEST(w[1] == -3.0, boost::test_tools::tolerance(1e-4));
  BOOST_TEST(net.parameter("0.bias")[0] == 0.5, boost::test_tools::tolerance(1e-4));
}

// Inference at batch 2 through Linear layers with short inputs keeps W^T between calls (the CPU
// backend's gemm_weight); every way of changing the parameters must be seen by the next call.
// The reference is computed on the host from parameters(), in double.
namespace {
using SmallMlp = Sequential<Input<20>, Linear<32>, ReLU, Linear<16>>;

std::vector<double> small_mlp_reference(const std::vector<float>& p, const std::vector<float>& x) {
  const float *w0 = p.data(), *b0 = w0 + 32 * 20, *w1 = b0 + 32, *b1 = w1 + 16 * 32;
  std::vector<double> y;
  for (std::size_t r = 0; r < x.size() / 20; ++r) {
    double h[32];
    for (int j = 0; j < 32; ++j) {
      double s = b0[j];
      for (int k = 0; k < 20; ++k) s += double(w0[j * 20 + k]) * x[r * 20 + k];
      h[j] = std::max(s, 0.0);
    }
    for (int j = 0; j < 16; ++j) {
      double s = b1[j];
      for (int k = 0; k < 32; ++k) s += double(w1[j * 32 + k]) * h[k];
      y.push_back(s);
    }
  }
  return y;
}

void check_inference(const SmallMlp& net, const SmallMlp::input_tensor& x, const char* after) {
  const auto want = small_mlp_reference(net.parameters(), x.to_host());
  const auto got = net(x).to_host();
  double worst = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    worst = ctnn_test::worse(worst, std::abs(double(got[i]) - want[i]));
  BOOST_TEST(worst < 1e-5, "inference after " << after << ": error " << worst);
}
}  // namespace

BOOST_AUTO_TEST_CASE(inference_sees_every_parameter_change) {
  SmallMlp net(1), other(2);
  std::vector<float> values(2 * 20);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(0.37f * float(i));
  const SmallMlp::input_tensor x(2, values);
  check_inference(net, x, "construction");
  check_inference(net, x, "a second call");

  std::vector<float> w(32 * 20);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = std::cos(0.11f * float(i));
  net.set_parameter("0.weight", w);
  check_inference(net, x, "set_parameter");

  const auto target = net(x);
  net.train();
  const auto prediction = net.forward(x);
  net.backward(loss::MSELoss{}.gradient(prediction, SmallMlp::output_tensor(2)));
  optim::SGD opt{net, {.lr = 0.5}};
  opt.step();
  net.eval();
  BOOST_TEST(net(x).to_host() != target.to_host());  // the step moved the output
  check_inference(net, x, "an optimiser step");

  net.reset_parameters(7);
  check_inference(net, x, "reset_parameters");
  auto all = net.parameters();
  for (auto& v : all) v = -v;
  net.set_parameters(all);
  check_inference(net, x, "set_parameters");
  net.parameter_data()[0] += 1.0f;
  check_inference(net, x, "a write through parameter_data()");

  // Copies share the kept W^T only while their parameters are equal; networks of one type
  // alternate on one thread.
  SmallMlp copy = net;
  check_inference(copy, x, "a copy");
  copy.set_parameter("0.weight", w);
  check_inference(copy, x, "changing the copy");
  check_inference(net, x, "changing the copy (the original)");
  check_inference(other, x, "another network");
  check_inference(net, x, "another network (the first)");
}

BOOST_AUTO_TEST_SUITE_END()
