// The example at the top of README.md, which must keep compiling: keep the two in step.
#include <ctnn/ctnn.hpp>
using namespace ctnn;

void readme_example() {
  using Net =
      Sequential<Input<1, 28, 28>, Flatten, Linear<128>, ReLU, Linear<64>, ReLU, Linear<10>>;
  static_assert(std::is_same_v<Net::output_shape, Shape<10>>);

  Net net(/*seed=*/0);  // PyTorch's default init
  optim::SGD opt{net, {.lr = 0.01}};
  Net::input_tensor x(32);  // a batch of 32 samples, on the heap
  Net::output_tensor y(32);
  float loss = train_step(net, loss::MSELoss{}, opt, x, y);  // forward, backward, update
  auto logits = net(x);                                      // inference: const, thread-safe
  auto w = net.parameter("1.weight");                        // PyTorch's names and [out, in] layout
  using OnOpenMP = Net::rebind<float, policy::thrust_omp>;   // same network, another backend
  (void)loss, (void)logits, (void)w;
}
