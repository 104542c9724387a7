// ctnn's side of the comparison: the same networks as types.
#include <benchmark/benchmark.h>

#include <ctnn/ctnn.hpp>

#include "cases.hpp"

namespace compare {
namespace {

using namespace ctnn;

using Mlp = Sequential<Input<784>, Linear<128>, ReLU, Linear<64>, ReLU, Linear<10>>;
using Tiny = Sequential<Input<20>, Linear<256>, ReLU, Linear<10>>;
using LeNet =
    Sequential<Input<1, 28, 28>, Conv2d<{.out = 6, .kernel = 5, .padding = 2}>, ReLU,
               MaxPool2d<{.kernel = 2}>, Conv2d<{.out = 16, .kernel = 5}>, ReLU,
               MaxPool2d<{.kernel = 2}>, Flatten, Linear<120>, ReLU, Linear<84>, ReLU, Linear<10>>;
using Rnn = Sequential<Input<sizes::rnn_steps, sizes::rnn_input>, RNN<{.hidden = sizes::rnn_hidden}>>;
using Lstm = Sequential<Input<sizes::rnn_steps, sizes::rnn_input>, LSTM<{.hidden = sizes::rnn_hidden}>>;
// Training: the last step's state classified into 10 (as a sequence classifier).
using LstmClassifier = Sequential<Input<sizes::rnn_steps, sizes::rnn_input>,
                                  LSTM<{.hidden = sizes::rnn_hidden, .output = rnn_output::last}>,
                                  Linear<10>>;
using Gru = Sequential<Input<sizes::rnn_steps, sizes::rnn_input>, GRU<{.hidden = sizes::rnn_hidden}>>;
using Large = Sequential<Input<sizes::large>, Linear<sizes::large>>;

template <class Net>
typename Net::input_tensor input(std::size_t batch, std::uint32_t seed) {
  return typename Net::input_tensor(batch, random_values(batch * Net::input_shape::size, seed));
}

template <class Net>
void infer(benchmark::State& state, std::size_t batch, int threads) {
  set_num_threads(std::size_t(threads));
  const Net net;
  const auto x = input<Net>(batch, 1);
  typename Net::output_tensor y;
  for (auto _ : state) {
    net(x, y);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(batch));
}

template <class Net, class Opt, class Options>
void train(benchmark::State& state, Options options, int threads) {
  set_num_threads(std::size_t(threads));
  const std::size_t batch = sizes::train_batch;
  Net net;
  Opt opt{net, options};
  const auto x = input<Net>(batch, 2);
  const Tensor<float, Shape<1>> classes(batch, random_classes(batch, 10, 3));
  const loss::CrossEntropyLoss loss;
  for (auto _ : state) benchmark::DoNotOptimize(train_step(net, loss, opt, x, classes));
  state.SetItemsProcessed(state.iterations() * std::int64_t(batch));
}

void linear_large(benchmark::State& state, int threads) {
  set_num_threads(std::size_t(threads));
  Large net;
  const auto x = input<Large>(sizes::large_batch, 4);
  const Large::output_tensor dy(sizes::large_batch, random_values(sizes::large_batch * sizes::large, 5));
  Large::output_tensor y;
  Large::input_tensor dx;
  for (auto _ : state) {
    net.forward(x, y);
    net.backward(dy, dx);
    benchmark::DoNotOptimize(dx.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(linear_large_flops, benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

void register_ctnn() {
  for (int t : thread_counts) {
    const auto add = [&](std::string_view name, auto fn) {
      benchmark::RegisterBenchmark(benchmark_name(name, "ctnn", t).c_str(), fn)->UseRealTime();
    };
    add("mlp_infer_b1", [t](benchmark::State& s) { infer<Mlp>(s, 1, t); });
    add("mlp_infer_b64", [t](benchmark::State& s) { infer<Mlp>(s, sizes::infer_batch, t); });
    add("mlp_train_b32", [t](benchmark::State& s) {
      train<Mlp, optim::Adam<Mlp>>(s, optim::adam_options{.lr = 1e-3}, t);
    });
    add("tiny_mlp_infer_b2", [t](benchmark::State& s) { infer<Tiny>(s, 2, t); });
    add("lenet_infer_b1", [t](benchmark::State& s) { infer<LeNet>(s, 1, t); });
    add("lenet_train_b32", [t](benchmark::State& s) {
      train<LeNet, optim::SGD<LeNet>>(s, optim::sgd_options{.lr = 0.01, .momentum = 0.9}, t);
    });
    add("rnn_infer", [t](benchmark::State& s) { infer<Rnn>(s, 1, t); });
    add("lstm_infer", [t](benchmark::State& s) { infer<Lstm>(s, 1, t); });
    add("gru_infer", [t](benchmark::State& s) { infer<Gru>(s, 1, t); });
    add("lstm_train_b32", [t](benchmark::State& s) {
      train<LstmClassifier, optim::Adam<LstmClassifier>>(s, optim::adam_options{.lr = 1e-3}, t);
    });
    add("linear_large", [t](benchmark::State& s) { linear_large(s, t); });
  }
}

}  // namespace compare
