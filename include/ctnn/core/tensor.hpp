// Tensor<T, Shape, Policy>: a batch of samples of static feature shape Shape, stored contiguously
// (sample-major, then row-major within a sample, as PyTorch's NCHW) in the policy's memory: the
// heap for policy::cpu, a Thrust vector for the Thrust policies. Only the batch extent is a
// run-time value. Element access from the host goes through explicit copies (to_host, at), so code
// that reads a device tensor one element at a time is visible in the source.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "ctnn/core/backend.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/shape.hpp"

namespace ctnn {

template <class T, class S, class P = policy::cpu>
class Tensor {
  static_assert(is_shape_v<S>, "ctnn::Tensor: the second argument must be a Shape<...>");

 public:
  using value_type = T;
  using shape_type = S;
  using policy_type = P;
  using storage_type = typename backend_for<P>::template vector<T>;
  static constexpr std::size_t sample_size = S::size;

  Tensor() : data_(backend<P>::template allocate<T>(0)) {}

  // A zero-filled batch.
  explicit Tensor(std::size_t batch)
      : batch_(batch), data_(backend<P>::template allocate<T>(batch * S::size)) {}

  // A batch copied from host memory; the element count must be batch * S::size.
  Tensor(std::size_t batch, std::span<const T> host) : Tensor(batch) {
    if (host.size() != size())
      throw shape_error("ctnn::Tensor: " + std::to_string(host.size()) +
                        " values given for batch " + std::to_string(batch) + " of " +
                        shape_name<S>() + ", which needs " + std::to_string(size()));
    backend<P>::copy_from_host(host.data(), host.size(), data());
  }
  Tensor(std::size_t batch, std::initializer_list<T> host)
      : Tensor(batch, std::span<const T>(host.begin(), host.size())) {}

  // Makes room for `batch` samples, reusing the storage when the batch is unchanged (the values
  // are then left as they were; new storage is zero-filled). For buffers reused across steps.
  void resize(std::size_t batch) {
    if (batch == batch_) return;
    data_ = backend<P>::template allocate<T>(batch * S::size);
    batch_ = batch;
  }

  std::size_t batch() const { return batch_; }
  std::size_t size() const { return batch_ * S::size; }
  T* data() { return backend<P>::data(data_); }
  const T* data() const { return backend<P>::data(data_); }

  std::vector<T> to_host() const {
    std::vector<T> host(size());
    backend<P>::copy_to_host(data(), size(), host.data());
    return host;
  }

  // One element, copied to the host: at(sample, i, j, ...), bounds-checked.
  template <class... I>
  T at(std::size_t sample, I... index) const {
    static_assert(sizeof...(I) == S::rank,
                  "ctnn::Tensor::at: give the sample index and one index per feature axis");
    const std::size_t idx[] = {sample, static_cast<std::size_t>(index)...};
    std::size_t flat = 0;
    for (std::size_t axis = 0; axis <= S::rank; ++axis) {
      const std::size_t extent = axis == 0 ? batch_ : S::dims[axis - 1];
      if (idx[axis] >= extent)
        throw index_error("ctnn::Tensor::at: index " + std::to_string(idx[axis]) + " on axis " +
                          std::to_string(axis) + " is out of range for extent " +
                          std::to_string(extent));
      flat = flat * extent + idx[axis];
    }
    T value{};
    backend<P>::copy_to_host(data() + flat, 1, &value);
    return value;
  }

  // The same values on another backend (through the host).
  template <class P2>
  Tensor<T, S, P2> to() const {
    const auto host = to_host();
    return Tensor<T, S, P2>(batch_, std::span<const T>(host));
  }

 private:
  std::size_t batch_ = 0;
  storage_type data_;
};

}  // namespace ctnn
