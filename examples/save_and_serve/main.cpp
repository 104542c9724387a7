// Train, save, and serve from another process: the network's type is the contract, the
// safetensors file (PyTorch's state_dict keys) carries the numbers.
//
//   save_and_serve train   [--data DIR] [--model FILE] [--epochs 2] [--limit N]
//   save_and_serve predict [--data DIR] [--model FILE] --index N    a test image, with its label
//   save_and_serve predict [--model FILE] --image FILE.pgm            any 28x28 grey image
//   save_and_serve export  [--data DIR] --index N --image FILE.pgm    write a test image as PGM
#include <ctnn/ctnn.hpp>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "../common/arguments.hpp"

using namespace ctnn;

using MLP = Sequential<Input<1, 28, 28>, Flatten, Linear<128>, ReLU, Linear<64>, ReLU, Linear<10>>;
constexpr float mnist_mean = 0.1307f, mnist_std = 0.3081f;

// A binary PGM (P5) of 28 x 28 pixels with maxval 255, as the bytes of one MNIST image.
std::vector<std::uint8_t> read_pgm(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error("cannot open the image " + path);
  std::string magic;
  std::size_t width = 0, height = 0, maxval = 0;
  in >> magic >> width >> height >> maxval;
  if (magic != "P5" || width != 28 || height != 28 || maxval != 255)
    throw io_error(path + " is not a 28x28 binary PGM (P5) with maxval 255: magic " + magic +
                   ", " + std::to_string(width) + "x" + std::to_string(height) + ", maxval " +
                   std::to_string(maxval));
  in.get();  // the single whitespace before the pixels
  std::vector<std::uint8_t> pixels(28 * 28);
  if (!in.read(reinterpret_cast<char*>(pixels.data()), std::streamsize(pixels.size())))
    throw io_error(path + " ends before its 784 pixels");
  return pixels;
}

void write_pgm(const std::string& path, const std::vector<float>& image) {  // image in [0, 1]
  if (const auto dir = std::filesystem::path(path).parent_path(); !dir.empty())
    std::filesystem::create_directories(dir);
  std::ofstream out(path, std::ios::binary);
  out << "P5\n28 28\n255\n";
  for (float v : image) out.put(char(std::uint8_t(std::lround(v * 255))));
  if (!out) throw io_error("cannot write " + path);
}

void print_prediction(const MLP& net, const std::vector<float>& normalized) {
  const auto logits = net(MLP::input_tensor(1, std::span<const float>(normalized))).to_host();
  std::size_t best = 0;
  for (std::size_t c = 1; c < 10; ++c)
    if (logits[c] > logits[best]) best = c;
  std::printf("Predicted: %zu\n", best);
}

int main(int argc, char** argv) {
  const std::string usage =
      "usage: save_and_serve train|predict|export [--data DIR] [--model FILE] [--epochs N]\n"
      "                      [--limit N] [--index N] [--image FILE.pgm]\n";
  if (argc < 2) {
    std::fputs(usage.c_str(), stderr);
    return 2;
  }
  const std::string command = argv[1];
  const examples::arguments args(argc - 1, argv + 1, usage);
  const std::string data_dir = args.text("data", CTNN_DATA_DIR "/mnist");
  const std::string model = args.text("model", "mnist_mlp.safetensors");
  try {
    if (command == "train") {
      auto train = data::load_mnist(data_dir, "train");
      train.normalize(mnist_mean, mnist_std);
      std::vector<std::size_t> keep(std::min<std::size_t>(
          args.number("limit", 0) > 0 ? std::size_t(args.number("limit", 0)) : train.size(),
          train.size()));
      for (std::size_t i = 0; i < keep.size(); ++i) keep[i] = i;
      const data::subset used(train, keep);
      data::DataLoader loader(used, {.batch_size = 32, .shuffle = true, .seed = 1});
      MLP net(/*seed=*/1);
      optim::Adam opt{net, {.lr = 1e-3}};
      fit_options options;
      options.epochs = std::size_t(args.number("epochs", 2));
      fit(net, loss::CrossEntropyLoss{}, opt, loader, options);
      if (const auto dir = std::filesystem::path(model).parent_path(); !dir.empty())
        std::filesystem::create_directories(dir);
      save(net, model, {{"trained_on", data_dir}});
      std::printf("saved %s\n", model.c_str());
    } else if (command == "predict") {
      MLP net;  // a fresh process: the type, then the numbers
      load(net, model);  // strict: every key of the type, each with its shape, or an error
      std::printf("loaded %s\n", model.c_str());
      std::vector<float> x(28 * 28);
      if (args.text("image", "").empty()) {
        auto test = data::load_mnist(data_dir, "test");
        test.normalize(mnist_mean, mnist_std);
        const std::size_t index = std::size_t(args.number("index", 0));
        if (index >= test.size())
          throw index_error("--index " + std::to_string(index) + ": the test set has " +
                            std::to_string(test.size()) + " images");
        const float label = test.get(index, x.data());
        print_prediction(net, x);
        std::printf("Actual: %d\n", int(label));
      } else {
        const auto pixels = read_pgm(args.text("image", ""));
        for (std::size_t i = 0; i < x.size(); ++i)
          x[i] = (pixels[i] / 255.0f - mnist_mean) / mnist_std;
        print_prediction(net, x);
      }
    } else if (command == "export") {
      const auto test = data::load_mnist(data_dir, "test");  // [0, 1], not normalised
      std::vector<float> image(28 * 28);
      const std::size_t index = std::size_t(args.number("index", 0));
      if (index >= test.size()) throw index_error("--index is past the test set");
      const float label = test.get(index, image.data());
      write_pgm(args.text("image", "digit.pgm"), image);
      std::printf("wrote test image %zu (a %d) to %s\n", index, int(label),
                  args.text("image", "digit.pgm").c_str());
    } else {
      std::fputs(usage.c_str(), stderr);
      return 2;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "save_and_serve: %s\n", error.what());
    return 1;
  }
}
