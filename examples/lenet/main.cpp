// LeNet-5 (LeCun et al. 1998, with ReLU and max pooling as it is usually written today) on
// Fashion-MNIST from Debian's dataset-fashion-mnist package, or on MNIST with --data DIR.
//
//   lenet [--data DIR] [--epochs 10] [--batch-size 32] [--lr 0.001] [--limit N] [--out DIR]
#include <ctnn/ctnn.hpp>

#include <cstdio>
#include <exception>

#include "../common/image_classifier.hpp"

using namespace ctnn;

using LeNet5 = Sequential<Input<1, 28, 28>,                                   //
                          Conv2d<conv2d_options{.out = 6, .kernel = 5, .padding = 2}>, ReLU,
                          MaxPool2d<pool2d_options{.kernel = 2}>,             // 6 x 14 x 14
                          Conv2d<conv2d_options{.out = 16, .kernel = 5}>, ReLU,
                          MaxPool2d<pool2d_options{.kernel = 2}>,             // 16 x 5 x 5
                          Flatten, Linear<120>, ReLU, Linear<84>, ReLU, Linear<10>>;

int main(int argc, char** argv) {
  const examples::arguments args(
      argc, argv,
      "usage: lenet [--data DIR] [--epochs N] [--batch-size N] [--lr X] [--limit N] [--out DIR]\n"
      "  --data DIR   MNIST or Fashion-MNIST IDX files (default: Debian's dataset-fashion-mnist,\n"
      "               /usr/share/datasets/fashion-mnist)\n"
      "  --limit N    use only the first N training and test images (a quick run)\n"
      "  --out DIR    where the CSV log, the SVG learning curve and the checkpoint go\n");
  try {
    const auto run = examples::parse_image_run(args, "/usr/share/datasets/fashion-mnist",
                                               /*epochs=*/10, /*batch_size=*/32);
    LeNet5 net(run.seed);
    optim::Adam opt{net, {.lr = args.real("lr", 1e-3)}};
    // Halve the step size every 4 epochs: the last epochs settle instead of bouncing.
    optim::StepLR schedule{opt, {.step_size = 4, .gamma = 0.5}};
    examples::train_and_test(net, opt, run, "lenet", {callbacks::step_each_epoch(schedule)});
  } catch (const std::exception& error) {
    std::fprintf(stderr, "lenet: %s\n", error.what());
    return 1;
  }
}
