// The cases of the comparison, shared by every peer's translation unit: names, sizes and the
// random inputs. Each peer registers Google Benchmark functions named "<case>/<peer>/threads:<n>";
// compare.cpp runs them interleaved and prints the ratios of the medians.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace compare {

inline constexpr int thread_counts[] = {1, 2};

// The network definitions (the table):
//   mlp:   784-128(ReLU)-64(ReLU)-10
//   tiny:  20-256(ReLU)-10
//   lenet: Conv2d(1->6,5,pad 2)+ReLU+MaxPool2 -> Conv2d(6->16,5)+ReLU+MaxPool2 -> Flatten
//          -> 120(ReLU) -> 84(ReLU) -> 10
//   rnn:   tanh RNN, input 32, hidden 64, 50 steps
//   linear_large: Linear 1024->1024, forward and backward (dW and dx), batch 256
struct sizes {
  static constexpr std::size_t rnn_steps = 50, rnn_input = 32, rnn_hidden = 64;
  static constexpr std::size_t large = 1024, large_batch = 256;
  static constexpr std::size_t train_batch = 32, infer_batch = 64;
};

// Multiply-adds of linear_large's three products, times two: its FLOP count.
inline constexpr double linear_large_flops =
    3.0 * 2.0 * double(sizes::large_batch) * double(sizes::large) * double(sizes::large);

inline std::string benchmark_name(std::string_view case_name, std::string_view peer, int threads) {
  return std::string(case_name) + "/" + std::string(peer) + "/threads:" + std::to_string(threads);
}

inline std::vector<float> random_values(std::size_t n, std::uint32_t seed, float lo = -1,
                                        float hi = 1) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

inline std::vector<float> random_classes(std::size_t n, std::size_t classes, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> v(n);
  for (auto& e : v) e = float(rng() % classes);
  return v;
}

void register_ctnn();
void register_peak();
double peak_flops(int threads);  // of one iteration of the peak benchmark
#if defined(CTNN_COMPARE_TORCH)
void register_torch();
#endif
#if defined(CTNN_COMPARE_DLIB)
void register_dlib();
#endif
#if defined(CTNN_COMPARE_OPENBLAS)
void register_openblas();
void set_openblas_threads(int threads);
#endif

}  // namespace compare
