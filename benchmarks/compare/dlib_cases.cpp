// dlib's side of the comparison (Debian's libdlib-dev): the same networks as dlib's layer
// templates; inference is the subnetwork's forward, training compute_parameter_gradients and
// update_parameters, the loop dnn_trainer runs. dlib has no recurrent layer, so no rnn case.
#include <benchmark/benchmark.h>

#include <dlib/dnn.h>

#include "cases.hpp"

namespace compare {
namespace {

using dlib::fc;
using dlib::input;
using dlib::loss_multiclass_log;
using dlib::matrix;
using dlib::max_pool;
using dlib::relu;

using mlp = loss_multiclass_log<fc<10, relu<fc<64, relu<fc<128, input<matrix<float>>>>>>>>;
using tiny = loss_multiclass_log<fc<10, relu<fc<256, input<matrix<float>>>>>>;
template <class S>
using conv6_pad2 = dlib::add_layer<dlib::con_<6, 5, 5, 1, 1, 2, 2>, S>;
template <class S>
using conv16 = dlib::add_layer<dlib::con_<16, 5, 5, 1, 1, 0, 0>, S>;
using lenet = loss_multiclass_log<fc<10, relu<fc<84, relu<fc<120,
    max_pool<2, 2, 2, 2, relu<conv16<max_pool<2, 2, 2, 2, relu<conv6_pad2<input<matrix<float>>>>>>>>>>>>>>;

template <class Net>
dlib::resizable_tensor batch_tensor(Net& net, std::size_t batch, long rows, long cols,
                                    std::uint32_t seed) {
  std::vector<matrix<float>> samples(batch, matrix<float>(rows, cols));
  const auto values = random_values(batch * std::size_t(rows * cols), seed);
  std::size_t i = 0;
  for (auto& m : samples)
    for (auto& e : m) e = values[i++];
  dlib::resizable_tensor x;
  net.to_tensor(samples.begin(), samples.end(), x);
  return x;
}

template <class Net>
void infer(benchmark::State& state, std::size_t batch, long rows, long cols, int threads) {
  set_openblas_threads(threads);
  Net net;
  const auto x = batch_tensor(net, batch, rows, cols, 1);
  net.subnet().forward(x);  // allocates the layers' parameters
  for (auto _ : state) benchmark::DoNotOptimize(net.subnet().forward(x).host());
  state.SetItemsProcessed(state.iterations() * std::int64_t(batch));
}

template <class Net, class Solver>
void train(benchmark::State& state, long rows, long cols, Solver solver, double lr, int threads) {
  set_openblas_threads(threads);
  const std::size_t batch = sizes::train_batch;
  Net net;
  const auto x = batch_tensor(net, batch, rows, cols, 2);
  std::vector<unsigned long> labels;
  for (float c : random_classes(batch, 10, 3)) labels.push_back((unsigned long)c);
  std::vector<Solver> solvers(Net::num_computational_layers, solver);
  for (auto _ : state) {
    benchmark::DoNotOptimize(net.compute_parameter_gradients(x, labels.begin()));
    net.update_parameters(solvers, lr);
  }
  state.SetItemsProcessed(state.iterations() * std::int64_t(batch));
}

}  // namespace

void register_dlib() {
  for (int t : thread_counts) {
    const auto add = [&](std::string_view name, auto fn) {
      benchmark::RegisterBenchmark(benchmark_name(name, "dlib", t).c_str(), fn)->UseRealTime();
    };
    add("mlp_infer_b1", [t](benchmark::State& s) { infer<mlp>(s, 1, 784, 1, t); });
    add("mlp_infer_b64", [t](benchmark::State& s) { infer<mlp>(s, sizes::infer_batch, 784, 1, t); });
    add("mlp_train_b32", [t](benchmark::State& s) {
      train<mlp>(s, 784, 1, dlib::adam(0, 0.9, 0.999), 1e-3, t);
    });
    add("tiny_mlp_infer_b2", [t](benchmark::State& s) { infer<tiny>(s, 2, 20, 1, t); });
    add("lenet_infer_b1", [t](benchmark::State& s) { infer<lenet>(s, 1, 28, 28, t); });
    add("lenet_train_b32", [t](benchmark::State& s) {
      train<lenet>(s, 28, 28, dlib::sgd(0, 0.9), 0.01, t);
    });
  }
}

}  // namespace compare
