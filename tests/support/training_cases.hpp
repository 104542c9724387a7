// Loss and optimiser cases that every backend must pass (see backend_cases.hpp for how a
// translation unit includes them). References: tests/golden/make_golden.py, losses() and
// optimizers(), computed by PyTorch in float64 from float32 values.
#pragma once

#include <boost/test/unit_test.hpp>

#include <span>
#include <string>
#include <vector>

#include "ctnn/core.hpp"
#include "support/compare.hpp"
#include "support/golden.hpp"

namespace ctnn_test {

// Every reduction of one loss: the value (or the per-element values for 'none') and the gradient.
template <class P, std::size_t C, class TargetShape, class Loss>
void check_loss(const golden_file& g, const std::string& name, Loss loss, const std::string& x_key,
                const std::string& y_key, std::size_t batch) {
  using ctnn::loss::Reduction;
  const ctnn::Tensor<float, ctnn::Shape<C>, P> x(batch, std::span<const float>(g.values(x_key)));
  const ctnn::Tensor<float, TargetShape, P> y(batch, std::span<const float>(g.values(y_key)));
  for (auto [reduction, suffix] :
       {std::pair{Reduction::mean, ".mean"}, std::pair{Reduction::sum, ".sum"},
        std::pair{Reduction::none, ".none"}}) {
    loss.reduction = reduction;
    const std::string key = name + suffix;
    if (reduction == Reduction::none) {
      check_golden(loss.elementwise(x, y).to_host(), g.values(key + ".loss"), key + " values");
    } else {
      check_golden(std::vector<float>{loss.value(x, y)}, g.values(key + ".loss"), key + " value");
    }
    check_golden(loss.gradient(x, y).to_host(), g.values(key + ".grad"), key + " gradient");
  }
}

template <class P>
using optim_net =
    ctnn::basic_sequential<float, P, ctnn::Input<4>, ctnn::Linear<3>, ctnn::Tanh, ctnn::Linear<2>>;

// Five train_steps with MSE; the parameters after each step against PyTorch's.
template <class Opt, class Net>
void check_trajectory(const golden_file& g, const std::string& name, Net& net, Opt& opt) {
  for (const auto& info : Net::named_parameters())
    net.set_parameter(info.name, std::span<const float>(g.values(info.name)));
  const typename Net::input_tensor x(6, std::span<const float>(g.values("x")));
  const typename Net::output_tensor y(6, std::span<const float>(g.values("y")));
  for (int step = 1; step <= 5; ++step) {
    ctnn::train_step(net, ctnn::loss::MSELoss{}, opt, x, y);
    check_golden(net.parameters(), g.values(name + ".step" + std::to_string(step)),
                 name + " step " + std::to_string(step));
  }
}

template <class P, template <class> class Opt, class Options>
void check_optimizer(const golden_file& g, const std::string& name, Options options) {
  optim_net<P> net;
  Opt<optim_net<P>> opt{net, options};
  check_trajectory(g, name, net, opt);
}

}  // namespace ctnn_test

BOOST_AUTO_TEST_SUITE(CTNN_TRAINING_SUITE)

BOOST_AUTO_TEST_CASE_TEMPLATE(losses_match_pytorch, P, test_policies) {
  using namespace ctnn::loss;
  using ctnn::Shape;
  const ctnn_test::golden_file g("losses.txt");
  ctnn_test::check_loss<P, 3, Shape<3>>(g, "mse", MSELoss{}, "p", "target", 4);
  ctnn_test::check_loss<P, 3, Shape<3>>(g, "l1", L1Loss{}, "p", "target", 4);
  ctnn_test::check_loss<P, 3, Shape<3>>(g, "huber", HuberLoss{}, "p", "target", 4);
  ctnn_test::check_loss<P, 3, Shape<3>>(g, "huber_half", HuberLoss{.term = {.delta = 0.5}}, "p",
                                        "target", 4);
  ctnn_test::check_loss<P, 3, Shape<3>>(g, "bce", BCELoss{}, "probs", "binary", 4);
  ctnn_test::check_loss<P, 3, Shape<3>>(g, "bce_logits", BCEWithLogitsLoss{}, "logits", "binary",
                                        4);
  ctnn_test::check_loss<P, 4, Shape<1>>(g, "cross_entropy", CrossEntropyLoss{}, "class_logits",
                                        "classes", 5);
  ctnn_test::check_loss<P, 4, Shape<1>>(g, "cross_entropy_smooth",
                                        CrossEntropyLoss{.label_smoothing = 0.1}, "class_logits",
                                        "classes", 5);
  ctnn_test::check_loss<P, 4, Shape<1>>(g, "nll", NLLLoss{}, "log_probs", "classes", 5);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(optimizer_trajectories_match_pytorch, P, test_policies) {
  using namespace ctnn::optim;
  const ctnn_test::golden_file g("optim.txt");
  ctnn_test::check_optimizer<P, SGD>(g, "sgd", sgd_options{.lr = 0.1});
  ctnn_test::check_optimizer<P, SGD>(
      g, "sgd_momentum",
      sgd_options{.lr = 0.05, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01});
  ctnn_test::check_optimizer<P, SGD>(
      g, "sgd_nesterov",
      sgd_options{.lr = 0.05, .momentum = 0.9, .weight_decay = 0.001, .nesterov = true});
  ctnn_test::check_optimizer<P, Adam>(g, "adam", adam_options{.lr = 0.01});
  ctnn_test::check_optimizer<P, Adam>(g, "adam_wd_amsgrad",
                                      adam_options{.lr = 0.01,
                                                   .beta1 = 0.8,
                                                   .beta2 = 0.99,
                                                   .eps = 1e-6,
                                                   .weight_decay = 0.1,
                                                   .amsgrad = true});
  ctnn_test::check_optimizer<P, AdamW>(g, "adamw", adamw_options{.lr = 0.01});
  ctnn_test::check_optimizer<P, Adagrad>(
      g, "adagrad",
      adagrad_options{
          .lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.01, .initial_accumulator_value = 0.1});
  ctnn_test::check_optimizer<P, RMSprop>(g, "rmsprop", rmsprop_options{.lr = 0.01});
  ctnn_test::check_optimizer<P, RMSprop>(
      g, "rmsprop_centered",
      rmsprop_options{
          .lr = 0.01, .alpha = 0.9, .weight_decay = 0.01, .momentum = 0.5, .centered = true});
  ctnn_test::check_optimizer<P, Adadelta>(g, "adadelta", adadelta_options{});
  ctnn_test::check_optimizer<P, Adadelta>(
      g, "adadelta_wd", adadelta_options{.lr = 0.5, .rho = 0.8, .weight_decay = 0.01});
}

BOOST_AUTO_TEST_CASE_TEMPLATE(clip_grad_norm_matches_pytorch, P, test_policies) {
  const ctnn_test::golden_file g("optim.txt");
  for (auto [name, bound] : {std::pair{"clip", 0.5}, std::pair{"clip_loose", 100.0}}) {
    ctnn_test::optim_net<P> net;
    for (const auto& info : ctnn_test::optim_net<P>::named_parameters())
      net.set_parameter(info.name, std::span<const float>(g.values(info.name)));
    const typename ctnn_test::optim_net<P>::input_tensor x(6,
                                                           std::span<const float>(g.values("x")));
    const typename ctnn_test::optim_net<P>::output_tensor y(6,
                                                            std::span<const float>(g.values("y")));
    const ctnn::loss::MSELoss mse;
    net.backward(mse.gradient(net.forward(x), y));
    const double norm = ctnn::optim::clip_grad_norm(net, bound);
    ctnn_test::check_golden(std::vector<double>{norm}, g.values(std::string(name) + ".norm"),
                            std::string(name) + " norm");
    ctnn_test::check_golden(net.gradients(), g.values(std::string(name) + ".grads"),
                            std::string(name) + " gradients");
  }
}

BOOST_AUTO_TEST_SUITE_END()
