// Blocks on the host backends (the cases in support/block_cases.hpp), and what blocks, frozen
// parameters and the summary promise on the CPU backend.
#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <ctnn/backend/thrust.hpp>
#include <ctnn/ctnn.hpp>

#include <string>
#include <vector>

#include "support/inputs.hpp"

using test_policies =
    boost::mpl::list<ctnn::policy::cpu, ctnn::policy::thrust_cpp, ctnn::policy::thrust_omp>;

#define CTNN_BLOCK_SUITE blocks
#include "support/block_cases.hpp"

namespace {
using namespace ctnn;

std::vector<std::string> names(const auto& infos) {
  std::vector<std::string> out;
  for (const auto& info : infos) out.push_back(info.name);
  return out;
}

// Blocks are ordinary layers: shapes propagate through them at compile time.
using Dense = ctnn_test::blocks::dense_blocks<policy::cpu>;
static_assert(std::is_same_v<Dense::boundary_shape<1>, Shape<6>>);
static_assert(std::is_same_v<Dense::boundary_shape<3>, Shape<11>>);  // 3 + 2 + 6 side by side
static_assert(
    std::is_same_v<ctnn_test::blocks::conv_blocks<policy::cpu>::boundary_shape<1>, Shape<7, 5, 5>>);
}  // namespace

BOOST_AUTO_TEST_SUITE(block_behaviour)

BOOST_AUTO_TEST_CASE(state_dict_keys_follow_the_pytorch_modules) {
  BOOST_TEST(
      names(Dense::named_parameters()) ==
          (std::vector<std::string>{
              "0.hidden.weight", "0.hidden.bias", "0.out.weight", "0.out.bias",  "1.0.weight",
              "1.0.bias",        "1.2.weight",    "1.2.bias",     "2.0.weight",  "2.0.bias",
              "2.1.0.weight",    "2.1.0.bias",    "3.1.0.weight", "3.1.0.bias",  "3.2.weight",
              "3.2.bias",        "4.0.weight",    "4.0.bias",     "head.weight", "head.bias"}),
      boost::test_tools::per_element());
  using Conv = ctnn_test::blocks::conv_blocks<policy::cpu>;
  BOOST_TEST(names(Conv::named_buffers()) ==
                 (std::vector<std::string>{"1.1.running_mean", "1.1.running_var",
                                           "1.1.num_batches_tracked"}),
             boost::test_tools::per_element());
  // Access by layer position goes through the element's key.
  Dense net(1);
  BOOST_TEST(net.layer<0>().parameter("hidden.bias") == net.parameter("0.hidden.bias"));
  BOOST_TEST(net.layer<5>().parameter("weight") == net.parameter("head.weight"));
}

BOOST_AUTO_TEST_CASE(a_shared_layer_sums_the_gradients_of_both_applications) {
  // y = W (W x) with one W: dL/dW = g (W x)^T + W^T g x^T, worked here by hand for 2 x 2.
  using Net = Sequential<Input<2>, Shared<Linear<2, false>, 2>>;
  Net net;
  const std::vector<float> w{1, 2, 3, 4}, x{1, -1}, g{1, 2};
  net.set_parameter("0.weight", w);
  const auto y = net.forward(Net::input_tensor(1, x)).to_host();
  // W x = [-1, -1]; W (W x) = [-3, -7].
  BOOST_TEST(y == (std::vector<float>{-3, -7}), boost::test_tools::per_element());
  net.zero_grad();
  net.backward(Net::output_tensor(1, g));
  // g (Wx)^T = [[-1, -1], [-2, -2]]; W^T g = [7, 10], times x^T = [[7, -7], [10, -10]].
  BOOST_TEST(net.gradient("0.weight") == (std::vector<float>{6, -8, 8, -12}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(constants_and_frozen_parameters_are_never_updated) {
  using Net = Sequential<Input<3>, Frozen<Linear<4>>, ReLU, Linear<4>, Tanh, Linear<2>>;
  Net net(5);
  const auto params = Net::named_parameters();
  BOOST_TEST(!params[0].trainable);
  BOOST_TEST(!net.requires_grad("0.weight"));
  BOOST_TEST(net.requires_grad("2.weight"));
  BOOST_CHECK_THROW(net.set_requires_grad("0", true), ctnn::state_error);
  net.set_requires_grad("2", false);  // both of layer 2's tensors, as requires_grad_(False)
  BOOST_TEST(!net.requires_grad("2.bias"));
  BOOST_CHECK_THROW(net.set_requires_grad("7", false), ctnn::index_error);

  const auto before = net.parameters();
  optim::Adam opt{net, {.lr = 0.1, .weight_decay = 0.1}};
  const auto x = ctnn_test::sample_input<Net>(4);
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    net.forward(x);
    net.backward(Net::output_tensor(4, std::vector<float>(8, 1.0f)));
    for (const char* frozen : {"0.weight", "0.bias", "2.weight", "2.bias"}) {
      const auto grad = net.gradient(frozen);
      BOOST_TEST(grad == std::vector<float>(grad.size(), 0.0f), boost::test_tools::per_element());
    }
    opt.step();
  }
  for (const char* frozen : {"0.weight", "0.bias", "2.weight", "2.bias"})
    BOOST_TEST(net.parameter(frozen) == Net(5).parameter(frozen), frozen);
  BOOST_TEST(net.parameter("4.weight") != Net(5).parameter("4.weight"));
  BOOST_TEST(net.parameters() != before);

  // Unfrozen again, layer 2 trains.
  net.set_requires_grad("2", true);
  const auto layer2 = net.parameter("2.weight");
  opt.zero_grad();
  net.forward(x);
  net.backward(Net::output_tensor(4, std::vector<float>(8, 1.0f)));
  opt.step();
  BOOST_TEST(net.parameter("2.weight") != layer2);
}

BOOST_AUTO_TEST_CASE(summary_lists_layers_shapes_and_counts) {
  using Net = Sequential<Input<1, 28, 28>, Flatten, Frozen<Linear<128>>, ReLU,
                         Residual<Linear<128>, ReLU>, Linear<10>>;
  const std::string s = Net().summary();
  BOOST_TEST_MESSAGE(s);
  for (const char* line :
       {"0 (Flatten)", "[-1, 784]", "1 (Linear)", "100480", "3 (Residual)", "  0 (Linear)", "16512",
        "4 (Linear)", "[-1, 10]", "Total params: 118282", "Trainable params: 17802",
        "Non-trainable params: 100480"})
    BOOST_TEST(s.find(line) != std::string::npos, "summary has \"" << line << "\":\n" << s);
}

BOOST_AUTO_TEST_SUITE_END()
