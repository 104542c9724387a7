// XOR, the smallest problem a linear model cannot solve: a 2-8-1 network learns it with SGD.
#include <ctnn/ctnn.hpp>

#include <cmath>
#include <cstdio>

int main() {
  using namespace ctnn;
  using Net = Sequential<Input<2>, Linear<8>, Tanh, Linear<1>, Sigmoid>;
  static_assert(std::is_same_v<Net::output_shape, Shape<1>>);

  Net net(/*seed=*/1);
  optim::SGD opt{net, {.lr = 1.0}};
  const loss::MSELoss mse;
  const Net::input_tensor x(4, {0, 0, 0, 1, 1, 0, 1, 1});
  const Net::output_tensor y(4, {0, 1, 1, 0});

  // Train until every answer is right with a clear margin: the loss below 0.002.
  int errors = 4;
  int epoch = 0;
  float loss = 1;
  for (; epoch < 20000 && (errors > 0 || loss > 0.002f); ++epoch) {
    loss = train_step(net, mse, opt, x, y);
    errors = 0;
    const auto p = net(x).to_host();
    for (int i = 0; i < 4; ++i) errors += (p[i] > 0.5f) != (y.at(i, 0) > 0.5f);
    if (epoch % 250 == 0) std::printf("epoch %4d  loss %.5f  errors %d\n", epoch, loss, errors);
  }
  net.eval();
  const auto p = net(x).to_host();
  for (int i = 0; i < 4; ++i)
    std::printf("%g xor %g = %.3f (expected %g)\n", x.at(i, 0), x.at(i, 1), p[i], y.at(i, 0));
  std::printf("trained for %d epochs, loss %.5f; errors: %d of 4\n", epoch, loss, errors);
  return errors == 0 ? 0 : 1;
}
