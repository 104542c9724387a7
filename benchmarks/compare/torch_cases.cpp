// LibTorch's side of the comparison (Debian's libtorch-dev): the same networks as
// torch::nn::Sequential, inference under InferenceMode, training as the tutorial loop.
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include "cases.hpp"

namespace compare {
namespace {

namespace nn = torch::nn;

// Debian's LibTorch multiplies large matrices with the same OpenBLAS library the OpenBLAS and
// dlib cases load into this process, so its thread count is set together with torch's own.
void set_threads(int threads) {
  torch::set_num_threads(threads);
#if defined(CTNN_COMPARE_OPENBLAS)
  set_openblas_threads(threads);
#endif
}

nn::Sequential mlp() {
  return nn::Sequential(nn::Linear(784, 128), nn::ReLU(), nn::Linear(128, 64), nn::ReLU(),
                        nn::Linear(64, 10));
}
nn::Sequential tiny() { return nn::Sequential(nn::Linear(20, 256), nn::ReLU(), nn::Linear(256, 10)); }
nn::Sequential lenet() {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(1, 6, 5).padding(2)), nn::ReLU(),
                        nn::MaxPool2d(2), nn::Conv2d(6, 16, 5), nn::ReLU(), nn::MaxPool2d(2),
                        nn::Flatten(), nn::Linear(400, 120), nn::ReLU(), nn::Linear(120, 84),
                        nn::ReLU(), nn::Linear(84, 10));
}

torch::Tensor tensor(std::vector<float> values, std::vector<std::int64_t> dims) {
  return torch::from_blob(values.data(), dims, torch::kFloat32).clone();
}

void infer(benchmark::State& state, nn::Sequential net, std::vector<std::int64_t> dims, int threads) {
  set_threads(threads);
  net->eval();
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  const auto x = tensor(random_values(std::size_t(n), 1), dims);
  c10::InferenceMode guard;
  for (auto _ : state) benchmark::DoNotOptimize(net->forward(x).data_ptr());
  state.SetItemsProcessed(state.iterations() * dims[0]);
}

// Net: nn::Sequential or a module of our own (LstmClassifier), anything with forward(x).
template <class Optimizer, class Net, class Options>
void train(benchmark::State& state, Net net, std::vector<std::int64_t> dims, Options options,
           int threads) {
  set_threads(threads);
  std::int64_t n = 1;
  for (auto d : dims) n *= d;
  const auto x = tensor(random_values(std::size_t(n), 2), dims);
  const auto classes = tensor(random_classes(std::size_t(dims[0]), 10, 3), {dims[0]}).to(torch::kLong);
  Optimizer opt(net->parameters(), options);
  for (auto _ : state) {
    opt.zero_grad();
    const torch::Tensor loss = torch::nn::functional::cross_entropy(net->forward(x), classes);
    loss.backward();
    opt.step();
    benchmark::DoNotOptimize(loss.item<float>());
  }
  state.SetItemsProcessed(state.iterations() * dims[0]);
}

// RNN (tanh), LSTM or GRU: nn::RNN, nn::LSTM or nn::GRU with input 32 and hidden 64.
template <class Net>
void recurrent(benchmark::State& state, int threads) {
  set_threads(threads);
  Net net(sizes::rnn_input, sizes::rnn_hidden);
  net->eval();
  const std::int64_t steps = sizes::rnn_steps, in = sizes::rnn_input;
  const auto x = tensor(random_values(sizes::rnn_steps * sizes::rnn_input, 1), {steps, 1, in});
  c10::InferenceMode guard;
  for (auto _ : state) benchmark::DoNotOptimize(std::get<0>(net->forward(x)).data_ptr());
}

// lstm_train_b32: nn::LSTM (batch first), its last step's output through nn::Linear(64, 10).
struct LstmClassifierImpl : nn::Module {
  nn::LSTM lstm{nn::LSTMOptions(sizes::rnn_input, sizes::rnn_hidden).batch_first(true)};
  nn::Linear head{std::int64_t(sizes::rnn_hidden), 10};
  LstmClassifierImpl() {
    register_module("lstm", lstm);
    register_module("head", head);
  }
  torch::Tensor forward(const torch::Tensor& x) { return head(std::get<0>(lstm(x)).select(1, -1)); }
};
TORCH_MODULE(LstmClassifier);

void linear_large(benchmark::State& state, int threads) {
  set_threads(threads);
  const std::int64_t n = sizes::large, batch = sizes::large_batch;
  nn::Linear net(n, n);
  auto x = tensor(random_values(std::size_t(batch * n), 4), {batch, n}).requires_grad_(true);
  const auto dy = tensor(random_values(std::size_t(batch * n), 5), {batch, n});
  for (auto _ : state) {
    x.mutable_grad() = torch::Tensor();
    net->forward(x).backward(dy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(linear_large_flops, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_torch() {
  const std::int64_t b = sizes::train_batch;
  for (int t : thread_counts) {
    const auto add = [&](std::string_view name, auto fn) {
      benchmark::RegisterBenchmark(benchmark_name(name, "libtorch", t).c_str(), fn)->UseRealTime();
    };
    add("mlp_infer_b1", [t](benchmark::State& s) { infer(s, mlp(), {1, 784}, t); });
    add("mlp_infer_b64", [t](benchmark::State& s) {
      infer(s, mlp(), {std::int64_t(sizes::infer_batch), 784}, t);
    });
    add("mlp_train_b32", [t, b](benchmark::State& s) {
      train<torch::optim::Adam>(s, mlp(), {b, 784}, torch::optim::AdamOptions(1e-3), t);
    });
    add("tiny_mlp_infer_b2", [t](benchmark::State& s) { infer(s, tiny(), {2, 20}, t); });
    add("lenet_infer_b1", [t](benchmark::State& s) { infer(s, lenet(), {1, 1, 28, 28}, t); });
    add("lenet_train_b32", [t, b](benchmark::State& s) {
      train<torch::optim::SGD>(s, lenet(), {b, 1, 28, 28},
                               torch::optim::SGDOptions(0.01).momentum(0.9), t);
    });
    add("rnn_infer", [t](benchmark::State& s) { recurrent<nn::RNN>(s, t); });
    add("lstm_infer", [t](benchmark::State& s) { recurrent<nn::LSTM>(s, t); });
    add("gru_infer", [t](benchmark::State& s) { recurrent<nn::GRU>(s, t); });
    add("lstm_train_b32", [t, b](benchmark::State& s) {
      const std::int64_t steps = sizes::rnn_steps, in = sizes::rnn_input;
      const auto options = torch::optim::AdamOptions(1e-3);
      train<torch::optim::Adam>(s, LstmClassifier(), {b, steps, in}, options, t);
    });
    add("linear_large", [t](benchmark::State& s) { linear_large(s, t); });
  }
}

}  // namespace compare
