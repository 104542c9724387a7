// The baseline: the MNIST MLP 784-128-64-10, float, inference at batch 1 and 64, and one training
// step (forward, MSE, backward, SGD) at batch 32. Items/s counts samples. With ReLU, and with
// Sigmoid, Tanh and GELU in its place: the smooth activations' extra cost over ReLU, a ratio
// within one run (their forward and their derivative run on SIMD registers).
#include <benchmark/benchmark.h>

#include <ctnn/ctnn.hpp>

#include <vector>

namespace {
template <class Activation>
using Mlp = ctnn::Sequential<ctnn::Input<1, 28, 28>, ctnn::Flatten, ctnn::Linear<128>, Activation,
                             ctnn::Linear<64>, Activation, ctnn::Linear<10>>;

template <class Net>
typename Net::input_tensor random_input(std::size_t batch) {
  ctnn::Generator rng(7);
  std::vector<float> v(batch * 784);
  for (auto& e : v) e = float(rng.uniform(0, 1));
  return typename Net::input_tensor(batch, v);
}

template <class Activation>
void mlp_infer(benchmark::State& state) {
  using Net = Mlp<Activation>;
  const auto batch = static_cast<std::size_t>(state.range(0));
  const Net net;
  const auto x = random_input<Net>(batch);
  for (auto _ : state) benchmark::DoNotOptimize(net(x));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}

template <class Activation>
void mlp_train_step(benchmark::State& state) {
  using Net = Mlp<Activation>;
  const std::size_t batch = 32;
  Net net;
  ctnn::optim::SGD opt{net, {.lr = 0.01}};
  const auto x = random_input<Net>(batch);
  const typename Net::output_tensor y(batch);
  for (auto _ : state)
    benchmark::DoNotOptimize(ctnn::train_step(net, ctnn::loss::MSELoss{}, opt, x, y));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}

BENCHMARK(mlp_infer<ctnn::ReLU>)->Name("mlp_infer")->Arg(1)->Arg(64);
BENCHMARK(mlp_train_step<ctnn::ReLU>)->Name("mlp_train_step");
BENCHMARK(mlp_infer<ctnn::Sigmoid>)->Name("mlp_infer/sigmoid")->Arg(64);
BENCHMARK(mlp_train_step<ctnn::Sigmoid>)->Name("mlp_train_step/sigmoid");
BENCHMARK(mlp_infer<ctnn::Tanh>)->Name("mlp_infer/tanh")->Arg(64);
BENCHMARK(mlp_train_step<ctnn::Tanh>)->Name("mlp_train_step/tanh");
BENCHMARK(mlp_infer<ctnn::GELU>)->Name("mlp_infer/gelu")->Arg(64);
BENCHMARK(mlp_train_step<ctnn::GELU>)->Name("mlp_train_step/gelu");
}  // namespace

BENCHMARK_MAIN();
