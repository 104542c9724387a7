// Shared<Layer, Times = 2>: one layer applied Times times in a row with the same parameters, as a
// PyTorch module that calls the same attribute twice in its forward. The gradients of every
// application are summed into the one parameter slice; the state_dict has the layer's keys once.
// The layer must give the shape it takes.
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ctnn/core/static_checks.hpp"
#include "ctnn/nn/block.hpp"

namespace ctnn {

namespace detail {
template <class L, class Indices>
struct repeated;
template <class L, std::size_t... I>
struct repeated<L, std::index_sequence<I...>> {
  using type = chain_layer<true, std::conditional_t<(I >= 0), L, void>...>;
};
}  // namespace detail

template <class Layer_, std::size_t Times = 2>
struct Shared : detail::repeated<Layer_, std::make_index_sequence<Times>>::type {
  static_assert(::ctnn::check::shared_times<Times>::ok);
  static constexpr std::string_view name = "Shared";

  template <class At, class From, class In>
  using check = ::ctnn::check::all_of<
      typename detail::repeated<Layer_, std::make_index_sequence<Times>>::type::template check<
          At, From, In>,
      ::ctnn::check::shared_shape<
          At, In, typename detail::element_layer<Layer_>::template output_shape<In>>>;
};

}  // namespace ctnn
