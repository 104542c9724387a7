// DataLoader: batches of a Dataset as tensors, as torch.utils.data.DataLoader.
//
//   data::DataLoader loader(train_set, {.batch_size = 32, .shuffle = true, .seed = 1});
//   for (const auto& batch : loader)           // one epoch; the next loop is the next epoch
//     train_step(net, loss, opt, batch.input, batch.target);
//
// Each epoch visits every sample exactly once (the last batch is smaller unless drop_last). With
// shuffle, the order of epoch e depends only on (seed, e): a run is reproducible, and another seed
// gives another order. With background, a thread prepares the next batch while the current one is
// used: for costly samples (decoding, augmentation) where a core is free. It is off by default, as
// PyTorch's num_workers = 0: on 2 cores, both running a training step's OpenMP threads, it made an
// epoch of the lenet example 2.0 to 2.2 s instead of 1.6 to 1.8, and of mnist_mlp 0.52 instead of
// 0.31 to 0.43 (one thread per batch, competing with the step for a core).
// With repeat = k an epoch is k passes (as tf.data's repeat), each pass visiting every sample once.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <future>
#include <numeric>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/core/errors.hpp"
#include "ctnn/core/policy.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/data/dataset.hpp"

namespace ctnn::data {

struct loader_options {
  std::size_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;
  std::uint64_t seed = 0;
  bool background = false;  // prepare the next batch on another thread
  std::size_t repeat = 1;    // passes over the dataset per epoch, each in its own order
};

template <Dataset D, class T = float, class P = policy::cpu>
class DataLoader {
 public:
  using input_shape = typename D::input_shape;
  struct batch {
    Tensor<T, input_shape, P> input;
    Tensor<T, Shape<1>, P> target;     // class ids (or regression targets), one per sample
    std::vector<std::size_t> indices;  // which samples of the dataset
  };

  DataLoader(const D& dataset, loader_options options) : dataset_(&dataset), options_(options) {
    if (options.batch_size == 0)
      throw shape_error("ctnn::data::DataLoader: batch_size must be at least 1");
    if (dataset.size() == 0) throw shape_error("ctnn::data::DataLoader: the dataset is empty");
    if (options.repeat == 0) throw shape_error("ctnn::data::DataLoader: repeat must be at least 1");
  }

  std::size_t size() const {  // batches per epoch, as len(loader)
    const std::size_t n = dataset_->size() * options_.repeat, b = options_.batch_size;
    return options_.drop_last ? n / b : (n + b - 1) / b;
  }
  std::size_t epoch() const { return epoch_; }

  // The sample order of epoch e (0-based).
  std::vector<std::size_t> order(std::size_t e) const {
    std::vector<std::size_t> order;
    order.reserve(dataset_->size() * options_.repeat);
    for (std::size_t pass = e * options_.repeat; pass < (e + 1) * options_.repeat; ++pass) {
      std::vector<std::size_t> one(dataset_->size());
      if (options_.shuffle)
        one = shuffled_indices(dataset_->size(), mix64(options_.seed ^ mix64(pass + 1)));
      else
        std::iota(one.begin(), one.end(), std::size_t{0});
      order.insert(order.end(), one.begin(), one.end());
    }
    return order;
  }

  class iterator {
   public:
    using value_type = batch;
    using difference_type = std::ptrdiff_t;
    const batch& operator*() const { return current_; }
    const batch* operator->() const { return &current_; }
    iterator& operator++() {
      if (++k_ < loader_->size()) current_ = loader_->take(k_);
      return *this;
    }
    bool operator==(const iterator& other) const { return k_ == other.k_; }

   private:
    friend class DataLoader;
    struct end_tag {};
    iterator(DataLoader* loader, std::size_t k, end_tag) : loader_(loader), k_(k) {}
    iterator(DataLoader* loader, std::size_t k) : loader_(loader), k_(k) {
      if (k_ < loader_->size()) current_ = loader_->take(k_);
    }
    DataLoader* loader_;
    std::size_t k_;
    batch current_;
  };

  // Starts the next epoch.
  iterator begin() {
    if (pending_.valid()) pending_.wait();  // a batch of an abandoned epoch reads order_
    pending_ = {};
    order_ = order(epoch_++);
    return iterator(this, 0);
  }
  iterator end() { return iterator(this, size(), typename iterator::end_tag{}); }

 private:
  batch make(std::size_t k) const {
    const std::size_t first = k * options_.batch_size;
    const std::size_t count = std::min(options_.batch_size, order_.size() - first);
    std::vector<float> features(count * input_shape::size);
    std::vector<T> targets(count);
    batch b;
    b.indices.assign(order_.begin() + long(first), order_.begin() + long(first + count));
    for (std::size_t i = 0; i < count; ++i)
      targets[i] = T(dataset_->get(b.indices[i], features.data() + i * input_shape::size));
    if constexpr (std::is_same_v<T, float>) {
      b.input = Tensor<T, input_shape, P>(count, std::span<const T>(features));
    } else {  // datasets give float features; a double network converts them
      const std::vector<T> inputs(features.begin(), features.end());
      b.input = Tensor<T, input_shape, P>(count, std::span<const T>(inputs));
    }
    b.target = Tensor<T, Shape<1>, P>(count, std::span<const T>(targets));
    return b;
  }
  // Batch k, made now or by the background thread; then batch k + 1 is started.
  batch take(std::size_t k) {
    batch b = pending_.valid() && pending_k_ == k ? pending_.get() : make(k);
    if (options_.background && k + 1 < size()) {
      pending_k_ = k + 1;
      pending_ = std::async(std::launch::async, [this, next = k + 1] { return make(next); });
    }
    return b;
  }

  const D* dataset_;
  loader_options options_;
  std::size_t epoch_ = 0;
  std::vector<std::size_t> order_;
  std::future<batch> pending_;
  std::size_t pending_k_ = 0;
};

}  // namespace ctnn::data
