// Definitions of mnist.hpp.
// Included by its header (header-only) or by <ctnn/src.hpp> (CTNN_SEPARATE_COMPILATION).
#pragma once

#include "ctnn/data/mnist.hpp"

namespace ctnn::data {

CTNN_RUN_ONCE mnist_dataset load_mnist(const std::filesystem::path& dir, const std::string& split) {
  const std::string hint =
      " (MNIST: http://yann.lecun.com/exdb/mnist/; Fashion-MNIST: Debian's dataset-fashion-mnist "
      "package, or https://github.com/zalandoresearch/fashion-mnist)";
  if (split != "train" && split != "t10k" && split != "test")
    throw io_error("ctnn::data::load_mnist: split \"" + split + "\" is neither train nor test");
  if (!std::filesystem::is_directory(dir))
    throw io_error("ctnn::data::load_mnist: " + dir.string() + " is not a directory" + hint);
  const std::string prefix = split == "train" ? "train" : "t10k";
  const auto find = [&](const std::string& name) {
    for (const std::string& candidate : {name + ".gz", name})
      if (std::filesystem::exists(dir / candidate)) return dir / candidate;
    throw io_error("ctnn::data::load_mnist: " + dir.string() + " has no " + name + "[.gz]" + hint);
  };
  const idx_array images = read_idx(find(prefix + "-images-idx3-ubyte"));
  const idx_array labels = read_idx(find(prefix + "-labels-idx1-ubyte"));
  if (images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28)
    throw io_error("ctnn::data::load_mnist: " + prefix +
                   "-images-idx3-ubyte does not hold N x 28 x 28 images");
  if (labels.dims.size() != 1 || labels.dims[0] != images.dims[0])
    throw io_error("ctnn::data::load_mnist: " + std::to_string(images.dims[0]) + " images but " +
                   std::to_string(labels.dims.empty() ? 0 : labels.dims[0]) + " labels in " +
                   dir.string());
  std::vector<float> targets(labels.values.begin(), labels.values.end());
  for (float t : targets)
    if (t > 9)
      throw io_error("ctnn::data::load_mnist: a label is " + std::to_string(t) + ", not 0..9");
  return mnist_dataset(images.values, std::move(targets));
}

}  // namespace ctnn::data
