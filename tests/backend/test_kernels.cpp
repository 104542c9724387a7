// The CPU matrix-product kernels against a naive triple loop in double, at the odd sizes that
// reach every edge: m = 1..4 (the few-rows kernels), sizes that are not multiples of the register
// tile (3, 17, 33), k past one cache block, all four transposes, alpha and beta, float and double,
// on one thread and on two. Also the SIMD elementwise maps against the same op on scalars, and the
// transposes (register tiles and edges).
#include <boost/test/unit_test.hpp>

#include <ctnn/ctnn.hpp>

#include "support/col2im_check.hpp"
#include "support/compare.hpp"
#include "support/conv_direct_check.hpp"
#include "support/row_product_check.hpp"
#include "support/tanh_check.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <utility>
#include <vector>
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace {

using ctnn::transpose;

template <class T>
std::vector<T> random_matrix(std::size_t n, std::uint64_t seed) {
  ctnn::Generator rng(seed);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(rng.uniform(-1, 1));
  return v;
}

// C = alpha op(A) op(B) + beta C, in double, with none of the kernels' structure. beta = 0
// ignores C, as in BLAS.
template <class T>
std::vector<double> naive_gemm(transpose ta, transpose tb, std::size_t m, std::size_t n,
                               std::size_t k, double alpha, const std::vector<T>& a,
                               const std::vector<T>& b, double beta, const std::vector<T>& c) {
  std::vector<double> out(m * n);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t p = 0; p < k; ++p) {
        const double x = ta == transpose::yes ? a[p * m + i] : a[i * k + p];
        const double y = tb == transpose::yes ? b[j * k + p] : b[p * n + j];
        s += x * y;
      }
      out[i * n + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * n + j]);
    }
  return out;
}

// The largest error of got against want, relative to 1 + |want| (NaN: an entry not written).
template <class T>
double worst_relative_error(const std::vector<T>& got, const std::vector<double>& want) {
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    worst = ctnn_test::worse(worst, std::abs(double(got[i]) - want[i]) / (1 + std::abs(want[i])));
  return worst;
}

template <class T>
void check_sizes(std::size_t threads, const std::vector<std::size_t>& ms,
                 const std::vector<std::size_t>& ns, const std::vector<std::size_t>& ks) {
  ctnn::set_num_threads(threads);
  // float sums of up to ~600 products of numbers in [-1, 1]; the bound leaves room for a
  // different summation order, not for a wrong element.
  const double tolerance = std::is_same_v<T, float> ? 2e-5 : 1e-12;
  std::uint64_t seed = 1;
  for (auto m : ms)
    for (auto n : ns)
      for (auto k : ks)
        for (auto ta : {transpose::no, transpose::yes})
          for (auto tb : {transpose::no, transpose::yes})
            for (auto [alpha, beta] : {std::pair{1.0, 0.0}, std::pair{0.5, 1.0}, std::pair{-1.5, 0.25}}) {
              const auto a = random_matrix<T>(m * k, ++seed);
              const auto b = random_matrix<T>(k * n, ++seed);
              auto c = random_matrix<T>(m * n, ++seed);
              // beta = 0: every kernel must write all of C (most do not read it then)
              if (beta == 0) std::fill(c.begin(), c.end(), std::numeric_limits<T>::quiet_NaN());
              const auto want = naive_gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
              ctnn::cpu::gemm(ta, tb, m, n, k, T(alpha), a.data(), b.data(), T(beta), c.data());
              const double worst = worst_relative_error(c, want);
              BOOST_TEST(worst <= tolerance * std::max<double>(1, std::sqrt(double(k))),
                         "m " << m << " n " << n << " k " << k << " ta " << int(ta) << " tb "
                              << int(tb) << " alpha " << alpha << " beta " << beta << " threads "
                              << threads << ": error " << worst);
            }
  ctnn::set_num_threads(0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kernels)

BOOST_AUTO_TEST_CASE(gemm_few_rows_and_odd_sizes) {
  // 5 to 16: groups of up to eight rows against B streamed (a convolution's forward)
  const std::vector<std::size_t> ms{1, 2, 3, 4, 5, 6, 8, 11, 16, 17, 33};
  const std::vector<std::size_t> ns{1, 3, 16, 17, 33, 64, 70};  // 16, 64: B in L1 at small k
  const std::vector<std::size_t> ks{1, 3, 16, 17, 300};
  check_sizes<float>(1, ms, ns, ks);
  check_sizes<double>(1, ms, ns, ks);
}

// One row against eight registers of columns at a time on AVX-512 (a batch-1 layer), then four,
// then one, then the padded last columns: 128, 144 = 128 + 16, 201 = 128 + 64 + 9.
BOOST_AUTO_TEST_CASE(gemm_single_row_wide_outputs) {
  check_sizes<float>(1, {1}, {128, 144, 201}, {3, 300});
  check_sizes<double>(1, {1}, {128, 144, 201}, {3, 300});
}

// Past one cache block in every direction (KC = 256, MC and NC a few hundred), and large enough
// to be split over two threads.
BOOST_AUTO_TEST_CASE(gemm_blocks_and_threads) {
  for (std::size_t threads : {1, 2}) {
    check_sizes<float>(threads, {33, 261}, {1, 517}, {513});
    check_sizes<double>(threads, {261}, {33, 517}, {300});
  }
}

// Dot products of A's rows with B's (x W^T at a training batch: LeNet's 32 x 120 x 400), in bands
// of rows over threads: against the reference, and the same C bit for bit at 1, 2 and 3 threads.
BOOST_AUTO_TEST_CASE(gemm_dot_products_split_over_threads) {
  BOOST_TEST(ctnn::cpu::detail::dots_beat_packing<float>(33, 120, 400));
  static_assert(33 * 120 * 400 >= 4 * ctnn::cpu::detail::min_work_per_thread);
  for (std::size_t threads : {1, 2, 3}) check_sizes<float>(threads, {31, 33}, {84, 120}, {400});
  const std::size_t m = 33, n = 120, k = 400;
  const auto a = random_matrix<float>(m * k, 7), b = random_matrix<float>(n * k, 8);
  std::vector<float> one;
  for (std::size_t threads : {1, 2, 3}) {
    ctnn::set_num_threads(threads);
    std::vector<float> c(m * n, std::numeric_limits<float>::quiet_NaN());
    ctnn::cpu::gemm(transpose::no, transpose::yes, m, n, k, 1.0f, a.data(), b.data(), 0.0f,
                    c.data());
    if (threads == 1)
      one = c;
    else
      BOOST_TEST(c == one, "threads " << threads);
  }
  ctnn::set_num_threads(0);
}

// Row groups against a B that fits in L2 (rows_against_b_in_l2), at any m: past 16 rows, a
// partial last group, and enough work to split the groups over two threads.
BOOST_AUTO_TEST_CASE(gemm_row_groups_at_many_rows) {
  BOOST_TEST(ctnn::cpu::detail::rows_against_b_in_l2<float>(261, 100, 300));
  BOOST_TEST(!ctnn::cpu::detail::rows_against_b_in_l2<float>(261, 517, 513));  // 1 MiB: packed
  for (std::size_t threads : {1, 2}) {
    check_sizes<float>(threads, {17, 261}, {100}, {300});
    check_sizes<double>(threads, {261}, {100}, {300});
  }
}

// The blocked GEMM reading whole slivers of A's rows in place (a_as_it_is) instead of packing
// them: rows of A contiguous, m a multiple of MR, k within one block and past it (pc > 0 reads
// from column pc of A's rows). The other transposes and alpha != 1 pack, in the same shapes.
BOOST_AUTO_TEST_CASE(gemm_reads_small_row_major_a_in_place) {
  using ctnn::cpu::detail::a_as_it_is;
  using ctnn::cpu::detail::strided;
  for (std::size_t threads : {1, 2}) {
    check_sizes<float>(threads, {64, 72}, {64, 96}, {300, 600});
    check_sizes<double>(threads, {64}, {64, 96}, {300});
  }
  const std::vector<float> a(72 * 600);
  BOOST_TEST(a_as_it_is(strided<float>{a.data(), 600, 1}, 1.0f, 72, 64));
  BOOST_TEST(!a_as_it_is(strided<float>{a.data(), 600, 1}, 0.5f, 72, 64));
  BOOST_TEST(!a_as_it_is(strided<float>{a.data(), 600, 1}, 1.0f, 71, 64));
  BOOST_TEST(!a_as_it_is(strided<float>{a.data(), 1024, 1}, 1.0f, 8, 64));
  // A block beyond L2 is read in place only when a single sliver of C's columns reads it once.
  constexpr std::size_t NR = ctnn::cpu::detail::blocking<float>::NR;
  BOOST_TEST(!a_as_it_is(strided<float>{a.data(), 6000, 1}, 1.0f, 72, NR + 1));
  BOOST_TEST(a_as_it_is(strided<float>{a.data(), 6000, 1}, 1.0f, 72, NR));
}

// x W^T at up to NR rows of x, computed as (W x^T)^T so that W's rows are read in place (a
// training step's products, where W changes every step): one block and several (n > MC = 192
// on AVX-512), one sliver of x^T, and two threads. The other transposes, alpha and beta take
// the usual kernels in the same shapes.
BOOST_AUTO_TEST_CASE(gemm_x_times_w_transposed_as_its_transpose) {
  using ctnn::cpu::detail::blocking;
  using ctnn::cpu::detail::transpose_reads_b_in_place;
  constexpr std::size_t MR = blocking<float>::MR, NR = blocking<float>::NR;
  // n = 33 MR: more than one block of W's rows (MC = 192 on AVX-512), and not whole slivers of
  // NR, where k = 784 takes dot products instead; 32 MR is.
  const std::size_t m = std::min<std::size_t>(17, NR), n = 33 * MR, k = 784;
  const std::vector<float> w(n * k);
  BOOST_TEST(transpose_reads_b_in_place(w.data(), 1.0f, m, n, k));
  BOOST_TEST(transpose_reads_b_in_place(w.data(), 1.0f, NR, n, k));
  BOOST_TEST(!transpose_reads_b_in_place(w.data(), 1.0f, NR + 1, n, k));  // more than a sliver
  BOOST_TEST(!transpose_reads_b_in_place(w.data(), 1.0f, NR + 1, n, std::size_t(33)));  // in L2
  BOOST_TEST(!transpose_reads_b_in_place(w.data(), 0.5f, m, n, k));  // alpha: pack and scale
  BOOST_TEST(!transpose_reads_b_in_place(w.data(), 1.0f, m, n + 1, k));  // not whole slivers of MR
  BOOST_TEST(!transpose_reads_b_in_place(w.data(), 1.0f, m, n, std::size_t(1024)));  // 4 KiB apart
  for (std::size_t threads : {1, 2}) {
    check_sizes<float>(threads, {m, NR}, {n}, {33});
    check_sizes<float>(threads, {m, NR}, {32 * MR}, {k});
    check_sizes<double>(threads, {m}, {n}, {33});
  }
}

// The dot-product kernel sums a register of dot products with xsimd::haddp, whose lane order
// differs between xsimd builds; an order it does not know would send it to the slower kernel.
BOOST_AUTO_TEST_CASE(haddp_lane_order_is_known) {
  using ctnn::cpu::detail::haddp_order;
  BOOST_TEST((ctnn::cpu::detail::haddp_order_of_this_build<float>() != haddp_order::unknown));
  BOOST_TEST((ctnn::cpu::detail::haddp_order_of_this_build<double>() != haddp_order::unknown));
}

// beta == 0 overwrites C: NaN already in C does not survive, as in BLAS.
BOOST_AUTO_TEST_CASE(gemm_beta_zero_ignores_nan) {
  for (std::size_t m : {1, 33}) {
    const std::size_t n = 17, k = 9;
    const auto a = random_matrix<float>(m * k, 3), b = random_matrix<float>(k * n, 4);
    std::vector<float> c(m * n, std::nanf(""));
    ctnn::cpu::gemm(transpose::no, transpose::no, m, n, k, 1.0f, a.data(), b.data(), 0.0f,
                    c.data());
    BOOST_TEST(std::none_of(c.begin(), c.end(), [](float v) { return std::isnan(v); }));
  }
}

BOOST_AUTO_TEST_CASE(thread_count_is_settable) {
  ctnn::set_num_threads(3);
#if defined(_OPENMP)
  BOOST_TEST(ctnn::get_num_threads() == 3u);
#else
  BOOST_TEST(ctnn::get_num_threads() == 1u);
#endif
  ctnn::set_num_threads(0);
  BOOST_TEST(ctnn::get_num_threads() >= 1u);
#if defined(_OPENMP)
  // Unset, the count is OpenMP's (OMP_NUM_THREADS, or the CPUs this process may use), as torch's.
  const int openmp = omp_get_max_threads();
  BOOST_TEST(ctnn::get_num_threads() == static_cast<std::size_t>(openmp));
  omp_set_num_threads(1);
  BOOST_TEST(ctnn::get_num_threads() == 1u);
  ctnn::set_num_threads(2);
  BOOST_TEST(ctnn::get_num_threads() == 2u);  // an explicit setting wins
  ctnn::set_num_threads(0);
  omp_set_num_threads(openmp);
#endif
}

// An elementwise pass of n elements runs in one contiguous chunk per thread, at most one per
// min_elements_per_thread, edges at whole cache lines (16 floats): every index exactly once.
BOOST_AUTO_TEST_CASE(elementwise_chunks_cover_every_index_once) {
  constexpr std::size_t per_thread = ctnn::cpu::detail::min_elements_per_thread;
  for (std::size_t threads : {1, 2, 3, 5})
    for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(17), 2 * per_thread - 1,
                          2 * per_thread, 2 * per_thread + 1, 3 * per_thread + 35}) {
      ctnn::set_num_threads(threads);
      const std::size_t line = 16;
      std::vector<int> visits(n, 0);
      std::vector<std::pair<std::size_t, std::size_t>> chunks(8);
      std::atomic<std::size_t> count{0};
      ctnn::cpu::detail::for_each_chunk<float>(n, [&](std::size_t begin, std::size_t end) {
        chunks[count++] = {begin, end};
        for (std::size_t i = begin; i < end; ++i) ++visits[i];
      });
      const auto label = "n " + std::to_string(n) + ", threads " + std::to_string(threads);
      BOOST_TEST(std::count(visits.begin(), visits.end(), 1) == std::ptrdiff_t(n), label);
#if defined(_OPENMP)
      const std::size_t want = std::clamp<std::size_t>(n / per_thread, 1, threads);
#else
      const std::size_t want = 1;
#endif
      BOOST_TEST(count.load() == want, label);
      for (std::size_t c = 0; c < count.load(); ++c)
        BOOST_TEST(chunks[c].first % line == 0u, label << ": a chunk at " << chunks[c].first);
    }
  ctnn::set_num_threads(0);
}

// An optimiser's update and zero_grad are split over threads when the model is large enough
// (49 455 parameters here, 3 chunks at 3 threads, the last with a scalar tail): every parameter and
// moment comes out as on one thread, bit for bit.
BOOST_AUTO_TEST_CASE(an_update_split_over_threads_is_the_update_on_one) {
  using Net = ctnn::Sequential<ctnn::Input<784>, ctnn::Linear<63>>;
  static_assert(Net::parameter_count / ctnn::cpu::detail::min_elements_per_thread == 3);
  std::vector<float> params_one, moment_one;
  for (std::size_t threads : {1, 2, 3}) {
    ctnn::set_num_threads(threads);
    Net net;
    ctnn::optim::Adam opt{net, {.lr = 1e-2}};
    for (int step = 0; step < 2; ++step) {
      opt.zero_grad();
      const auto zeros = net.gradients();
      BOOST_TEST(std::count(zeros.begin(), zeros.end(), 0.0f) == std::ptrdiff_t(zeros.size()));
      float* g = net.gradient_data();
      for (std::size_t i = 0; i < Net::parameter_count; ++i)
        g[i] = float(int((i * 7919 + std::size_t(step) * 31) % 2001) - 1000) / 1000;
      opt.step();
    }
    if (threads == 1) {
      params_one = net.parameters();
      moment_one = opt.state(1);
      BOOST_TEST(params_one != Net().parameters());  // the update changed something
    } else {
      BOOST_TEST(net.parameters() == params_one, "threads " << threads);
      BOOST_TEST(opt.state(1) == moment_one, "threads " << threads);
    }
  }
  ctnn::set_num_threads(0);
}

// An index kernel that says how many elements an index touches (a row of pooling windows, of a
// padded plane) is split over threads once the pass is long: every index exactly once, and on
// more than one thread; a lane kernel likewise, a register of indices at a time (a recurrent
// cell's units).
namespace {
struct CountVisits {
  std::size_t elements;
  int* visits;
  int* thread_of;
  std::size_t elements_per_index() const { return elements; }
  void operator()(std::size_t i) const {
    ++visits[i];
#if defined(_OPENMP)
    thread_of[i] = omp_get_thread_num();
#else
    thread_of[i] = 0;
#endif
  }
};

// The same for a lane kernel (a register of indices at a time), which a recurrent cell is.
struct CountVisitsByRegister {
  using value_type = float;
  static constexpr bool simd = true;
  std::size_t elements;
  int* visits;
  int* thread_of;
  std::size_t elements_per_index() const { return elements; }
  template <class Lanes = ctnn::scalar_lanes>
  void operator()(std::size_t i, Lanes = {}) const {
    for (std::size_t e = i; e < i + Lanes::width; ++e) CountVisits{elements, visits, thread_of}(e);
  }
};
}  // namespace

BOOST_AUTO_TEST_CASE(long_index_passes_split_over_threads) {
  using B = ctnn::backend<ctnn::policy::cpu>;
  constexpr std::size_t per_thread = ctnn::cpu::detail::min_elements_per_thread;
  for (std::size_t threads : {1, 2, 3})
    for (std::size_t elements : {std::size_t(1), std::size_t(84)})
      for (std::size_t n : {std::size_t(0), std::size_t(5), 2 * per_thread / elements - 1,
                            2 * per_thread / elements + 1, 3 * per_thread / elements + 7}) {
        for (bool by_register : {false, true}) {
          ctnn::set_num_threads(threads);
          std::vector<int> visits(n, 0), thread_of(n, -1);
          if (by_register)
            B::for_each(n, CountVisitsByRegister{elements, visits.data(), thread_of.data()});
          else
            B::for_each(n, CountVisits{elements, visits.data(), thread_of.data()});
          const auto label = "n " + std::to_string(n) + " x " + std::to_string(elements) +
                             ", threads " + std::to_string(threads) +
                             (by_register ? ", by register" : "");
          BOOST_TEST(std::count(visits.begin(), visits.end(), 1) == std::ptrdiff_t(n), label);
          const int last = n ? *std::max_element(thread_of.begin(), thread_of.end()) : 0;
#if defined(_OPENMP)
          const bool long_pass = n * elements >= 2 * per_thread;
          const std::size_t want =
              long_pass ? std::min<std::size_t>(threads, n * elements / per_thread) : 1;
#else
          const std::size_t want = 1;
#endif
          BOOST_TEST(std::size_t(last + 1) == want, label);
        }
      }
  ctnn::set_num_threads(0);
}

namespace {
// Two training steps of Net on x and classes, with the optimiser make_optimizer(net) returns, at
// 1, 2 and 3 threads: the same loss, gradients and parameters as on one thread, bit for bit.
template <class Net, class MakeOptimizer>
void check_steps_split_over_threads(const typename Net::input_tensor& x,
                                    const ctnn::Tensor<float, ctnn::Shape<1>>& classes,
                                    const MakeOptimizer& make_optimizer) {
  std::vector<float> params_one, grads_one;
  float loss_one = 0;
  for (std::size_t threads : {1, 2, 3}) {
    ctnn::set_num_threads(threads);
    Net net;
    auto opt = make_optimizer(net);
    float loss = 0;
    for (int step = 0; step < 2; ++step)
      loss = ctnn::train_step(net, ctnn::loss::CrossEntropyLoss{}, opt, x, classes);
    if (threads == 1) {
      params_one = net.parameters(), grads_one = net.gradients(), loss_one = loss;
      BOOST_TEST(params_one != Net().parameters());  // the steps changed something
    } else {
      BOOST_TEST(loss == loss_one, "threads " << threads);
      BOOST_TEST(net.gradients() == grads_one, "threads " << threads);
      BOOST_TEST(net.parameters() == params_one, "threads " << threads);
    }
  }
  ctnn::set_num_threads(0);
}
}  // namespace

// A training step of LeNet's convolutions at batch 32, whose elementwise passes (the bias and
// ReLU, the padding, the pooling, the bias gradient) and the second convolution's col2im are long
// enough to be split over threads: the same loss and parameters at 1, 2 and 3 threads, bit for
// bit.
BOOST_AUTO_TEST_CASE(a_convolution_step_split_over_threads_is_the_step_on_one) {
  using Net = ctnn::Sequential<
      ctnn::Input<1, 28, 28>, ctnn::Conv2d<{.out = 6, .kernel = 5, .padding = 2}>, ctnn::ReLU,
      ctnn::MaxPool2d<{.kernel = 2}>, ctnn::Conv2d<{.out = 16, .kernel = 5}>, ctnn::ReLU,
      ctnn::MaxPool2d<{.kernel = 2}>, ctnn::Flatten, ctnn::Linear<10>>;
  constexpr std::size_t batch = 32;
  constexpr std::size_t min_per_thread = ctnn::cpu::detail::min_elements_per_thread;
  // the first convolution's output, 32 x 6 x 28 x 28, is over four threads' minimum
  static_assert(batch * 6 * 28 * 28 >= 4 * min_per_thread);
  // the second one's col2im, a group of 6 samples, each 6 x 25 x 10 x 10 column entries into a
  // 6 x 14 x 14 input gradient, is over two threads' minimum
  static_assert(6 * (6 * 25 * 10 * 10 + 6 * 14 * 14) >= 2 * min_per_thread);
  const Net::input_tensor x(batch, random_matrix<float>(batch * 28 * 28, 41));
  std::vector<float> labels(batch);
  for (std::size_t i = 0; i < batch; ++i) labels[i] = float(i * 7 % 10);
  const ctnn::Tensor<float, ctnn::Shape<1>> classes(batch, labels);
  check_steps_split_over_threads<Net>(x, classes, [](Net& net) {
    return ctnn::optim::SGD{net, {.lr = 0.05, .momentum = 0.9}};
  });
}

// An LSTM's training step at batch 32, whose cells (a unit counts as 8 elements a gate in forward,
// 16 in backward) are split over threads: the same loss, gradients and parameters at 1, 2 and 3
// threads, bit for bit.
BOOST_AUTO_TEST_CASE(a_recurrent_step_split_over_threads_is_the_step_on_one) {
  using Net = ctnn::Sequential<ctnn::Input<12, 8>,
                               ctnn::LSTM<{.hidden = 64, .output = ctnn::rnn_output::last}>,
                               ctnn::Linear<10>>;
  constexpr std::size_t batch = 32;
  using Forward = ctnn::rnn_cells::StepLanes<ctnn::rnn_cells::Lstm, float, 64, false>;
  using Backward = ctnn::rnn_cells::StepLanes<ctnn::rnn_cells::Lstm, float, 64, true>;
  constexpr std::size_t min_per_thread = ctnn::cpu::detail::min_elements_per_thread;
  static_assert(batch * 64 * Forward::elements_per_index() >= 3 * min_per_thread);
  static_assert(batch * 64 * Backward::elements_per_index() >= 3 * min_per_thread);
  const Net::input_tensor x(batch, random_matrix<float>(batch * 12 * 8, 43));
  std::vector<float> labels(batch);
  for (std::size_t i = 0; i < batch; ++i) labels[i] = float(i * 3 % 10);
  const ctnn::Tensor<float, ctnn::Shape<1>> classes(batch, labels);
  check_steps_split_over_threads<Net>(x, classes, [](Net& net) {
    return ctnn::optim::Adam{net, {.lr = 1e-2}};
  });
}

// A vectorizable op runs on SIMD batches in map, map_rows and map_channels; a whole register, a
// tail and both. ReLU, which is not vectorizable, takes map_channels' plain loop.
BOOST_AUTO_TEST_CASE(simd_maps_match_the_scalar_op) {
  using B = ctnn::backend<ctnn::policy::cpu>;
  static_assert(ctnn::cpu::simd_map_applies<ctnn::op::AddBiasThen<ctnn::op::Tanh>, float>);
  static_assert(!ctnn::cpu::simd_map_applies<ctnn::op::Relu, float>);
  for (std::size_t n : {1u, 3u, 16u, 17u, 37u, 100u}) {
    const auto x = random_matrix<float>(n, 11), y = random_matrix<float>(n, 12);
    std::vector<float> out(n);
    B::map(n, ctnn::op::AddBiasThen<ctnn::op::Tanh>{}, out.data(), x.data(), y.data());
    for (std::size_t i = 0; i < n; ++i)
      BOOST_TEST(out[i] == std::tanh(x[i] + y[i]), boost::test_tools::tolerance(2e-6f));
    std::vector<double> rows(3 * n), xd(6 * n);
    const auto row = random_matrix<double>(n, 13);
    for (std::size_t i = 0; i < 6 * n; ++i) xd[i] = 4.0 * x[i % n] - 0.5 * double(i / n);
    B::map_rows(3, n, ctnn::op::AddBiasThen<ctnn::op::Tanh>{}, rows.data(), row.data(), xd.data());
    for (std::size_t i = 0; i < 3 * n; ++i)
      BOOST_TEST(rows[i] == std::tanh(xd[i] + row[i % n]), boost::test_tools::tolerance(1e-14));
    // 2 samples x 3 channels x plane n, a value per channel
    std::vector<double> planes(6 * n), relu(6 * n);
    const auto per_channel = random_matrix<double>(3, 15);
    B::map_channels(2, 3, n, ctnn::op::AddBiasThen<ctnn::op::Tanh>{}, planes.data(),
                    per_channel.data(), xd.data());
    B::map_channels(2, 3, n, ctnn::op::AddBiasThen<ctnn::op::Relu>{}, relu.data(),
                    per_channel.data(), xd.data());
    for (std::size_t i = 0; i < 6 * n; ++i) {
      const double z = xd[i] + per_channel[(i / n) % 3];
      BOOST_TEST(planes[i] == std::tanh(z), boost::test_tools::tolerance(1e-14));
      BOOST_TEST(relu[i] == std::max(z, 0.0));
    }
  }
}

// Sigmoid and GELU, and the derivatives of Sigmoid, Tanh and GELU, on registers (their
// branch-free forms, and dual numbers of registers) against the functions in double: across the range, past where
// exp(-x) overflows in float (x < -88.7: 0, and a slope of 0, not NaN), at infinities and NaN,
// at lengths with and without a tail. 4e-7 absolute: s (1 - s) from a float s near 1 (PyTorch's
// backward) is off by up to an ulp of s.
BOOST_AUTO_TEST_CASE(activations_and_their_gradients_on_registers) {
  using B = ctnn::backend<ctnn::policy::cpu>;
  namespace op = ctnn::op;
  static_assert(ctnn::cpu::simd_map_applies<op::Sigmoid, float>);
  static_assert(ctnn::cpu::simd_map_applies<op::GradThrough<op::Sigmoid>, float>);
  static_assert(ctnn::cpu::simd_map_applies<op::GradThroughBias<op::Tanh>, double>);
  static_assert(!ctnn::cpu::simd_map_applies<op::GradThrough<op::Relu>, float>);
  std::vector<float> x;
  for (int i = -400; i <= 400; ++i) x.push_back(0.25f * float(i) + 0.01f);
  for (float v : {-104.0f, -89.0f, -88.0f, 0.0f, -0.0f, 88.0f, 104.0f}) x.push_back(v);
  const float inf = std::numeric_limits<float>::infinity();
  x.push_back(inf), x.push_back(-inf), x.push_back(std::numeric_limits<float>::quiet_NaN());
  for (std::size_t n : {x.size(), x.size() - 5, std::size_t(3)}) {
    const auto dy = random_matrix<float>(n, 17);
    std::vector<float> bias(n, 0.5f), s(n), ds(n), dt(n);
    B::map(n, op::Sigmoid{}, s.data(), x.data());
    B::map(n, op::GradThrough<op::Sigmoid>{}, ds.data(), x.data(), dy.data());
    B::map_rows(1, n, op::GradThroughBias<op::Tanh>{}, dt.data(), bias.data(), x.data(), dy.data());
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double v = x[i], sig = 1 / (1 + std::exp(-v)), th = std::tanh(v + 0.5);
      const double want[3] = {sig, dy[i] * sig * (1 - sig), dy[i] * (1 - th * th)};
      const float got[3] = {s[i], ds[i], dt[i]};
      const char* names[3] = {"sigmoid", "dsigmoid", "dtanh"};
      for (int k = 0; k < 3; ++k) {
        const bool ok = std::isnan(v)
                            ? std::isnan(got[k])
                            : std::abs(got[k] - want[k]) <= 4e-7 + 2e-7 * std::abs(want[k]);
        if (!ok && wrong++ < 5)
          BOOST_ERROR("x " << v << " n " << n << ": " << names[k] << " " << got[k] << " against "
                           << want[k]);
      }
    }
    BOOST_TEST(wrong == 0u);
  }
  // GELU and its derivative (erf on registers, and on dual numbers of them), at finite x: at
  // -inf the formula is -inf times 0 in every form.
  static_assert(ctnn::cpu::simd_map_applies<op::GradThrough<op::Gelu>, float>);
  const std::size_t finite = x.size() - 3;
  const auto dy = random_matrix<float>(finite, 19);
  std::vector<float> g(finite), dg(finite);
  B::map(finite, op::Gelu{}, g.data(), x.data());
  B::map(finite, op::GradThrough<op::Gelu>{}, dg.data(), x.data(), dy.data());
  std::size_t wrong = 0;
  for (std::size_t i = 0; i < finite; ++i) {
    const double v = x[i], cdf = 0.5 * (1 + std::erf(v / std::sqrt(2.0)));
    const double pdf = std::exp(-v * v / 2) / std::sqrt(2 * 3.14159265358979323846);
    const double want[2] = {v * cdf, dy[i] * (cdf + v * pdf)};
    const float got[2] = {g[i], dg[i]};
    for (int k = 0; k < 2; ++k)
      if (!(std::abs(got[k] - want[k]) <= 4e-7 + 2e-7 * std::abs(want[k])) && wrong++ < 5)
        BOOST_ERROR("x " << v << ": " << (k ? "dgelu " : "gelu ") << got[k] << " against "
                         << want[k]);
  }
  BOOST_TEST(wrong == 0u);
}

// h[t + 1] = tanh(x[t] A + b + h[t] W) against the same sums in double, at hidden sizes that take
// each part of the kernel: the scalar tail (1, 3), one register (16), a register and the tail
// (17), four registers (64) and all three (83); with AVX-512 float, the state of 16, 32, 48 and 64
// kept in registers from step to step; input widths that are and are not whole groups of four
// (the AVX-512 float kernel broadcasts four inputs at a time), strided rows, one step and many.
template <class T>
void check_recurrence(std::size_t steps, std::size_t m, std::size_t n) {
  using B = ctnn::backend<ctnn::policy::cpu>;
  static_assert(ctnn::has_recurrence<B, ctnn::op::AddBiasThen<ctnn::op::Tanh>, T>);
  const std::size_t x_stride = m + 2, h_stride = n + 1;
  const auto x = random_matrix<T>(steps * x_stride, 21), a = random_matrix<T>(m * n, 22),
             b = random_matrix<T>(n, 23), h0 = random_matrix<T>(n, 24);
  auto w = random_matrix<T>(n * n, 25);
  for (auto& e : w) e = static_cast<T>(e * 2 / std::sqrt(double(n)));  // keeps tanh off 1
  std::vector<T> h(steps * h_stride, std::numeric_limits<T>::quiet_NaN());
  B::recurrence(steps, m, n, ctnn::op::AddBiasThen<ctnn::op::Tanh>{}, x.data(), x_stride,
                a.data(), b.data(), w.data(), h0.data(), h.data(), h_stride);
  std::vector<double> prev(h0.begin(), h0.end()), next(n);
  const double tolerance = std::is_same_v<T, float> ? 1e-5 : 1e-13;
  for (std::size_t t = 0; t < steps; ++t) {
    double worst = 0;
    for (std::size_t j = 0; j < n; ++j) {
      double u = b[j], s = 0;
      for (std::size_t k = 0; k < m; ++k) u += double(x[t * x_stride + k]) * a[k * n + j];
      for (std::size_t k = 0; k < n; ++k) s += prev[k] * w[k * n + j];
      next[j] = std::tanh(u + s);
      worst = ctnn_test::worse(worst, std::abs(h[t * h_stride + j] - next[j]));
    }
    BOOST_TEST(worst <= tolerance,
               "steps " << steps << " m " << m << " n " << n << " step " << t << ": error " << worst);
    // The gaps between rows are not written.
    BOOST_TEST(std::isnan(double(h[t * h_stride + n])));
    // The next step starts from what the kernel computed, so errors do not compound here.
    for (std::size_t j = 0; j < n; ++j) prev[j] = h[t * h_stride + j];
  }
}

// op::Tanh on registers of floats against tanh in double (support/tanh_check.hpp); the AVX-512
// tables here, xsimd's tanh in ctnn_avx2_tests.
BOOST_AUTO_TEST_CASE(simd_tanh_within_ulps_of_tanh) { ctnn_test::check_simd_tanh(); }

// One row times a matrix in either order of k (a recurrent step at batch 1); long double takes
// the loops that element types without SIMD kernels take.
BOOST_AUTO_TEST_CASE(row_times_matrix_in_either_order) {
  ctnn_test::check_row_times_matrix_sums<float>();
  ctnn_test::check_row_times_matrix_sums<double>();
  ctnn_test::check_row_times_matrix_sums<long double>();
  ctnn_test::check_row_times_matrix_order<float>();
  ctnn_test::check_row_times_matrix_order<double>();
  ctnn_test::check_row_times_matrix_order<long double>();
}

BOOST_AUTO_TEST_CASE(recurrence_of_one_sequence) {
  for (std::size_t n : {1u, 3u, 16u, 17u, 32u, 48u, 64u, 83u})
    for (std::size_t m : {1u, 3u, 7u, 32u})
      for (std::size_t steps : {1u, 7u}) {
        check_recurrence<float>(steps, m, n);
        check_recurrence<double>(steps, m, n);
      }
}

// The direct convolution (support/conv_direct_check.hpp); ctnn_avx2_tests runs the same on AVX2.
BOOST_AUTO_TEST_CASE(direct_convolution_sums_every_tap) {
  // LeNet's second convolution takes it wherever the CPU has SIMD registers
  static_assert(ctnn::cpu::conv_direct_applies<ctnn::window_geometry{6, 14, 14, 5, 5}, 16, float>);
#if defined(__AVX512F__)
  // and its first, with output positions in the registers, where they are 16 wide
  static_assert(ctnn::cpu::conv_rows_applies<ctnn::window_geometry{1, 28, 28, 5, 5, 1, 1, 2, 2},
                                             6, float>);
#endif
  ctnn_test::check_conv_direct_geometries<float>();
  ctnn_test::check_conv_direct_geometries<double>();
}

// The SIMD col2im (support/col2im_check.hpp); ctnn_avx2_tests runs the same on AVX2.
BOOST_AUTO_TEST_CASE(col2im_adds_every_column_entry_where_it_was_read) {
  ctnn_test::check_col2im_geometries<float>();
  ctnn_test::check_col2im_geometries<double>();
}

// x W^T with W kept between calls (gemm_weight): W^T at few rows, W^T packed for the blocked
// GEMM at more (k past one KC block, n not a multiple of NR, one and two threads, split by rows
// and by columns). Each shape: a first call, a second one from what was kept, then new contents
// under a new version, which must be seen.
BOOST_AUTO_TEST_CASE(gemm_weight_keeps_what_it_derives_until_the_version_changes) {
  struct shape {
    std::size_t m, n, k, threads;
  };
  for (const shape& s : {shape{2, 32, 20, 1}, shape{1, 144, 784, 1}, shape{65, 64, 300, 1},
                         shape{70, 40, 50, 1}, shape{200, 96, 300, 2}, shape{48, 1040, 95, 2},
                         shape{48, 2064, 95, 2}}) {
    ctnn::set_num_threads(s.threads);
    const auto a = random_matrix<float>(s.m * s.k, 31);
    auto w = random_matrix<float>(s.n * s.k, 32);
    std::vector<float> c(s.m * s.n);
    for (std::uint64_t version : {7u, 7u, 8u}) {
      if (version == 8)
        for (auto& e : w) e = -0.5f * e + 0.25f;
      const auto want = naive_gemm(transpose::no, transpose::yes, s.m, s.n, s.k, 1.0, a, w, 0.0, c);
      std::fill(c.begin(), c.end(), std::numeric_limits<float>::quiet_NaN());
      ctnn::cpu::gemm_weight(s.m, s.n, s.k, a.data(), w.data(), version, c.data());
      const double worst = worst_relative_error(c, want);
      BOOST_TEST(worst <= 2e-5 * std::sqrt(double(s.k)),
                 "m " << s.m << " n " << s.n << " k " << s.k << " version " << version
                      << ": error " << worst);
    }
  }
  ctnn::set_num_threads(0);
  // The shapes above reach both kept forms.
  BOOST_TEST(ctnn::cpu::detail::weight_transpose_pays<float>(2, 32, 20));
  // batch 1 at long k: W^T on AVX-512 (one pass of eight registers), dot products on AVX2
  BOOST_TEST(ctnn::cpu::detail::weight_transpose_pays<float>(1, 144, 784) ==
             ctnn::cpu::detail::blocking<float>::wide_register_file);
  // more rows: W^T too while it fits in L2 (row groups against it), else W^T packed
  BOOST_TEST(ctnn::cpu::detail::weight_transpose_pays<float>(65, 64, 300));
  BOOST_TEST(ctnn::cpu::detail::weight_transpose_pays<float>(48, 1040, 95));
  BOOST_TEST(!ctnn::cpu::detail::weight_transpose_pays<float>(48, 2064, 95));
  BOOST_TEST(ctnn::cpu::detail::weight_packing_pays<float>(48, 2064, 95));
}

BOOST_AUTO_TEST_CASE(transpose_into_odd_shapes) {
  using B = ctnn::backend<ctnn::policy::cpu>;
  for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{1, 1}, {3, 17}, {37, 64}, {33, 5}}) {
    const auto in = random_matrix<float>(rows * cols, 14);
    std::vector<float> out(rows * cols, -7.0f);
    B::transpose_into(rows, cols, in.data(), out.data());
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) BOOST_TEST(out[c * rows + r] == in[r * cols + c]);
  }
}

// The register tiles (16 x 16 floats on AVX-512, 8 x 8 on AVX) with their edges on both sides,
// inside larger matrices (leading dimensions past the extents), and the element loop for double.
template <class T>
void check_transpose(std::size_t rows, std::size_t cols, std::size_t ld_in, std::size_t ld_out) {
  const auto in = random_matrix<T>(rows * ld_in, 15);
  std::vector<T> out(cols * ld_out, T(-7));
  ctnn::cpu::copy_transposed(rows, cols, in.data(), ld_in, out.data(), ld_out);
  std::size_t wrong = 0;
  for (std::size_t c = 0; c < cols; ++c)
    for (std::size_t r = 0; r < ld_out; ++r) {
      const T want = r < rows ? in[r * ld_in + c] : T(-7);  // past rows: untouched
      wrong += out[c * ld_out + r] != want;
    }
  BOOST_TEST(wrong == 0u, rows << " x " << cols << " (ld " << ld_in << ", " << ld_out << "): "
                                << wrong << " elements wrong");
}

BOOST_AUTO_TEST_CASE(transpose_register_tiles) {
  for (auto [rows, cols] : {std::pair<std::size_t, std::size_t>{8, 8}, {16, 16}, {16, 32},
                            {48, 16}, {17, 33}, {64, 64}, {31, 20}, {3, 40}, {40, 3}}) {
    check_transpose<float>(rows, cols, cols, rows);
    check_transpose<float>(rows, cols, cols + 5, rows + 3);
    check_transpose<double>(rows, cols, cols + 1, rows);
  }
}

// Max pooling over windows that tile the input goes a row of windows at a time and keeps each
// argmax. Reference: the general kernels (checked against PyTorch in layers/), at sizes that leave
// rows and columns outside every window, with ties in most windows.
template <ctnn::window_geometry G>
void check_tiled_max_pool(std::size_t batch) {
  using namespace ctnn::pool_kernels;
  static_assert(windows_tile<G>);
  const std::size_t in = batch * G.channels * G.in_plane();
  const std::size_t out = batch * G.channels * G.out_plane();
  const std::size_t window_rows = batch * G.channels * G.out_h();
  auto x = random_matrix<float>(in, 21);
  for (auto& v : x) v = std::round(v * 2) / 2;  // five values: ties
  const auto dy = random_matrix<float>(out, 22);
  std::vector<float> y(out), y_kept(out), y_want(out), argmax(out), dx(in, std::nanf("")),
      dx_want(in);
  for (std::size_t i = 0; i < window_rows; ++i) {
    MaxForwardRows<G, float>{x.data(), y.data(), nullptr}(i);
    MaxForwardRows<G, float>{x.data(), y_kept.data(), argmax.data()}(i);
  }
  for (std::size_t i = 0; i < window_rows; ++i)
    MaxBackwardRows<G, float>{argmax.data(), dy.data(), dx.data()}(i);
  for (std::size_t i = 0; i < out; ++i) MaxForward<G, float>{x.data(), y_want.data()}(i);
  for (std::size_t i = 0; i < in; ++i)
    MaxBackward<G, float>{x.data(), dy.data(), dx_want.data()}(i);
  BOOST_TEST(y == y_want, boost::test_tools::per_element());
  BOOST_TEST(y_kept == y_want, boost::test_tools::per_element());
  BOOST_TEST(dx == dx_want, boost::test_tools::per_element());  // NaN: an input not written
}

BOOST_AUTO_TEST_CASE(max_pool_by_window_rows) {
  using G = ctnn::window_geometry;
  check_tiled_max_pool<G{.channels = 2, .height = 5, .width = 7, .kernel_h = 2, .kernel_w = 2,
                         .stride_h = 2, .stride_w = 2}>(3);
  check_tiled_max_pool<G{.channels = 3, .height = 9, .width = 8, .kernel_h = 3, .kernel_w = 2,
                         .stride_h = 3, .stride_w = 2}>(1);
  check_tiled_max_pool<G{.channels = 1, .height = 1, .width = 9, .kernel_h = 1, .kernel_w = 4,
                         .stride_h = 1, .stride_w = 4}>(2);  // MaxPool1d
  check_tiled_max_pool<G{.channels = 6, .height = 28, .width = 28, .kernel_h = 2, .kernel_w = 2,
                         .stride_h = 2, .stride_w = 2}>(2);  // LeNet's
}

BOOST_AUTO_TEST_SUITE_END()
