// Compile-time facts only: this translation unit is the test. If it compiles, the shape rules,
// the layer numbering, the parameter offsets and the fusion decisions hold.
#include <boost/test/unit_test.hpp>

#include <ctnn/ctnn.hpp>

#include <array>
#include <type_traits>

namespace {
using namespace ctnn;

static_assert(Shape<1, 28, 28>::rank == 3 && Shape<1, 28, 28>::size == 784);
static_assert(std::is_empty_v<Shape<3, 4>>);
static_assert(std::is_same_v<shape_from<std::array<std::size_t, 2>{16, 5}>, Shape<16, 5>>);

using Net = Sequential<Input<1, 28, 28>, Flatten, Linear<128>, ReLU, Linear<64>, ReLU, Linear<10>>;
static_assert(Net::layer_count == 6);
static_assert(std::is_same_v<Net::input_shape, Shape<1, 28, 28>>);
static_assert(std::is_same_v<Net::boundary_shape<1>, Shape<784>>);
static_assert(std::is_same_v<Net::boundary_shape<3>, Shape<128>>);
static_assert(std::is_same_v<Net::output_shape, Shape<10>>);
static_assert(std::is_same_v<Net::layer_type<4>, ReLU>);
static_assert(Net::shapes_ok);

// Parameters: sizes and offsets are compile-time sums; views and activations have none.
static_assert(Net::param_offsets[1] == 0 && Net::param_offsets[2] == 784 * 128 + 128);
static_assert(Net::parameter_count == 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10);
static_assert(Linear<3>::parameters<Shape<5>>[0].size() == 15);
static_assert(Linear<3, false>::parameters<Shape<5>>.size() == 1);

// Flatten is a view: its output shares storage with the input (the caller's x); the inner
// boundaries follow one another in the recorded workspace; the output is the caller's y.
static_assert(Net::body::boundary_source[1] == 0 && Net::body::boundary_source[2] == 2);
static_assert(Net::body::boundary_offsets[2] == 0 && Net::body::boundary_offsets[3] == 128 &&
              Net::body::boundary_offsets[5] == 128 + 128 + 64);
static_assert(Net::body::max_inner_boundary == 128);
static_assert(Net::workspace_per_sample == 784 + 10 + 2 * 128 + 2 * 64);

// Fusion: Linear followed by an activation runs as one pass.
static_assert(Net::fuses_next<1> && Net::fused_into_previous<2>);
static_assert(Net::fuses_next<3> && !Net::fuses_next<5> && !Net::fuses_next<0>);
using Unfused = Sequential<Input<4>, ReLU, Linear<3>, Flatten, Tanh>;
static_assert(!Unfused::fuses_next<0> && !Unfused::fuses_next<1> &&
              !Unfused::fused_into_previous<3>);

// Concepts.
static_assert(Layer<Linear<3>> && Layer<ReLU> && Layer<Flatten> && !Layer<int> && !Layer<Input<3>>);
static_assert(Optimizer<optim::SGD<Net>>);
static_assert(!Policy<policy::any>);
static_assert(is_policy_tag_v<policy::thrust_omp> &&
              std::is_base_of_v<policy::thrust, policy::thrust_cuda>);

// Rebinding keeps the architecture.
using DoubleNet = Net::rebind<double>;
static_assert(std::is_same_v<DoubleNet::value_type, double> &&
              DoubleNet::parameter_count == Net::parameter_count);
}  // namespace

BOOST_AUTO_TEST_CASE(static_shape_checks_compiled) {
  BOOST_TEST(Net::shapes_ok);
}
