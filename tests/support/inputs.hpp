// Deterministic inputs for tests.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "ctnn/core/random.hpp"

namespace ctnn_test {

// A batch of values uniform in [-scale, scale), the same on every run and backend.
template <class Net>
typename Net::input_tensor sample_input(std::size_t batch, double scale = 1.0) {
  using T = typename Net::value_type;
  std::vector<T> values(batch * Net::input_shape::size);
  ctnn::Generator rng(42);
  for (auto& v : values) v = T(rng.uniform(-scale, scale));
  return typename Net::input_tensor(batch, std::span<const T>(values));
}

}  // namespace ctnn_test
