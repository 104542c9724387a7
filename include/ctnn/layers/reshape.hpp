// Views: layers that change how the features are seen, not their values. Samples are contiguous,
// so Sequential aliases a view's output to its input and runs nothing.
//   Identity          as torch.nn.Identity
//   Reshape<Ds...>    the features as Shape<Ds...> (same element count), as Tensor.view(batch,
//   Ds...)
#pragma once

#include <cstddef>
#include <string_view>

#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

struct Identity : no_parameters {
  static constexpr std::string_view name = "Identity";
  static constexpr bool is_view = true;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = check::any_input<At, From, In>;
};

template <std::size_t... Ds>
struct Reshape : no_parameters {
  static constexpr std::string_view name = "Reshape";
  static constexpr bool is_view = true;

  template <class In>
  using output_shape = Shape<Ds...>;

  template <class At, class From, class In>
  using check = check::reshape_size<At, From, In, Shape<Ds...>>;
};

template <std::size_t... Ds>
using View = Reshape<Ds...>;

}  // namespace ctnn
