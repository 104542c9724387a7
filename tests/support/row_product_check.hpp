// The CPU backend's row_times_matrix (row_product.hpp): y = x W for one row, summed over k in
// either order. Against the sums in long double at widths that take every kind of chunk (one to
// eight registers, then single columns), with y starting as NaN so that an entry left unwritten
// fails; and the order itself, on sums whose rounding tells it. Shared by ctnn_tests and
// ctnn_avx2_tests (eight-lane registers, so other chunks).
#pragma once

#include <boost/test/unit_test.hpp>

#include <ctnn/backend/cpu/row_product.hpp>
#include <ctnn/core/random.hpp>

#include "support/compare.hpp"

#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace ctnn_test {

template <class T>
void check_row_times_matrix_sums() {
  ctnn::Generator rng(31);
  const auto random = [&](std::size_t n) {
    std::vector<T> v(n);
    for (auto& e : v) e = static_cast<T>(rng.uniform(-1.0, 1.0));
    return v;
  };
  for (std::size_t n : {1u, 3u, 16u, 17u, 33u, 64u, 128u, 144u, 192u, 201u, 256u, 263u})
    for (std::size_t k : {1u, 2u, 3u, 17u, 64u}) {
      const auto x = random(k), w = random(k * n);
      std::vector<long double> want(n, 0.0L);  // long double: a reference for long double too
      for (std::size_t j = 0; j < n; ++j)
        for (std::size_t p = 0; p < k; ++p) want[j] += (long double)x[p] * w[p * n + j];
      for (auto order : {ctnn::sum_order::ascending, ctnn::sum_order::descending}) {
        std::vector<T> y(n, std::numeric_limits<T>::quiet_NaN());
        ctnn::cpu::row_times_matrix(n, k, x.data(), w.data(), y.data(), order);
        double worst = 0;
        for (std::size_t j = 0; j < n; ++j) worst = worse(worst, double(std::abs(y[j] - want[j])));
        // sums of k products in [-1, 1]: room for rounding, not for a wrong or missing term
        const double bound = 8 * double(std::numeric_limits<T>::epsilon()) * double(k);
        BOOST_TEST(worst <= bound, "n " << n << " k " << k << " descending "
                                        << (order == ctnn::sum_order::descending) << ": error "
                                        << worst);
      }
    }
}

// x = (big, 0, -big, 0, 1, 0) against a W of ones, big so large that big + 1 rounds to big:
// first to last the sum is (big - big) + 1 = 1; last to first, 1 is lost in -big and the sum is
// 0. (With two sets of sums, as the kernel keeps for narrow chunks, the same: the terms at even
// positions meet in one of them.)
template <class T>
void check_row_times_matrix_order() {
  const T big = T(4) / std::numeric_limits<T>::epsilon();
  const std::vector<T> x{big, T(0), -big, T(0), T(1), T(0)};
  for (std::size_t n : {1u, 16u, 17u, 48u, 112u, 128u, 256u, 263u}) {
    const std::vector<T> w(x.size() * n, T(1));
    std::vector<T> up(n), down(n);
    ctnn::cpu::row_times_matrix(n, x.size(), x.data(), w.data(), up.data(),
                                ctnn::sum_order::ascending);
    ctnn::cpu::row_times_matrix(n, x.size(), x.data(), w.data(), down.data(),
                                ctnn::sum_order::descending);
    std::size_t wrong = 0;
    for (std::size_t j = 0; j < n; ++j) wrong += (up[j] != T(1)) + (down[j] != T(0));
    BOOST_TEST(wrong == 0u, "n " << n << ": " << wrong << " sums not in the order asked");
  }
}

}  // namespace ctnn_test
