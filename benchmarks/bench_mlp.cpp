// The baseline: the MNIST MLP 784-128-64-10 (ReLU), float, inference at batch 1 and 64, and one
// training step (forward, MSE, backward, SGD) at batch 32. Items/s counts samples.
#include <benchmark/benchmark.h>

#include <ctnn/ctnn.hpp>

#include <vector>

namespace {
using Mlp = ctnn::Sequential<ctnn::Input<1, 28, 28>, ctnn::Flatten, ctnn::Linear<128>, ctnn::ReLU,
                             ctnn::Linear<64>, ctnn::ReLU, ctnn::Linear<10>>;

Mlp::input_tensor random_input(std::size_t batch) {
  ctnn::Generator rng(7);
  std::vector<float> v(batch * 784);
  for (auto& e : v) e = float(rng.uniform(0, 1));
  return Mlp::input_tensor(batch, v);
}

void mlp_infer(benchmark::State& state) {
  const auto batch = static_cast<std::size_t>(state.range(0));
  const Mlp net;
  const auto x = random_input(batch);
  for (auto _ : state) benchmark::DoNotOptimize(net(x));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(mlp_infer)->Arg(1)->Arg(64);

void mlp_train_step(benchmark::State& state) {
  const std::size_t batch = 32;
  Mlp net;
  ctnn::optim::SGD opt{net, {.lr = 0.01}};
  const auto x = random_input(batch);
  const Mlp::output_tensor y(batch);
  for (auto _ : state)
    benchmark::DoNotOptimize(ctnn::train_step(net, ctnn::loss::MSELoss{}, opt, x, y));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(batch));
}
BENCHMARK(mlp_train_step);
}  // namespace

BENCHMARK_MAIN();
