// Block cases that every backend must pass: Block, Named, Residual, Concat, Sum, Shared and a
// Sequential used as a layer, against the PyTorch modules of tests/golden/make_golden.py
// (blocks()), and gradcheck through every kind of block. Included like layer_cases.hpp.
#pragma once

#include <boost/test/unit_test.hpp>

#include <string_view>

#include "ctnn/core.hpp"
#include "support/inputs.hpp"
#include "support/sequential_case.hpp"

namespace ctnn_test::blocks {
using namespace ctnn;

struct MLP : Block<Named<"hidden", Linear<8>>, ReLU, Named<"out", Linear<6>>> {
  static constexpr std::string_view name = "MLP";
};

template <class P>
using dense_blocks = basic_sequential<
    float, P, Input<5>, MLP, Residual<Linear<4>, Tanh, Linear<6>>,
    Concat<Linear<3>, Block<Linear<2>, Sigmoid>, Identity>,
    Sum<Identity, basic_sequential<float, P, Input<11>, Linear<11>, ReLU>, Shared<Linear<11>, 2>>,
    Shared<Block<Linear<11>, Tanh>, 2>, Named<"head", Linear<3>>>;

template <class P>
using conv_blocks = basic_sequential<
    float, P, Input<2, 5, 5>,
    Concat<Conv2d<conv2d_options{.out = 3, .kernel = 3, .padding = 1}>,
           Block<Conv2d<conv2d_options{.out = 2, .kernel = 1}>, ReLU>, Identity>,
    Residual<Conv2d<conv2d_options{.out = 7, .kernel = 3, .padding = 1}>, BatchNorm2d<>, ReLU>,
    Flatten, Linear<4>>;

}  // namespace ctnn_test::blocks

BOOST_AUTO_TEST_SUITE(CTNN_BLOCK_SUITE)

BOOST_AUTO_TEST_CASE_TEMPLATE(dense_blocks_match_pytorch, P, test_policies) {
  const ctnn_test::golden_file g("blocks.txt");
  ctnn_test::check_sequential_case<ctnn_test::blocks::dense_blocks<P>>(g, "dense_blocks", 4);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(conv_blocks_with_batchnorm_match_pytorch, P, test_policies) {
  const ctnn_test::golden_file g("blocks.txt");
  ctnn_test::check_sequential_case<ctnn_test::blocks::conv_blocks<P>>(g, "conv_blocks", 3);
}

BOOST_AUTO_TEST_CASE_TEMPLATE(gradients_through_blocks_agree_with_dual_numbers, P, test_policies) {
  using namespace ctnn;
  using Dense = typename ctnn_test::blocks::dense_blocks<P>::template rebind<double>;
  Dense dense(3);
  const auto dense_check = gradcheck<3>(dense, ctnn_test::sample_input<Dense>(2), 1e-6);
  BOOST_TEST(dense_check.passed, dense_check.report());
  using Conv = typename ctnn_test::blocks::conv_blocks<P>::template rebind<double>;
  Conv conv(4);
  for (bool training : {true, false}) {
    conv.train(training);
    const auto conv_check = gradcheck<3>(conv, ctnn_test::sample_input<Conv>(2), 1e-6);
    BOOST_TEST(conv_check.passed, conv_check.report());
  }
}

BOOST_AUTO_TEST_SUITE_END()
