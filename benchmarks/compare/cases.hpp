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
//   rnn:   tanh RNN, input 32, hidden 64, 50 steps; also LSTM and GRU of the same sizes
//   lstm_train_b32: that LSTM's last state -> Linear(64, 10), cross-entropy + Adam(1e-3)
//   linear_large: Linear 1024->1024, forward and backward (dW and dx), batch 256
struct sizes {
  static constexpr std::size_t rnn_steps = 50, rnn_input = 32, rnn_hidden = 64;
  static constexpr std::size_t large = 1024, large_batch = 256;
  static constexpr std::size_t train_batch = 32, infer_batch = 64;
};

// Multiply-adds of linear_large's three products, times two: its FLOP count.
inline constexpr double linear_large_flops =
    3.0 * 2.0 * double(sizes::large_batch) * double(sizes::large) * double(sizes::large);

// The least work each case must do, for the table of bounds: its FLOPs (multiply-adds times two)
// and the bytes it must move at least once (parameters, inputs and outputs; in training also the
// gradients and the optimiser's state). Counted from the definitions above; the elementwise work
// (bias, activations, softmax) is left out, so both are lower bounds.
struct case_work {
  const char* name;
  double flops, bytes;
};

namespace work_detail {
// 784-128-64-10: multiply-adds per sample, those of the first layer, and the parameter count.
inline constexpr double mlp_macs = 784.0 * 128 + 128.0 * 64 + 64.0 * 10, mlp_first_macs = 784.0 * 128;
inline constexpr double mlp_params = mlp_macs + 128 + 64 + 10;
inline constexpr double tiny_macs = 20.0 * 256 + 256.0 * 10, tiny_params = tiny_macs + 256 + 10;
// LeNet: conv1 6x28x28 outputs of 1x5x5 taps, conv2 16x10x10 outputs of 6x5x5, then 400-120-84-10.
inline constexpr double lenet_conv1_macs = 6.0 * 28 * 28 * 25;
inline constexpr double lenet_macs = lenet_conv1_macs + 16.0 * 10 * 10 * 150 + 400.0 * 120 + 120.0 * 84 + 84.0 * 10;
inline constexpr double lenet_params = 6.0 * 25 + 16.0 * 150 + 400.0 * 120 + 120.0 * 84 + 84.0 * 10 + 6 + 16 + 120 + 84 + 10;
// rnn: each step multiplies the input (32) and the state (64) into the 64 outputs.
inline constexpr double rnn_macs =
    double(sizes::rnn_steps) * double(sizes::rnn_hidden) * double(sizes::rnn_input + sizes::rnn_hidden);
inline constexpr double rnn_params =
    double(sizes::rnn_hidden) * double(sizes::rnn_input + sizes::rnn_hidden + 2);
// LSTM and GRU: 4 and 3 gates, each an RNN's products and parameters. lstm_train_b32's head,
// Linear(hidden, 10): its multiply-adds (and weights; 10 biases besides).
inline constexpr double lstm_head_macs = double(sizes::rnn_hidden) * 10;

// Inference: the products, reading the parameters, the inputs and writing the outputs once.
inline constexpr case_work infer(const char* name, double batch, double macs, double params, double in,
                                 double out) {
  return {name, 2 * batch * macs, 4 * (params + batch * (in + out))};
}
// Training: forward, the weight gradient and the input gradient of every layer but the first
// (multiply-adds as many as the forward's each); the optimiser reads the parameters, their
// gradients and `state` buffers of the same size, and writes the parameters and the buffers.
inline constexpr case_work train(const char* name, double batch, double macs, double first_macs,
                                 double params, double in, int state) {
  return {name, 2 * batch * (3 * macs - first_macs), 4 * (params * (3 + 2 * state) + batch * in)};
}
}  // namespace work_detail

inline constexpr case_work case_works[] = {
    work_detail::infer("mlp_infer_b1", 1, work_detail::mlp_macs, work_detail::mlp_params, 784, 10),
    work_detail::infer("mlp_infer_b64", double(sizes::infer_batch), work_detail::mlp_macs,
                       work_detail::mlp_params, 784, 10),
    work_detail::train("mlp_train_b32", double(sizes::train_batch), work_detail::mlp_macs,
                       work_detail::mlp_first_macs, work_detail::mlp_params, 784, 2),
    work_detail::infer("tiny_mlp_infer_b2", 2, work_detail::tiny_macs, work_detail::tiny_params, 20, 10),
    work_detail::infer("lenet_infer_b1", 1, work_detail::lenet_macs, work_detail::lenet_params, 784, 10),
    work_detail::train("lenet_train_b32", double(sizes::train_batch), work_detail::lenet_macs,
                       work_detail::lenet_conv1_macs, work_detail::lenet_params, 784, 1),
    work_detail::infer("rnn_infer", 1, work_detail::rnn_macs, work_detail::rnn_params,
                       double(sizes::rnn_steps * sizes::rnn_input), double(sizes::rnn_steps * sizes::rnn_hidden)),
    work_detail::infer("lstm_infer", 1, 4 * work_detail::rnn_macs, 4 * work_detail::rnn_params,
                       double(sizes::rnn_steps * sizes::rnn_input), double(sizes::rnn_steps * sizes::rnn_hidden)),
    work_detail::infer("gru_infer", 1, 3 * work_detail::rnn_macs, 3 * work_detail::rnn_params,
                       double(sizes::rnn_steps * sizes::rnn_input), double(sizes::rnn_steps * sizes::rnn_hidden)),
    work_detail::train("lstm_train_b32", double(sizes::train_batch),
                       4 * work_detail::rnn_macs + work_detail::lstm_head_macs,
                       4.0 * sizes::rnn_steps * sizes::rnn_input * sizes::rnn_hidden,
                       4 * work_detail::rnn_params + work_detail::lstm_head_macs + 10,
                       double(sizes::rnn_steps * sizes::rnn_input), 2),
    {"linear_large", linear_large_flops,
     4.0 * (double(sizes::large) * double(sizes::large + 1) * 2 +
            4.0 * double(sizes::large_batch) * double(sizes::large))},
};

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
void register_read_rates();      // "read_<case>/xsimd/threads:1": reading that case's bytes once
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
