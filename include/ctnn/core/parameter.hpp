// What a layer declares about each of its parameters: PyTorch's name and layout.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string_view>

#include "ctnn/core/random.hpp"

namespace ctnn {

// A state_dict key held by value, so that blocks can build "1.0.weight" at compile time from
// their elements' names. Longer keys are a compile error (a throw in a constant expression).
struct param_name {
  static constexpr std::size_t capacity = 96;
  char text[capacity]{};
  std::size_t length = 0;

  constexpr param_name() = default;
  constexpr param_name(const char* s) : param_name(std::string_view(s)) {}
  constexpr param_name(std::string_view s) { append(s); }

  constexpr param_name& append(std::string_view s) {
    if (length + s.size() > capacity)
      throw std::length_error("ctnn::param_name: a parameter name is longer than 96 characters");
    for (char c : s) text[length++] = c;
    return *this;
  }
  constexpr std::string_view view() const { return {text, length}; }
  constexpr operator std::string_view() const { return view(); }
  friend constexpr bool operator==(const param_name& a, std::string_view b) {
    return a.view() == b;
  }
};

// "prefix.name"
constexpr param_name prefixed(std::string_view prefix, std::string_view name) {
  param_name joined(prefix);
  joined.append(".").append(name);
  return joined;
}

struct param_spec {
  param_name name;                    // "weight", "bias": the state_dict suffix
  std::size_t rank = 0;               // number of used entries in dims
  std::array<std::size_t, 4> dims{};  // PyTorch layout, e.g. Linear weight [out, in]
  bool trainable = true;              // false: a constant, saved but never updated (Frozen<L>)
  bool integral = false;              // a count (num_batches_tracked): int64 in a state_dict

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
