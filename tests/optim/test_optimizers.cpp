#include <boost/test/unit_test.hpp>

#include <ctnn/ctnn.hpp>

#include "support/compare.hpp"
#include "support/golden.hpp"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace ctnn;

BOOST_AUTO_TEST_SUITE(optimizers)

// The seed's manual Adam step (beta1 0.9, beta2 0.999, eps 1e-8), written out. One weight w, one
// input 1, target 0, MSE: the gradient is 2 w.
//   step 1, w = 0.5, g = 1:   m = 0.1,  v = 0.001,  m^ = 1, v^ = 1,  w = 0.5 - 0.1 * 1 / (1 + 1e-8)
//   step 2, w ~ 0.4, g ~ 0.8: m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g^2, with bias corrections
//                              1 - 0.9^2 and 1 - 0.999^2
BOOST_AUTO_TEST_CASE(manual_adam_steps) {
  using Net = Sequential<Input<1>, Linear<1, false>>::rebind<double>;
  Net net;
  net.set_parameter("0.weight", std::vector<double>{0.5});
  const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
  optim::Adam opt{net, {.lr = lr, .beta1 = b1, .beta2 = b2, .eps = eps}};
  const Net::input_tensor x(1, {1.0});
  const Net::output_tensor y(1, {0.0});
  double w = 0.5, m = 0, v = 0;
  for (int t = 1; t <= 2; ++t) {
    const double g = 2 * w;
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const double m_hat = m / (1 - std::pow(b1, t)), v_hat = v / (1 - std::pow(b2, t));
    w -= lr * m_hat / (std::sqrt(v_hat) + eps);
    train_step(net, loss::MSELoss{}, opt, x, y);
    BOOST_TEST(net.parameter("0.weight")[0] == w, boost::test_tools::tolerance(1e-12));
  }
  BOOST_TEST(w == 0.5 - 0.1 / (1 + 1e-8) -
                      0.1 * (0.17 / 0.19) / (std::sqrt(0.001639 / (1 - 0.998001)) + 1e-8),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(opt.steps() == 2u);
  BOOST_TEST(opt.state(0)[0] == m, boost::test_tools::tolerance(1e-12));  // the first moment
}

BOOST_AUTO_TEST_CASE(zero_grad_and_learning_rate) {
  using Net = Sequential<Input<2>, Linear<1>>;
  Net net;
  optim::SGD opt{net, {.lr = 0.1, .momentum = 0.9}};
  net.forward(Net::input_tensor(1, {1, 2}));
  net.backward(Net::output_tensor(1, {1}));
  BOOST_TEST(net.gradients() != std::vector<float>(3, 0.0f));
  opt.zero_grad();
  BOOST_TEST(net.gradients() == std::vector<float>(3, 0.0f));
  opt.set_lr(0.01);
  BOOST_TEST(opt.lr() == 0.01);
}

BOOST_AUTO_TEST_CASE(class_indices_outside_the_classes_are_errors) {
  const Tensor<float, Shape<4>> logits(2);
  BOOST_CHECK_EXCEPTION(loss::CrossEntropyLoss{}.value(logits, Tensor<float, Shape<1>>(2, {1, 4})),
                        index_error, [](const index_error& e) {
                          const std::string m = e.what();
                          return m.find("class index 4 of sample 1") != std::string::npos &&
                                 m.find("[0, 4)") != std::string::npos;
                        });
  BOOST_CHECK_THROW(loss::NLLLoss{}.value(logits, Tensor<float, Shape<1>>(2, {0.5f, 1})),
                    index_error);
  BOOST_CHECK_THROW(loss::CrossEntropyLoss{}.value(logits, Tensor<float, Shape<1>>(3)),
                    shape_error);
}

// Cross-entropy on extreme logits stays finite (log-sum-exp), and its gradient sums to zero.
BOOST_AUTO_TEST_CASE(cross_entropy_is_stable) {
  const Tensor<float, Shape<3>> logits(1, {1000.0f, -1000.0f, 0.0f});
  const Tensor<float, Shape<1>> classes(1, {1});
  const float value = loss::CrossEntropyLoss{}.value(logits, classes);
  BOOST_TEST(std::isfinite(value));
  BOOST_TEST(value == 2000.0f, boost::test_tools::tolerance(1e-6f));
  const auto grad = loss::CrossEntropyLoss{}.gradient(logits, classes).to_host();
  BOOST_TEST(grad[0] + grad[1] + grad[2] == 0.0f, boost::test_tools::tolerance(1e-6f));
}

template <class Scheduler, class Options>
void check_schedule(const std::string& name, Options options) {
  using Net = Sequential<Input<1>, Linear<1>>;
  Net net;
  optim::SGD opt{net, {.lr = 0.1}};
  Scheduler scheduler{opt, options};
  const auto expected = ctnn_test::golden_file("optim.txt").values(name + ".lrs");
  std::vector<double> lrs{opt.lr()};
  for (int epoch = 0; epoch < 10; ++epoch) {
    scheduler.step();
    lrs.push_back(opt.lr());
  }
  ctnn_test::check_golden(lrs, expected, name);
}

BOOST_AUTO_TEST_CASE(schedulers_match_pytorch) {
  using Opt = optim::SGD<Sequential<Input<1>, Linear<1>>>;
  check_schedule<optim::StepLR<Opt>>("step_lr",
                                     optim::step_lr_options{.step_size = 3, .gamma = 0.5});
  check_schedule<optim::ExponentialLR<Opt>>("exponential_lr",
                                            optim::exponential_lr_options{.gamma = 0.8});
  check_schedule<optim::CosineAnnealingLR<Opt>>(
      "cosine_lr", optim::cosine_annealing_options{.t_max = 10, .eta_min = 0.001});
  check_schedule<optim::LinearLR<Opt>>(
      "linear_lr", optim::linear_lr_options{.start_factor = 0.25, .total_iters = 4});
  check_schedule<optim::OneCycleLR<Opt>>(
      "one_cycle_lr", optim::one_cycle_options{.max_lr = 0.1, .total_steps = 10, .pct_start = 0.3});
  check_schedule<optim::OneCycleLR<Opt>>(
      "one_cycle_linear_lr", optim::one_cycle_options{.max_lr = 0.05,
                                                      .total_steps = 10,
                                                      .pct_start = 0.25,
                                                      .anneal_strategy = optim::anneal::linear,
                                                      .div_factor = 10,
                                                      .final_div_factor = 100});
}

BOOST_AUTO_TEST_CASE(one_cycle_refuses_to_step_past_its_total) {
  using Net = Sequential<Input<1>, Linear<1>>;
  Net net;
  optim::SGD opt{net, {.lr = 0.1}};
  optim::OneCycleLR schedule{opt, {.max_lr = 0.1, .total_steps = 2}};
  schedule.step();
  schedule.step();
  BOOST_CHECK_THROW(schedule.step(), ctnn::state_error);
}

BOOST_AUTO_TEST_CASE(clipping_a_nan_gradient_is_an_error_and_changes_nothing) {
  using Net = Sequential<Input<2>, Linear<1>>;
  Net net;
  net.forward(Net::input_tensor(1, {std::numeric_limits<float>::quiet_NaN(), 1}));
  net.backward(Net::output_tensor(1, {1}));
  const auto before = net.gradients();
  BOOST_CHECK_THROW(optim::clip_grad_norm(net, 1.0), numeric_error);
  const auto after = net.gradients();
  BOOST_TEST(after[1] ==
             before[1]);  // the finite entries are untouched (NaN != NaN for the others)
}

BOOST_AUTO_TEST_SUITE_END()
