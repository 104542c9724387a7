// Input<Ds...>: the first argument of Sequential, the shape of one sample (no batch extent).
// It is not a layer and is not counted in layer numbering, as torch.nn.Sequential has no such
// module.
#pragma once

#include <cstddef>

#include "ctnn/core/shape.hpp"

namespace ctnn {

template <std::size_t... Ds>
struct Input {
  using shape = Shape<Ds...>;
};

template <class T>
inline constexpr bool is_input_v = false;
template <std::size_t... Ds>
inline constexpr bool is_input_v<Input<Ds...>> = true;

}  // namespace ctnn
