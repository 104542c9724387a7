// Shape<Ds...>: the static feature extents of a tensor (the batch extent is not part of it and is
// stored at run time by Tensor). A shape is an empty type; its arithmetic is constexpr functions
// over std::array, not recursive templates, which keeps compile times flat.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <utility>

namespace ctnn {

template <std::size_t... Ds>
struct Shape {
  static_assert(((Ds > 0) && ...),
                "ctnn::Shape: every extent must be at least 1; a zero extent holds no data");
  static constexpr std::size_t rank = sizeof...(Ds);
  static constexpr std::size_t size = (std::size_t{1} * ... * Ds);
  static constexpr std::array<std::size_t, sizeof...(Ds)> dims{Ds...};
};

template <class T>
inline constexpr bool is_shape_v = false;
template <std::size_t... Ds>
inline constexpr bool is_shape_v<Shape<Ds...>> = true;

namespace detail {
template <auto Dims, std::size_t... I>
Shape<Dims[I]...> make_shape(std::index_sequence<I...>);
}  // namespace detail

// The Shape type whose extents are the elements of a constexpr std::array.
template <auto Dims>
using shape_from = decltype(detail::make_shape<Dims>(std::make_index_sequence<Dims.size()>{}));

// Shape<2,3> -> "Shape<2,3>", for run-time messages and summaries.
template <class S>
std::string shape_name() {
  std::string s = "Shape<";
  for (std::size_t i = 0; i < S::rank; ++i) {
    if (i) s += ',';
    s += std::to_string(S::dims[i]);
  }
  s += '>';
  return s;
}

}  // namespace ctnn
