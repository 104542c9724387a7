// After one warm-up step, inference, forward, backward and the optimiser's step allocate nothing:
// every global operator new is counted here, and the counts must stay at zero over repeated steps.
// Its own executable, because replacing operator new applies to the whole program.
#include <ctnn/ctnn.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>
#include <utility>
#include <vector>

// The replacements pair malloc/aligned_alloc with free, which GCC cannot see through.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<long> allocations{0};
}

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const std::size_t align = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

int failures = 0;

template <class F>
void expect_no_allocation(const char* what, F&& step) {
  step();  // warm-up: workspaces and packing buffers grow here
  const long before = allocations.load();
  for (int i = 0; i < 5; ++i) step();
  const long made = allocations.load() - before;
  std::printf("%-40s %ld allocations in 5 steps\n", what, made);
  if (made != 0) ++failures;
}

template <class Net, class Opt>
void check_network(const char* name, Net& net, Opt& opt, std::size_t batch) {
  std::vector<float> values(batch * Net::input_shape::size);
  ctnn::Generator rng(1);
  for (auto& v : values) v = float(rng.uniform(-1, 1));
  const typename Net::input_tensor x(batch, values);
  typename Net::output_tensor y, dy(batch);
  typename Net::input_tensor dx;
  ctnn::set_num_threads(2);  // the threaded GEMM path too, where the product is large enough
  std::string label(name);
  // The control: returning a new tensor does allocate, so the counter is live.
  const long before = allocations.load();
  const auto fresh = std::as_const(net)(x);
  if (allocations.load() == before || fresh.batch() != batch) {
    std::printf("%s: the allocation counter saw nothing; the test cannot tell\n", name);
    ++failures;
  }
  expect_no_allocation((label + " inference").c_str(), [&] { std::as_const(net)(x, y); });
  expect_no_allocation((label + " forward").c_str(), [&] { net.forward(x, y); });
  expect_no_allocation((label + " forward+backward").c_str(), [&] {
    net.forward(x, y);
    net.backward(dy, dx);
  });
  expect_no_allocation((label + " zero_grad+step").c_str(), [&] {
    opt.zero_grad();
    opt.step();
  });
  // Inference between steps (validation): each step changes the parameters, so what inference
  // keeps from them (W^T of small weights at batch 1 to 4) is remade, in the same memory.
  expect_no_allocation((label + " step+inference").c_str(), [&] {
    opt.step();
    std::as_const(net)(x, y);
  });
}

}  // namespace

int main() {
  using namespace ctnn;
  using Mlp = Sequential<Input<784>, Linear<128>, ReLU, Linear<64>, ReLU, Linear<10>>;
  using LeNet =
      Sequential<Input<1, 28, 28>, Conv2d<{.out = 6, .kernel = 5, .padding = 2}>, ReLU,
                 MaxPool2d<{.kernel = 2}>, Conv2d<{.out = 16, .kernel = 5}>, ReLU,
                 MaxPool2d<{.kernel = 2}>, Flatten, Linear<120>, ReLU, Linear<84>, ReLU, Linear<10>>;
  using Rnn = Sequential<Input<50, 32>, RNN<{.hidden = 64}>>;
  using TinyMlp = Sequential<Input<20>, Linear<256>, ReLU, Linear<16>>;  // W^T kept at batch <= 4
  for (std::size_t batch : {1, 2, 33, 256}) {
    std::printf("batch %zu\n", batch);
    Mlp mlp;
    optim::Adam adam{mlp, {.lr = 1e-3}};
    check_network("mlp (Adam)", mlp, adam, batch);
    LeNet lenet;
    optim::SGD sgd{lenet, {.lr = 0.01, .momentum = 0.9}};
    check_network("lenet (SGD momentum)", lenet, sgd, batch);
    Rnn rnn;
    optim::SGD plain{rnn, {.lr = 0.01}};
    check_network("rnn (SGD)", rnn, plain, batch);
    TinyMlp tiny;
    optim::SGD tiny_sgd{tiny, {.lr = 0.01}};
    check_network("tiny mlp (SGD)", tiny, tiny_sgd, batch);
  }
  if (failures) std::printf("%d checks allocated after warm-up\n", failures);
  return failures == 0 ? 0 : 1;
}
