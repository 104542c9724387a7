#include <boost/test/unit_test.hpp>

#include <ctnn/core/dual.hpp>
#include <ctnn/core/ops.hpp>

#include <cmath>

using ctnn::Dual;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(dual)

// Each function's tangent against its derivative written out analytically.
BOOST_AUTO_TEST_CASE(functions_have_their_analytic_derivatives) {
  for (double v : {-2.5, -0.3, 0.7, 1.9}) {
    const auto x = Dual<double>::variable(v);
    BOOST_TEST(exp(x).grad[0] == std::exp(v), tt::tolerance(1e-14));
    BOOST_TEST(tanh(x).grad[0] == 1 - std::tanh(v) * std::tanh(v), tt::tolerance(1e-14));
    BOOST_TEST(sin(x).grad[0] == std::cos(v), tt::tolerance(1e-14));
    BOOST_TEST(cos(x).grad[0] == -std::sin(v), tt::tolerance(1e-14));
    BOOST_TEST(erf(x).grad[0] == 2 / std::sqrt(M_PI) * std::exp(-v * v), tt::tolerance(1e-14));
    BOOST_TEST((x * x * x).grad[0] == 3 * v * v, tt::tolerance(1e-14));
    BOOST_TEST((1.0 / x).grad[0] == -1 / (v * v), tt::tolerance(1e-14));
    BOOST_TEST(abs(x).grad[0] == (v < 0 ? -1.0 : 1.0));
    if (v > 0) {
      BOOST_TEST(log(x).grad[0] == 1 / v, tt::tolerance(1e-14));
      BOOST_TEST(sqrt(x).grad[0] == 0.5 / std::sqrt(v), tt::tolerance(1e-14));
      BOOST_TEST(pow(x, 2.5).grad[0] == 2.5 * std::pow(v, 1.5), tt::tolerance(1e-14));
    }
    BOOST_TEST(log1p(x * x).grad[0] == 2 * v / (1 + v * v), tt::tolerance(1e-14));
  }
}

BOOST_AUTO_TEST_CASE(several_directions_at_once) {
  // f(a, b) = a * b + sin(a): df/da = b + cos(a), df/db = a
  auto a = Dual<double, 2>::variable(0.4, 0);
  auto b = Dual<double, 2>::variable(-1.3, 1);
  const auto f = a * b + sin(a);
  BOOST_TEST(f.value == 0.4 * -1.3 + std::sin(0.4), tt::tolerance(1e-14));
  BOOST_TEST(f.grad[0] == -1.3 + std::cos(0.4), tt::tolerance(1e-14));
  BOOST_TEST(f.grad[1] == 0.4, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(nested_duals_give_second_derivatives) {
  // d2/dx2 tanh(x) = -2 tanh(x) (1 - tanh(x)^2)
  const double v = 0.6;
  using Inner = Dual<double>;
  const Dual<Inner> x = Dual<Inner>::variable(Inner::variable(v));
  const auto y = tanh(x);
  const double t = std::tanh(v);
  BOOST_TEST(y.grad[0].grad[0] == -2 * t * (1 - t * t), tt::tolerance(1e-13));
  BOOST_TEST(ctnn::primal(y) == t, tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(activation_derivatives_come_from_duals) {
  const ctnn::op::Sigmoid sigmoid;
  for (double v : {-800.0, -3.0, 0.0, 2.0, 800.0}) {
    const double s = sigmoid(v);
    BOOST_TEST(ctnn::op::derivative(sigmoid, v) == s * (1 - s), tt::tolerance(1e-14));
    BOOST_TEST(std::isfinite(ctnn::op::derivative(sigmoid, v)));  // no overflow at the extremes
  }
  const ctnn::op::Relu relu;
  BOOST_TEST(ctnn::op::derivative(relu, 2.0) == 1.0);
  BOOST_TEST(ctnn::op::derivative(relu, -2.0) == 0.0);
  BOOST_TEST(ctnn::op::derivative(relu, 0.0) == 0.0);  // PyTorch's convention
}

BOOST_AUTO_TEST_SUITE_END()
