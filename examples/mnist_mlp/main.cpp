// The first network of every tutorial: a multilayer perceptron on MNIST digits.
// 784 -> 128 -> ReLU -> 64 -> ReLU -> 10, Adam(1e-3), batch 32, 5 epochs.
//
//   mnist_mlp [--data DIR] [--epochs 5] [--batch-size 32] [--lr 0.001] [--limit N]
//             [--validation N] [--out DIR]
#include <ctnn/ctnn.hpp>

#include <cstdio>
#include <exception>

#include "../common/image_classifier.hpp"

using namespace ctnn;

using MLP = Sequential<Input<1, 28, 28>, Flatten, Linear<128>, ReLU, Linear<64>, ReLU, Linear<10>>;

int main(int argc, char** argv) {
  const examples::arguments args(
      argc, argv,
      "usage: mnist_mlp [--data DIR] [--epochs N] [--batch-size N] [--lr X] [--limit N] "
      "[--out DIR]\n"
      "  --data DIR   MNIST IDX files, gzipped or not (default: " CTNN_DATA_DIR
      "/mnist)\n"
      "  --limit N    use only the first N training and test images (a quick run)\n"
      "  --out DIR    where the CSV log, the SVG learning curve and the checkpoint go\n");
  try {
    // The tutorial's loop: all 60,000 images, the test set's figures after each epoch.
    const auto run = examples::parse_image_run(args, CTNN_DATA_DIR "/mnist", /*epochs=*/5,
                                               /*batch_size=*/32, /*validation=*/0);
    MLP net(run.seed);
    optim::Adam opt{net, {.lr = args.real("lr", 1e-3)}};
    examples::train_and_test(net, opt, run, "mnist_mlp");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "mnist_mlp: %s\n", error.what());
    return 1;
  }
}
