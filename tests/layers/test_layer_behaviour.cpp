#include <boost/test/unit_test.hpp>

#include <ctnn/backend/thrust.hpp>
#include <ctnn/ctnn.hpp>

#include "support/compare.hpp"

#include <cmath>
#include <string>
#include <vector>

using namespace ctnn;

BOOST_AUTO_TEST_SUITE(layer_behaviour)

// The classic 4x4 input. With the kernel [[0,1,1],[0,1,1],[1,1,1]] (no bias):
//   out[0][0] = 2+3 + 1+2 + 3+0+1 = 12     out[0][1] = 3+0 + 2+3 + 0+1+2 = 11
//   out[1][0] = 1+2 + 0+1 + 2+3+0 = 9      out[1][1] = 2+3 + 1+2 + 3+0+1 = 12
const std::vector<float> four_by_four{1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 3, 0, 1};

BOOST_AUTO_TEST_CASE(conv_4x4_input_3x3_kernel_worked_by_hand) {
  using Net =
      Sequential<Input<1, 4, 4>, Conv2d<conv2d_options{.out = 1, .kernel = 3, .bias = false}>>;
  static_assert(std::is_same_v<Net::output_shape, Shape<1, 2, 2>>);
  Net net;
  net.set_parameter("0.weight", std::vector<float>{0, 1, 1, 0, 1, 1, 1, 1, 1});
  const auto y = net(Net::input_tensor(1, four_by_four)).to_host();
  BOOST_TEST(y == (std::vector<float>{12, 11, 9, 12}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(pooling_2x2_of_4x4_worked_by_hand) {
  // Windows: {1,2,0,1} {3,0,2,3} / {3,0,2,3} {1,2,0,1}
  using Max = Sequential<Input<1, 4, 4>, MaxPool2d<pool2d_options{.kernel = 2}>>;
  using Avg = Sequential<Input<1, 4, 4>, AvgPool2d<pool2d_options{.kernel = 2}>>;
  BOOST_TEST(
      Max()(Max::input_tensor(1, four_by_four)).to_host() == (std::vector<float>{2, 3, 3, 2}),
      boost::test_tools::per_element());
  BOOST_TEST(
      Avg()(Avg::input_tensor(1, four_by_four)).to_host() == (std::vector<float>{1, 2, 2, 1}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(output_extents_and_parameter_layouts_are_pytorchs) {
  // (I - dilation (K - 1) - 1 + 2 P) / S + 1
  using C = Conv2d<conv2d_options{
      .out = 8, .kernel = {3, 5}, .stride = 2, .padding = {1, 2}, .dilation = 2, .groups = 2}>;
  using Net = Sequential<Input<4, 17, 20>, C>;
  static_assert(
      std::is_same_v<Net::output_shape,
                     Shape<8, (17 - 2 * 2 - 1 + 2) / 2 + 1, (20 - 2 * 4 - 1 + 4) / 2 + 1>>);
  const auto params = Net::named_parameters();
  BOOST_TEST(params[0].name == "0.weight");
  BOOST_TEST(params[0].dims == (std::vector<std::size_t>{8, 2, 3, 5}),
             boost::test_tools::per_element());
  BOOST_TEST(params[1].dims == (std::vector<std::size_t>{8}), boost::test_tools::per_element());
  using C1 = Sequential<Input<3, 10>, Conv1d<conv1d_options{.out = 4, .kernel = 3}>>;
  BOOST_TEST(C1::named_parameters()[0].dims == (std::vector<std::size_t>{4, 3, 3}),
             boost::test_tools::per_element());
  static_assert(std::is_same_v<C1::output_shape, Shape<4, 8>>);
}

BOOST_AUTO_TEST_CASE(default_conv_init_uses_the_fan_in_bound) {
  using Net = Sequential<Input<3, 8, 8>, Conv2d<conv2d_options{.out = 16, .kernel = 5}>>;
  const Net net(4);
  const double bound = 1 / std::sqrt(3.0 * 25);
  double hi = 0;
  for (float w : net.parameter("0.weight")) hi = std::max(hi, std::abs(double(w)));
  BOOST_TEST(hi <= bound);
  BOOST_TEST(hi > 0.98 * bound);
}

// Dropout p = 0.4: keeps about 60% of the elements, scales them by 1/0.6, reuses the mask in
// backward, passes through in eval mode, draws a new mask for each forward, and draws the same
// mask on every backend for the same state.
template <class P>
using DropNet = basic_sequential<float, P, Input<20000>, Dropout<0.4f>>;

BOOST_AUTO_TEST_CASE(dropout_keeps_the_expected_fraction_and_scales) {
  using Net = DropNet<policy::cpu>;
  Net net(8);
  const std::vector<float> ones(20000, 1.0f);
  const Net::input_tensor x(1, ones);
  const auto y = net.forward(x).to_host();
  std::size_t kept = 0;
  for (float v : y) {
    BOOST_TEST_REQUIRE((v == 0.0f || std::abs(v - 1.0f / 0.6f) < 1e-6f), "value " << v);
    kept += v != 0.0f;
  }
  const double fraction = double(kept) / y.size();  // 0.6 +- 3 sigma, sigma = sqrt(0.24 / 20000)
  BOOST_TEST(std::abs(fraction - 0.6) < 3 * std::sqrt(0.24 / 20000), "kept " << fraction);

  std::vector<float> dy(20000);
  for (std::size_t i = 0; i < dy.size(); ++i) dy[i] = float(i % 7) + 1;
  Net::input_tensor dx;
  net.backward(Net::output_tensor(1, dy), dx);
  const auto dxs = dx.to_host();
  for (std::size_t i = 0; i < dy.size(); ++i)
    BOOST_TEST_REQUIRE(dxs[i] == (y[i] == 0.0f ? 0.0f : dy[i] / 0.6f),
                       boost::test_tools::tolerance(1e-6f));

  BOOST_TEST(net.forward(x).to_host() != y);  // a new mask for a new forward
  net.eval();
  BOOST_TEST(net.forward(x).to_host() == ones);
  net.train();
  BOOST_TEST(net(x).to_host() == ones);  // inference never drops
}

BOOST_AUTO_TEST_CASE(dropout_masks_are_the_same_on_every_backend) {
  DropNet<policy::cpu> cpu(5);
  DropNet<policy::thrust_omp> omp(5);
  const std::vector<float> ones(20000, 1.0f);
  const auto a = cpu.forward(DropNet<policy::cpu>::input_tensor(1, ones)).to_host();
  const auto b = omp.forward(DropNet<policy::thrust_omp>::input_tensor(1, ones)).to_host();
  BOOST_TEST(a == b);
}

BOOST_AUTO_TEST_CASE(embedding_rejects_ids_outside_the_table) {
  using Net = Sequential<Input<3>, Embedding<5, 2>>;
  const Net net;
  BOOST_CHECK_EXCEPTION(
      net(Net::input_tensor(2, {0, 1, 2, 3, 5, 4})), index_error, [](const index_error& e) {
        const std::string m = e.what();
        return m.find("token id 5 ") != std::string::npos &&
               m.find("position 4") != std::string::npos && m.find("[0, 5)") != std::string::npos;
      });
  BOOST_CHECK_THROW(net(Net::input_tensor(1, {0, 1.5f, 2})), index_error);
  BOOST_CHECK_THROW(net(Net::input_tensor(1, {-1, 1, 2})), index_error);
  BOOST_CHECK_NO_THROW(net(Net::input_tensor(1, {0, 4, 2})));
}

BOOST_AUTO_TEST_CASE(embedding_padding_row_starts_at_zero) {
  using Net = Sequential<Input<3>, Embedding<6, 4, 3>>;
  const Net net(2);
  const auto w = net.parameter("0.weight");
  for (std::size_t d = 0; d < 4; ++d) BOOST_TEST(w[3 * 4 + d] == 0.0f);
  BOOST_TEST(w[0] != 0.0f);
}

BOOST_AUTO_TEST_CASE(batchnorm_needs_more_than_one_value_per_channel_to_train) {
  using Net = Sequential<Input<4>, BatchNorm1d<>>;
  Net net;
  BOOST_CHECK_EXCEPTION(net.forward(Net::input_tensor(1)), shape_error, [](const shape_error& e) {
    return std::string(e.what()).find("more than 1 value per channel") != std::string::npos;
  });
  BOOST_CHECK_NO_THROW(net.forward(Net::input_tensor(2)));
  net.eval();
  BOOST_CHECK_NO_THROW(net.forward(Net::input_tensor(1)));
}

BOOST_AUTO_TEST_CASE(batchnorm_buffers_have_pytorchs_names_and_start_values) {
  using Net = Sequential<Input<2, 3, 3>, BatchNorm2d<>>;
  const Net net;
  const auto buffers = Net::named_buffers();
  BOOST_TEST_REQUIRE(buffers.size() == 3u);
  BOOST_TEST(buffers[0].name == "0.running_mean");
  BOOST_TEST(buffers[1].name == "0.running_var");
  BOOST_TEST(buffers[2].name == "0.num_batches_tracked");
  BOOST_TEST(buffers[2].dims.empty());
  BOOST_TEST(net.buffers() == (std::vector<float>{0, 0, 1, 1, 0}),
             boost::test_tools::per_element());
  BOOST_TEST(net.parameters() == (std::vector<float>{1, 1, 0, 0}),
             boost::test_tools::per_element());
}

// Inference of one sequence runs all steps in one call on the CPU (backend recurrence); forward
// for training, and more than one sequence, take a GEMM per step. Both must agree, with and
// without bias, for the whole sequence and for the last step.
template <class Net>
void check_one_sequence_matches_the_batch_path() {
  Net net;
  const std::size_t n = Net::input_shape::size;
  std::vector<float> two(2 * n);
  for (std::size_t i = 0; i < two.size(); ++i) two[i] = std::sin(0.37f * float(i));
  const std::vector<float> one(two.begin(), two.begin() + long(n));
  const auto alone = net(typename Net::input_tensor(1, one)).to_host();
  const auto in_batch = net(typename Net::input_tensor(2, two)).to_host();
  const auto training = net.forward(typename Net::input_tensor(1, one)).to_host();
  BOOST_TEST_REQUIRE(alone.size() == Net::output_shape::size);
  // States are in (-1, 1), sums of ~100 products in a different order: absolute differences.
  for (std::size_t i = 0; i < alone.size(); ++i) {
    BOOST_TEST(std::abs(alone[i] - in_batch[i]) <= 2e-6f, i << ": " << alone[i] << " " << in_batch[i]);
    BOOST_TEST(std::abs(alone[i] - training[i]) <= 2e-6f, i << ": " << alone[i] << " " << training[i]);
  }
}

BOOST_AUTO_TEST_CASE(rnn_one_sequence_matches_the_batch_path) {
  check_one_sequence_matches_the_batch_path<Sequential<Input<9, 5>, RNN<rnn_options{.hidden = 64}>>>();
  check_one_sequence_matches_the_batch_path<
      Sequential<Input<4, 3>, RNN<rnn_options{.hidden = 83, .bias = false, .output = rnn_output::last}>>>();
}

// Inference of one sequence keeps W_hh^T and W_ih^T between calls on the CPU while the
// parameters are unchanged: after each kind of change it must still agree with the training
// forward, which transposes nothing.
BOOST_AUTO_TEST_CASE(rnn_one_sequence_sees_every_parameter_change) {
  using Net = Sequential<Input<9, 5>, RNN<rnn_options{.hidden = 64}>>;
  Net net;
  std::vector<float> x(Net::input_shape::size);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * float(i));
  const typename Net::input_tensor one(1, x);
  const auto check = [&](const char* after) {
    const auto alone = net(one).to_host();
    const auto training = net.forward(one).to_host();
    double worst = 0;
    for (std::size_t i = 0; i < alone.size(); ++i)
      worst = ctnn_test::worse(worst, double(std::abs(alone[i] - training[i])));
    BOOST_TEST(worst <= 2e-6, "after " << after << ": difference " << worst);
    return alone;
  };
  const auto first = check("construction");
  check("a second call");
  for (const char* name : {"0.weight_hh_l0", "0.weight_ih_l0"}) {
    std::vector<float> w(net.parameter(name).size());
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.2f * std::cos(0.11f * float(i));
    net.set_parameter(name, w);
    check(name);
  }
  net.parameter_data()[net.parameters().size() - 1] += 0.5f;  // bias_hh_l0
  net.parameter_data()[0] += 0.5f;                             // weight_ih_l0
  BOOST_TEST(check("writes through parameter_data()") != first);
}

BOOST_AUTO_TEST_SUITE_END()
