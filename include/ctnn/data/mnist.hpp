// MNIST and Fashion-MNIST from their four IDX files (gzipped or not) in one directory, as
// torchvision.datasets.MNIST / FashionMNIST: images (1, 28, 28) scaled to [0, 1], labels 0..9.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/data/dataset.hpp"
#include "ctnn/data/idx.hpp"

namespace ctnn::data {

using mnist_dataset = in_memory_dataset<Shape<1, 28, 28>>;

// split "train" (60,000) or "test" (10,000): <dir>/train-images-idx3-ubyte[.gz] and labels.
CTNN_RUN_ONCE mnist_dataset load_mnist(const std::filesystem::path& dir, const std::string& split);

}  // namespace ctnn::data

#if !defined(CTNN_SEPARATE_COMPILATION)
#include "ctnn/data/mnist.ipp"
#endif
