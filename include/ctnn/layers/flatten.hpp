// Flatten: all feature axes into one, as torch.nn.Flatten() (start_dim = 1). Samples are already
// contiguous, so this is a view: Sequential aliases its output to its input and runs nothing.
#pragma once

#include <array>
#include <string_view>

#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

struct Flatten : no_parameters {
  static constexpr std::string_view name = "Flatten";
  static constexpr bool is_view = true;

  template <class In>
  using output_shape = Shape<In::size>;

  template <class At, class From, class In>
  using check = check::any_input<At, From, In>;
};

}  // namespace ctnn
