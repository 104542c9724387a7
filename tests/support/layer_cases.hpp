// Layer test cases that every backend must pass, written once (see backend_cases.hpp for how a
// translation unit includes them). Golden values come from tests/golden/make_golden.py, each case
// an nn.Sequential written there with the same layers as the network type here.
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
#include "support/sequential_case.hpp"

BOOST_AUTO_TEST_SUITE(CTNN_LAYER_SUITE)

BOOST_AUTO_TEST_CASE_TEMPLATE(convolutions_match_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  ctnn_test::check_sequential_case<float_net<
      P, Input<3, 7, 6>, Conv2d<conv2d_options{.out = 4, .kernel = 3, .stride = 2, .padding = 1}>>>(
      g, "conv_s2p1", 7);
  ctnn_test::check_sequential_case<float_net<
      P, Input<2, 9, 9>,
      Conv2d<conv2d_options{.out = 3, .kernel = {3, 2}, .padding = {2, 1}, .dilation = 2}>>>(
      g, "conv_rect_dil2", 1);
  ctnn_test::check_sequential_case<float_net<
      P, Input<4, 6, 6>,
      Conv2d<conv2d_options{.out = 4, .kernel = 3, .padding = 1, .groups = 4, .bias = false}>>>(
      g, "conv_depthwise", 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<4, 5, 5>,
                Conv2d<conv2d_options{.out = 6, .kernel = 2, .stride = {1, 2}, .groups = 2}>>>(
      g, "conv_groups2", 3);
  ctnn_test::check_sequential_case<float_net<
      P, Input<3, 11>,
      Conv1d<conv1d_options{.out = 5, .kernel = 3, .stride = 2, .padding = 1, .dilation = 2}>>>(
      g, "conv1d", 4);
}

// Output channels that fill whole SIMD registers: the CPU backend computes these without im2col
// (conv_direct.hpp), the others by im2col + GEMM.
BOOST_AUTO_TEST_CASE_TEMPLATE(wide_convolutions_match_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  using LeNetSecond = Conv2d<conv2d_options{.out = 16, .kernel = 5}>;
  ctnn_test::check_sequential_case<float_net<P, Input<6, 7, 8>, LeNetSecond>>(g, "conv_wide", 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<3, 9, 11>,
                Conv2d<conv2d_options{.out = 32, .kernel = 3, .stride = 2, .padding = 1}>>>(
      g, "conv_wide_s2p1", 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<2, 40>,
                Conv1d<conv1d_options{.out = 16, .kernel = 3, .padding = 1, .dilation = 2}>>>(
      g, "conv1d_wide", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(pooling_matches_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  constexpr pool2d_options k2{.kernel = 2}, k3s2p1{.kernel = 3, .stride = 2, .padding = 1};
  constexpr pool1d_options k3s2p1_1d{.kernel = 3, .stride = 2, .padding = 1};
  ctnn_test::check_sequential_case<float_net<P, Input<3, 4, 4>, MaxPool2d<k2>>>(g, "maxpool2", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<2, 7, 7>, MaxPool2d<k3s2p1>>>(
      g, "maxpool3s2p1", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<1, 4, 4>, MaxPool2d<k2>>>(g, "maxpool_ties",
                                                                                1);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 4, 4>, AvgPool2d<k2>>>(g, "avgpool2", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<2, 7, 7>, AvgPool2d<k3s2p1>>>(
      g, "avgpool3s2p1", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<2, 9>, MaxPool1d<k3s2p1_1d>>>(g, "maxpool1d",
                                                                                    3);
  ctnn_test::check_sequential_case<float_net<P, Input<2, 9>, AvgPool1d<k3s2p1_1d>>>(g, "avgpool1d",
                                                                                    3);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 5, 7>, AdaptiveAvgPool2d<2, 3>>>(
      g, "adaptive", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 5, 7>, AdaptiveAvgPool2d<1, 1>>>(
      g, "global", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(softmax_and_activations_match_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  ctnn_test::check_sequential_case<float_net<P, Input<6>, Softmax>>(g, "softmax", 4);
  ctnn_test::check_sequential_case<float_net<P, Input<6>, LogSoftmax>>(g, "logsoftmax", 4);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 2, 2>, Softmax>>(g, "softmax_channels", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 2, 2>, LogSoftmax>>(
      g, "logsoftmax_channels", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<5>, LeakyReLU<0.2f>>>(g, "leakyrelu", 3);
  ctnn_test::check_sequential_case<float_net<P, Input<5>, GELU>>(g, "gelu", 3);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(normalization_matches_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  ctnn_test::check_sequential_case<float_net<P, Input<4>, BatchNorm1d<>>>(g, "batchnorm1d", 5);
  ctnn_test::check_sequential_case<
      float_net<P, Input<3, 6>, BatchNorm1d<batchnorm_options{.momentum = 0.3}>>>(
      g, "batchnorm1d_seq", 4);
  ctnn_test::check_sequential_case<
      float_net<P, Input<3, 4, 5>, BatchNorm2d<batchnorm_options{.eps = 1e-3}>>>(g, "batchnorm2d",
                                                                                 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<3, 2, 2>, BatchNorm2d<batchnorm_options{.affine = false}>>>(
      g, "batchnorm2d_plain", 3);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 5>, LayerNorm<>>>(g, "layernorm", 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<2, 3, 4>, LayerNorm<layernorm_options{.axes = 2}>>>(g, "layernorm2", 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<3, 4, 4>, InstanceNorm2d<instancenorm_options{.affine = true}>>>(
      g, "instancenorm", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 4, 4>, InstanceNorm2d<>>>(
      g, "instancenorm_plain", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(recurrent_layers_match_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  // The 3-step sequence [[1,2,3],[3,4,5],[5,6,7]] through nn.RNN(3, 4, bias=False).
  ctnn_test::check_sequential_case<
      float_net<P, Input<3, 3>, RNN<rnn_options{.hidden = 4, .bias = false}>>>(g, "rnn_seed", 1);
  ctnn_test::check_sequential_case<float_net<P, Input<4, 3>, RNN<rnn_options{.hidden = 5}>>>(
      g, "rnn", 7);
  ctnn_test::check_sequential_case<float_net<P, Input<6, 3>, LSTM<rnn_options{.hidden = 4}>>>(
      g, "lstm", 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<4, 5>, LSTM<rnn_options{.hidden = 3, .output = rnn_output::last}>>>(
      g, "lstm_last", 3);
  ctnn_test::check_sequential_case<float_net<P, Input<5, 4>, GRU<rnn_options{.hidden = 3}>>>(
      g, "gru", 2);
  ctnn_test::check_sequential_case<float_net<
      P, Input<3, 2>, GRU<rnn_options{.hidden = 6, .bias = false, .output = rnn_output::last}>>>(
      g, "gru_last", 1);
  // Wider than a SIMD register, batch 1 and 2.
  ctnn_test::check_sequential_case<float_net<P, Input<6, 5>, RNN<rnn_options{.hidden = 37}>>>(
      g, "rnn_wide", 1);
  ctnn_test::check_sequential_case<
      float_net<P, Input<4, 5>, LSTM<rnn_options{.hidden = 19, .output = rnn_output::last}>>>(
      g, "lstm_wide", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<5, 5>, GRU<rnn_options{.hidden = 21}>>>(
      g, "gru_wide", 1);
  // The LSTM cell at batch 1, a register of units at a time on the CPU (and a tail of 3).
  ctnn_test::check_sequential_case<float_net<P, Input<4, 5>, LSTM<rnn_options{.hidden = 19}>>>(
      g, "lstm_one", 1);
  // Batch 2 with rows of whole registers: the cells a register at a time, forward and backward.
  ctnn_test::check_sequential_case<float_net<P, Input<3, 5>, LSTM<rnn_options{.hidden = 16}>>>(
      g, "lstm_two", 2);
  ctnn_test::check_sequential_case<float_net<P, Input<3, 5>, GRU<rnn_options{.hidden = 16}>>>(
      g, "gru_two", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_of_recurrent_layers, P, test_policies) {
  using namespace ctnn;
  using Net =
      basic_sequential<double, P, Input<5, 3>, LSTM<rnn_options{.hidden = 4}>, Tanh,
                       GRU<rnn_options{.hidden = 3, .bias = false}>,
                       RNN<rnn_options{.hidden = 3, .output = rnn_output::last}>, Linear<2>>;
  const Net net(3);
  for (std::size_t batch : {1u, 2u}) {
    const auto result = gradcheck(net, ctnn_test::sample_input<Net>(batch, 1.5), 1e-6);
    BOOST_TEST(result.passed, "batch " << batch << ": " << result.report());
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(attention_matches_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  ctnn_test::check_sequential_case<
      float_net<P, Input<5, 6>, MultiheadAttention<attention_options{.heads = 2}>>>(g, "mha", 3);
  ctnn_test::check_sequential_case<
      float_net<P, Input<6, 4>, MultiheadAttention<attention_options{.heads = 4, .causal = true}>>>(
      g, "mha_causal", 2);
  ctnn_test::check_sequential_case<
      float_net<P, Input<4, 6>,
                MultiheadAttention<attention_options{.heads = 3, .bias = false, .causal = true}>>>(
      g, "mha_nobias", 1);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_of_attention, P, test_policies) {
  using namespace ctnn;
  using Net = basic_sequential<
      double, P, Input<5, 6>, MultiheadAttention<attention_options{.heads = 2}>, Tanh,
      MultiheadAttention<attention_options{.heads = 3, .bias = false, .causal = true}>, LayerNorm<>,
      MultiheadAttention<attention_options{.heads = 1, .causal = true}>>;
  Net net(3);
  auto p = net.parameters();
  for (std::size_t i = 0; i < p.size(); ++i) p[i] += 0.05 * std::sin(double(i));  // non-zero biases
  net.set_parameters(p);
  for (std::size_t batch : {1u, 2u}) {
    const auto result = gradcheck(net, ctnn_test::sample_input<Net>(batch, 1.5), 1e-6);
    BOOST_TEST(result.passed, "batch " << batch << ": " << result.report());
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(transformer_encoder_matches_pytorch, P, test_policies) {
  using namespace ctnn;
  using ctnn_test::float_net;
  const ctnn_test::golden_file g("layers.txt");
  ctnn_test::check_sequential_case<float_net<
      P, Input<5, 6>,
      TransformerEncoderLayer<transformer_options{.heads = 2, .feedforward = 8, .dropout = 0.0f}>>>(
      g, "encoder", 3);
  ctnn_test::check_sequential_case<
      float_net<P, Input<4, 6>,
                TransformerEncoderLayer<transformer_options{
                    .heads = 3, .feedforward = 5, .dropout = 0.0f, .causal = true}>>>(
      g, "encoder_causal", 2);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_of_transformer_encoder, P, test_policies) {
  using namespace ctnn;
  using Net = basic_sequential<
      double, P, Input<5, 6>,
      TransformerEncoderLayer<transformer_options{.heads = 2, .feedforward = 8, .dropout = 0.2f}>,
      TransformerEncoderLayer<transformer_options{
          .heads = 3, .feedforward = 4, .dropout = 0.0f, .causal = true}>>;
  Net net(3);
  auto p = net.parameters();
  for (std::size_t i = 0; i < p.size(); ++i) p[i] += 0.05 * std::sin(double(i));
  net.set_parameters(p);
  const auto x = ctnn_test::sample_input<Net>(2, 1.5);
  const auto train = gradcheck(net, x, 1e-6);
  BOOST_TEST(train.passed, "training mode, with dropout: " << train.report());
  net.eval();
  const auto eval = gradcheck(net, x, 1e-6);
  BOOST_TEST(eval.passed, "eval mode: " << eval.report());
}

BOOST_AUTO_TEST_CASE_TEMPLATE(embedding_matches_pytorch, P, test_policies) {
  using namespace ctnn;
  const ctnn_test::golden_file g("layers.txt");
  ctnn_test::check_sequential_case<ctnn_test::float_net<P, Input<5>, Embedding<10, 4, 2>>>(
      g, "embedding", 2, false);
}

// Fused Conv+ReLU, both poolings, Flatten, fused Linear+ReLU and LogSoftmax in one network.
BOOST_AUTO_TEST_CASE_TEMPLATE(lenet_like_network_matches_pytorch, P, test_policies) {
  using namespace ctnn;
  using Net = ctnn_test::float_net<
      P, Input<1, 12, 12>, Conv2d<conv2d_options{.out = 4, .kernel = 5, .padding = 2}>, ReLU,
      MaxPool2d<pool2d_options{.kernel = 2}>, Conv2d<conv2d_options{.out = 6, .kernel = 3}>, Tanh,
      AvgPool2d<pool2d_options{.kernel = 2}>, Flatten, Linear<10>, ReLU, Linear<3>, LogSoftmax>;
  static_assert(Net::template fuses_next<0> && Net::template fuses_next<3> &&
                Net::template fuses_next<7>);
  ctnn_test::check_sequential_case<Net>(ctnn_test::golden_file("layers.txt"), "lenet", 2);
}

// Every new layer in one network, in double: reverse mode against dual numbers.
BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_of_every_layer, P, test_policies) {
  using namespace ctnn;
  using Cnn = basic_sequential<
      double, P, Input<2, 7, 6>,
      Conv2d<conv2d_options{.out = 4, .kernel = 3, .stride = 2, .padding = 1}>, ReLU,
      MaxPool2d<pool2d_options{.kernel = 2, .stride = 1}>,
      Conv2d<conv2d_options{.out = 4, .kernel = {2, 1}, .dilation = {1, 2}, .groups = 2}>, GELU,
      AvgPool2d<pool2d_options{.kernel = 2, .padding = 1}>, Dropout<0.3f>, AdaptiveAvgPool2d<2, 1>,
      Flatten, Linear<5>, LeakyReLU<0.1f>, Reshape<5, 1>,
      Conv1d<conv1d_options{.out = 3, .kernel = 1}>, MaxPool1d<pool1d_options{.kernel = 1}>,
      AvgPool1d<pool1d_options{.kernel = 1}>, Identity, Flatten, LogSoftmax>;
  const Cnn cnn(3);
  for (std::size_t batch : {1u, 3u}) {
    const auto result = gradcheck(cnn, ctnn_test::sample_input<Cnn>(batch), 1e-6);
    BOOST_TEST(result.passed, "cnn, batch " << batch << ": " << result.report());
  }
  // Without a padding row: PyTorch's padding row is deliberately not differentiated.
  using Text = basic_sequential<double, P, Input<5>, Embedding<7, 3>, Flatten, Linear<2>, Softmax>;
  const Text text(1);
  const typename Text::input_tensor ids(2, {1, 0, 6, 2, 2, 3, 4, 5, 0, 0});
  const auto result = gradcheck(text, ids, 1e-6);
  BOOST_TEST(result.passed, "embedding: " << result.report());
}

// A convolution's products over several samples' columns side by side (samples_side_by_side):
// a batch of whole groups of samples and one with a partial last group, with padding and conv
// groups, against dual numbers.
BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_of_conv_over_samples_side_by_side, P, test_policies) {
  using namespace ctnn;
  using Conv = Conv2d<conv2d_options{.out = 4, .kernel = 3, .padding = 1, .groups = 2}>;
  static_assert(Conv::template samples_side_by_side<Shape<2, 16, 16>> == 2,
                "the batches below should span more than one group of samples");
  using Net = basic_sequential<double, P, Input<2, 16, 16>, Conv, Tanh, Flatten, Linear<3>>;
  const Net net(5);
  for (std::size_t batch : {4u, 5u}) {
    const auto result = gradcheck(net, ctnn_test::sample_input<Net>(batch), 1e-6);
    BOOST_TEST(result.passed, "batch " << batch << ": " << result.report());
  }
}

// The normalisation layers with non-default affine parameters, in training and in eval mode.
BOOST_AUTO_TEST_CASE_TEMPLATE(gradcheck_of_normalization, P, test_policies) {
  using namespace ctnn;
  using Net =
      basic_sequential<double, P, Input<3, 4, 5>, BatchNorm2d<>, Tanh,
                       InstanceNorm2d<instancenorm_options{.affine = true}>, Sigmoid,
                       InstanceNorm2d<>, LayerNorm<layernorm_options{.axes = 2}>, Flatten,
                       Linear<6>, BatchNorm1d<batchnorm_options{.momentum = 0.3, .affine = false}>,
                       ReLU, Reshape<2, 3>, BatchNorm1d<>, LayerNorm<>, Tanh,
                       LayerNorm<layernorm_options{.elementwise_affine = false}>>;
  Net net(3);
  auto p = net.parameters();
  for (std::size_t i = 0; i < p.size(); ++i) p[i] += 0.1 * std::sin(double(i));
  net.set_parameters(p);
  const auto x = ctnn_test::sample_input<Net>(3, 2.0);
  const auto train = gradcheck(net, x, 1e-6);
  BOOST_TEST(train.passed, "training mode: " << train.report());
  net.forward(x);  // move the running statistics away from their start
  net.eval();
  const auto eval = gradcheck(net, x, 1e-6);
  BOOST_TEST(eval.passed, "eval mode: " << eval.report());
}

BOOST_AUTO_TEST_SUITE_END()
