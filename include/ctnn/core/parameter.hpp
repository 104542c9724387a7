// What a layer declares about each of its parameters: PyTorch's name and layout.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "ctnn/core/random.hpp"

namespace ctnn {

struct param_spec {
  std::string_view name;              // "weight", "bias": the state_dict suffix
  std::size_t rank = 0;               // number of used entries in dims
  std::array<std::size_t, 4> dims{};  // PyTorch layout, e.g. Linear weight [out, in]

  constexpr std::size_t size() const {
    std::size_t n = 1;
    for (std::size_t i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
};

template <std::size_t K>
constexpr std::size_t total_size(const std::array<param_spec, K>& specs) {
  std::size_t n = 0;
  for (const auto& s : specs) n += s.size();
  return n;
}

// The members of a layer without parameters.
struct no_parameters {
  template <class In>
  static constexpr std::array<param_spec, 0> parameters{};
  template <class In, class T>
  static void reset_parameters(std::span<T>, Generator&) {}
};

}  // namespace ctnn
