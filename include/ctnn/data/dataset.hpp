// Datasets: what a loader draws samples from.
//
//   Dataset D:  D::input_shape (a Shape), d.size(), d.get(i, float* features) -> float target
//
// in_memory_dataset holds every sample in one buffer (MNIST is 188 MB as float, 47 MB as bytes:
// it keeps bytes and converts each sample when it is drawn); subset views a part of another
// dataset (a train/validation split) without copying.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "ctnn/core/errors.hpp"
#include "ctnn/core/random.hpp"

namespace ctnn::data {

template <class D>
concept Dataset = requires(const D& d, std::size_t i, float* features) {
  typename D::input_shape;
  { d.size() } -> std::convertible_to<std::size_t>;
  { d.get(i, features) } -> std::convertible_to<float>;
};

// Samples of unsigned bytes, each scaled as `scale * byte + shift` when drawn (1/255 and 0: the
// [0, 1] of torchvision's ToTensor), and one class id per sample.
template <class InputShape>
class in_memory_dataset {
 public:
  using input_shape = InputShape;

  in_memory_dataset(std::vector<std::uint8_t> bytes, std::vector<float> targets,
                    float scale = 1.0f / 255, float shift = 0)
      : bytes_(std::move(bytes)), targets_(std::move(targets)), scale_(scale), shift_(shift) {
    if (bytes_.size() != targets_.size() * InputShape::size)
      throw shape_error("ctnn::data::in_memory_dataset: " + std::to_string(bytes_.size()) +
                        " bytes for " + std::to_string(targets_.size()) + " samples of " +
                        std::to_string(InputShape::size));
  }

  std::size_t size() const { return targets_.size(); }
  float get(std::size_t i, float* features) const {
    const std::uint8_t* sample = bytes_.data() + i * InputShape::size;
    for (std::size_t k = 0; k < InputShape::size; ++k) features[k] = scale_ * sample[k] + shift_;
    return targets_[i];
  }
  float target(std::size_t i) const { return targets_[i]; }

  // Normalise as torchvision's Normalize(mean, std) after ToTensor: (x / 255 - mean) / std.
  void normalize(float mean, float std) {
    scale_ = 1.0f / (255 * std);
    shift_ = -mean / std;
  }

 private:
  std::vector<std::uint8_t> bytes_;
  std::vector<float> targets_;
  float scale_, shift_;
};

// The samples of `base` at the given indices (a split, a subset for a quick run).
template <Dataset D>
class subset {
 public:
  using input_shape = typename D::input_shape;
  subset(const D& base, std::vector<std::size_t> indices)
      : base_(&base), indices_(std::move(indices)) {
    for (std::size_t i : indices_)
      if (i >= base.size())
        throw index_error("ctnn::data::subset: index " + std::to_string(i) +
                          " is past the dataset's " + std::to_string(base.size()) + " samples");
  }
  std::size_t size() const { return indices_.size(); }
  float get(std::size_t i, float* features) const { return base_->get(indices_[i], features); }

 private:
  const D* base_;
  std::vector<std::size_t> indices_;
};

// 0, 1, ..., n - 1 in an order fixed by the seed (Fisher-Yates over ctnn's Generator, so the
// order is the same on every platform, which std::shuffle does not promise).
inline std::vector<std::size_t> shuffled_indices(std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Generator rng(seed);
  for (std::size_t i = n; i > 1; --i)
    std::swap(order[i - 1], order[std::size_t(rng.uniform(0, double(i))) % i]);
  return order;
}

// A seeded split into two subsets of `first` and size() - first samples, as random_split.
template <Dataset D>
std::pair<subset<D>, subset<D>> random_split(const D& base, std::size_t first, std::uint64_t seed) {
  if (first > base.size())
    throw shape_error("ctnn::data::random_split: " + std::to_string(first) + " samples asked of " +
                      std::to_string(base.size()));
  const std::vector<std::size_t> order = shuffled_indices(base.size(), seed);
  return {subset<D>(base, {order.begin(), order.begin() + long(first)}),
          subset<D>(base, {order.begin() + long(first), order.end()})};
}

}  // namespace ctnn::data
