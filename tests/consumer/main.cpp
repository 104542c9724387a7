// Trains y = x0 - x1 for a few steps and checks that the loss fell.
#include <ctnn/ctnn.hpp>

#include <cstdio>

int main() {
  using namespace ctnn;
  using Net = Sequential<Input<2>, Linear<4>, Tanh, Linear<1>>;
  Net net;
  optim::SGD opt{net, {.lr = 0.1}};
  const Net::input_tensor x(4, {0, 0, 1, 0, 0, 1, 1, 1});
  const Net::output_tensor y(4, {0, 1, -1, 0});
  const float first = train_step(net, loss::MSELoss{}, opt, x, y);
  float last = first;
  for (int i = 0; i < 200; ++i) last = train_step(net, loss::MSELoss{}, opt, x, y);
  std::printf("ctnn %d.%d.%d consumer: loss %.4f -> %.4f\n", version_major, version_minor,
              version_patch, first, last);
  return last < first / 2 ? 0 : 1;
}
