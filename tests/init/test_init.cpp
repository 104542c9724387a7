#include <boost/test/unit_test.hpp>

#include <ctnn/ctnn.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace ctnn;

BOOST_AUTO_TEST_SUITE(initialisers)

namespace {
struct moments {
  double mean, std, min, max;
};
template <class V>
moments moments_of(const V& v) {
  double sum = 0, sq = 0;
  for (double x : v) sum += x, sq += x * x;
  const double mean = sum / double(v.size());
  return {mean, std::sqrt(sq / double(v.size()) - mean * mean),
          double(*std::min_element(v.begin(), v.end())),
          double(*std::max_element(v.begin(), v.end()))};
}
using Net = Sequential<Input<3, 16, 16>, Conv2d<conv2d_options{.out = 32, .kernel = 5}>, Flatten,
                       Linear<64>>;
}  // namespace

BOOST_AUTO_TEST_CASE(fans_and_gains_follow_pytorch) {
  const auto f = init::compute_fans("w", {32, 3, 5, 5});
  BOOST_TEST(f.in == 75.0);
  BOOST_TEST(f.out == 800.0);
  BOOST_CHECK_THROW(init::compute_fans("0.bias", {32}), shape_error);
  BOOST_TEST(init::calculate_gain(init::nonlinearity::tanh) == 5.0 / 3);
  BOOST_TEST(init::calculate_gain(init::nonlinearity::relu) == std::sqrt(2.0));
  BOOST_TEST(init::calculate_gain(init::nonlinearity::leaky_relu, 0.2) == std::sqrt(2.0 / 1.04));
}

BOOST_AUTO_TEST_CASE(xavier_and_kaiming_have_their_bounds_and_spreads) {
  Net net;
  Generator rng(3);
  // xavier_uniform on Linear [64, 32*12*12]: bound sqrt(6 / (fan_in + fan_out)), variance bound^2
  // / 3.
  init::xavier_uniform(net, "2.weight", rng);
  const double bound = std::sqrt(6.0 / (32 * 12 * 12 + 64));
  const auto x = moments_of(net.parameter("2.weight"));
  BOOST_TEST(x.max <= bound);
  BOOST_TEST(x.min >= -bound);
  BOOST_TEST(x.max > 0.99 * bound);
  BOOST_TEST(x.std == bound / std::sqrt(3.0), boost::test_tools::tolerance(0.01));
  // kaiming_normal on the conv weight [32, 3, 5, 5]: std sqrt(2) / sqrt(75).
  init::kaiming_normal(net, "0.weight", rng);
  const auto k = moments_of(net.parameter("0.weight"));
  BOOST_TEST(k.std == std::sqrt(2.0 / 75), boost::test_tools::tolerance(0.05));
  BOOST_TEST(std::abs(k.mean) < 0.02);
  // kaiming_uniform, fan_out, tanh: bound sqrt(3) * (5/3) / sqrt(800).
  init::kaiming_uniform(net, "0.weight", rng, 0, init::fan_mode::fan_out, init::nonlinearity::tanh);
  const auto u = moments_of(net.parameter("0.weight"));
  BOOST_TEST(u.max <= std::sqrt(3.0) * 5.0 / 3 / std::sqrt(800.0));
  BOOST_TEST(u.max > 0.98 * std::sqrt(3.0) * 5.0 / 3 / std::sqrt(800.0));
}

BOOST_AUTO_TEST_CASE(apply_visits_every_parameter_and_seeds_reproduce) {
  Net a, b;
  const auto initialise = [](std::uint64_t seed) {
    return [rng = Generator(seed)](Net& net, const Net::parameter_info& info) mutable {
      if (info.dims.size() >= 2) {
        init::xavier_normal(net, info.name, rng);
      } else {
        init::constant(net, info.name, 0.1);
      }
    };
  };
  init::apply(a, initialise(7));
  init::apply(b, initialise(7));
  BOOST_TEST(a.parameters() == b.parameters());
  for (float v : a.parameter("2.bias")) BOOST_TEST(v == 0.1f);
  init::apply(b, initialise(8));
  BOOST_TEST(a.parameters() != b.parameters());
  init::ones(a, "0.bias");
  init::zeros(a, "2.weight");
  for (float v : a.parameter("0.bias")) BOOST_TEST(v == 1.0f);
  for (float v : a.parameter("2.weight")) BOOST_TEST(v == 0.0f);
  Generator rng(1);
  BOOST_CHECK_THROW(init::normal(a, "5.weight", rng), index_error);
}

BOOST_AUTO_TEST_SUITE_END()
