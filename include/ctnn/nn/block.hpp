// Block<Elements...>: layers run one after the other, as a layer: a nested torch.nn.Sequential,
// or a user-defined module whose forward is a chain of its attributes. Its parameters are named
// by the elements' keys under the block's own: "2.0.weight", or "2.hidden.weight" with
// Named<"hidden", Linear<256>>. A user block is a type that derives from it:
//
//   struct MLP : Block<Named<"hidden", Linear<256>>, ReLU, Named<"out", Linear<10>>> {
//     static constexpr std::string_view name = "MLP";
//   };
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/nn/chain.hpp"
#include "ctnn/nn/summary.hpp"

namespace ctnn {

namespace detail {

// The layer members of a block whose work is one chain over its elements.
template <bool Shared, class... Es>
struct chain_layer {
  template <class In>
  using body = chain<In, Shared, Es...>;

  template <class In>
  using output_shape = typename boundary_shapes<In, element_layer<Es>...>::last;

  template <class At, class From, class In>
  using check = chain_checks<At, From, In, std::index_sequence_for<Es...>, Es...>;

  template <class In>
  static constexpr auto parameters = body<In>::parameters;
  template <class In>
  static constexpr auto buffers = body<In>::buffers;
  template <class In>
  static constexpr std::size_t saved_per_sample = body<In>::saved_per_sample;
  template <class In>
  static constexpr std::size_t scratch_per_sample = body<In>::scratch_per_sample;
  template <class In>
  static constexpr std::size_t scratch_per_call = body<In>::scratch_per_call;

  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    body<In>::reset_parameters(params, rng);
  }
  template <class In, class T>
  static void reset_buffers(std::span<T> buffers) {
    body<In>::reset_buffers(buffers);
  }
  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    body<In>::template forward<P>(a);
  }
  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    body<In>::template backward<P>(a);
  }
  template <class In>
  static void describe(std::vector<summary_row>& rows, std::size_t depth) {
    body<In>::describe(rows, depth);
  }
};

}  // namespace detail

template <class... Elements>
struct Block : detail::chain_layer<false, Elements...> {
  static constexpr std::string_view name = "Block";
};

}  // namespace ctnn
