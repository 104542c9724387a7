// chain<In, Elements...>: the engine that runs a list of layers one after the other. Sequential
// runs its layers with it, and so does every block (Block, Residual, Shared, the branches of
// Concat and Sum), so nesting is the same code at every depth.
//
// - Elements are layers, Named<"key", Layer> (the state_dict prefix is "key" instead of the
//   position), or a Sequential network type (used as a block; its Input must fit).
// - Shapes: a fold over the elements gives every boundary (0 is the input, I + 1 the output of
//   element I); each element checks its input with a check from the catalogue, named by position.
// - Storage, per sample: a recording forward (layer_pass::saved set) keeps the inner boundaries
//   and each element's saved region in `saved`; boundary 0 is the caller's x and boundary L its y.
//   Inference ping-pongs between two buffers in scratch. Backward ping-pongs the gradients in
//   scratch. Each element's own scratch follows.
// - A layer with an epilogue (Linear, Conv) followed by an elementwise layer runs fused; views
//   (Flatten) run nothing: their output aliases their input.
// - Shared: every element uses the same parameter and buffer slice (offset 0), so one layer
//   applied twice sums its gradients, as a module called twice in PyTorch does.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/core/backend.hpp"
#include "ctnn/core/concepts.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/nn/summary.hpp"

namespace ctnn {

// A string usable as a template argument: Named<"fc1", Linear<64>>.
template <std::size_t N>
struct fixed_string {
  char text[N]{};
  constexpr fixed_string(const char (&s)[N]) {
    for (std::size_t i = 0; i < N; ++i) text[i] = s[i];
  }
  constexpr std::string_view view() const { return {text, N - 1}; }
};

// An element with its own state_dict key, as an attribute of a PyTorch module: the parameters of
// Named<"hidden", Linear<256>> are "hidden.weight" and "hidden.bias".
template <fixed_string Key, class L>
struct Named {
  using named_layer = L;
  static constexpr std::string_view key = Key.view();
};

namespace detail {

template <std::size_t I, class... Ts>
using pack_element = std::tuple_element_t<I, std::tuple<Ts...>>;

// What an element runs, and the key it is known by. A type with `as_layer` (a Sequential network)
// runs as that layer.
template <class E>
struct element_traits {
  using layer = E;
  static constexpr bool named = false;
  static constexpr std::string_view key{};
};
template <class E>
requires requires {
  typename E::as_layer;
}
struct element_traits<E> {
  using layer = typename E::as_layer;
  static constexpr bool named = false;
  static constexpr std::string_view key{};
};
// Named<Key, L>, found by its members (nvcc does not match a partial specialisation on a
// class-type template argument).
template <class E>
requires requires {
  typename E::named_layer;
}
struct element_traits<E> {
  using layer = typename element_traits<typename E::named_layer>::layer;
  static constexpr bool named = true;
  static constexpr std::string_view key = E::key;
};

template <class E>
using element_layer = typename element_traits<E>::layer;

// The shapes at every boundary, built by a left fold of operator<< over the layers.
template <class... Shapes>
struct shape_chain {
  using last = pack_element<sizeof...(Shapes) - 1, Shapes...>;
  template <std::size_t I>
  using at = pack_element<I, Shapes...>;
};
template <class L>
struct layer_tag {};
template <class... Shapes, class L>
auto operator<<(shape_chain<Shapes...>, layer_tag<L>)
    -> shape_chain<Shapes...,
                   typename L::template output_shape<typename shape_chain<Shapes...>::last>>;

template <class In, class... Ls>
using boundary_shapes = decltype((shape_chain<In>{} << ... << layer_tag<Ls>{}));

template <class L>
inline constexpr bool is_view_v = requires {
  requires L::is_view;
};
template <class L>
inline constexpr bool accepts_epilogue_v = requires {
  requires L::accepts_epilogue;
};
template <class L>
inline constexpr bool is_elementwise_v = requires {
  typename L::op_type;
};

// The buffers a layer declares (running statistics), or none.
template <class L, class In>
constexpr auto layer_buffers() {
  if constexpr (requires { L::template buffers<In>; }) {
    return L::template buffers<In>;
  } else {
    return std::array<param_spec, 0>{};
  }
}

// Storage a layer asks for, per sample: kept from forward to backward, and temporary.
template <class L, class In>
constexpr std::size_t saved_per_sample() {
  if constexpr (requires { L::template saved_per_sample<In>; }) {
    return L::template saved_per_sample<In>;
  } else {
    return 0;
  }
}
template <class L, class In>
constexpr std::size_t scratch_per_sample() {
  if constexpr (requires { L::template scratch_per_sample<In>; }) {
    return L::template scratch_per_sample<In>;
  } else {
    return 0;
  }
}
template <class L, class In>
constexpr std::size_t scratch_per_call() {
  if constexpr (requires { L::template scratch_per_call<In>; }) {
    return L::template scratch_per_call<In>;
  } else {
    return 0;
  }
}

// The name of element I in diagnostics: at<I, L> at the top level, inside<Block, I, L> deeper.
template <class Outer, std::size_t I, class L>
using position_of =
    std::conditional_t<std::is_void_v<Outer>, check::at<I, L>, check::inside<Outer, I, L>>;
template <class Outer, std::size_t I, class L>
using previous_of =
    std::conditional_t<std::is_void_v<Outer>, check::after<I, L>, check::inside<Outer, I, L>>;

// Every element's shape check against its input. Each check is a base class (all distinct: each
// names its position), so instantiating the chain runs them all.
template <class Outer, class From, class In, class Indices, class... Es>
struct chain_checks;
template <class Outer, class From, class In, std::size_t... I, class... Es>
struct chain_checks<Outer, From, In, std::index_sequence<I...>, Es...>
    : element_layer<Es>::template check<
          position_of<Outer, I, element_layer<Es>>,
          std::conditional_t<I == 0, From,
                             previous_of<Outer, (I > 0 ? I - 1 : 0),
                                         element_layer<pack_element<(I > 0 ? I - 1 : 0), Es...>>>>,
          typename boundary_shapes<In, element_layer<Es>...>::template at<I>>... {
  static constexpr bool ok = check::all_ok<typename element_layer<Es>::template check<
      position_of<Outer, I, element_layer<Es>>,
      std::conditional_t<I == 0, From,
                         previous_of<Outer, (I > 0 ? I - 1 : 0),
                                     element_layer<pack_element<(I > 0 ? I - 1 : 0), Es...>>>>,
      typename boundary_shapes<In, element_layer<Es>...>::template at<I>>...>;
};

// The state_dict prefix of element I: its key, or its position.
template <class E, std::size_t I>
constexpr param_name element_key() {
  if constexpr (element_traits<E>::named) {
    return param_name(element_traits<E>::key);
  } else {
    char digits[20]{};
    std::size_t n = 0, v = I;
    do {
      digits[n++] = char('0' + v % 10);
      v /= 10;
    } while (v);
    param_name key;
    while (n) key.append(std::string_view(&digits[--n], 1));
    return key;
  }
}

}  // namespace detail

template <class In, bool Shared, class... Es>
struct chain {
  static constexpr std::size_t L = sizeof...(Es);
  static_assert(L >= 1, "ctnn: a block needs at least one layer");

  template <std::size_t I>
  using layer = detail::element_layer<detail::pack_element<I, Es...>>;
  using shapes = detail::boundary_shapes<In, detail::element_layer<Es>...>;
  template <std::size_t I>
  using shape = typename shapes::template at<I>;
  using output_shape = shape<L>;

  template <std::size_t I>
  static constexpr param_name key = detail::element_key<detail::pack_element<I, Es...>, I>();

  // Element I runs fused with element I + 1: an epilogue-taking layer followed by an elementwise
  // one.
  template <std::size_t I>
  static constexpr bool fuses_next = [] {
    if constexpr (I + 1 < L) {
      return detail::accepts_epilogue_v<layer<I>> && detail::is_elementwise_v<layer<I + 1>>;
    } else {
      return false;
    }
  }();
  template <std::size_t I>
  static constexpr bool fused_into_previous = [] {
    if constexpr (I > 0) {
      return fuses_next<I - 1>;
    } else {
      return false;
    }
  }();

 private:
  template <std::size_t I>
  static constexpr auto specs_of = layer<I>::template parameters<shape<I>>;
  template <std::size_t I>
  static constexpr auto buffer_specs_of = detail::layer_buffers<layer<I>, shape<I>>();

  template <bool Buffers, std::size_t I>
  static constexpr const auto& specs_for() {
    if constexpr (Buffers)
      return buffer_specs_of<I>;
    else
      return specs_of<I>;
  }

  template <bool Buffers, std::size_t... I>
  static constexpr auto make_offsets(std::index_sequence<I...>) {
    std::array<std::size_t, L + 1> offsets{};
    const std::array<std::size_t, L> sizes{total_size(specs_for<Buffers, I>())...};
    for (std::size_t i = 0; i < L; ++i) offsets[i + 1] = offsets[i] + (Shared ? 0 : sizes[i]);
    if constexpr (Shared) offsets[L] = sizes[0];
    return offsets;
  }

  // The specs of every element, each prefixed by the element's key. A shared chain has the first
  // element's specs only, unprefixed: it is that layer.
  template <bool Buffers, std::size_t... I>
  static constexpr auto make_specs(std::index_sequence<I...>) {
    if constexpr (Shared) {
      return specs_for<Buffers, 0>();
    } else {
      constexpr std::size_t count = (specs_for<Buffers, I>().size() + ... + 0);
      std::array<param_spec, count> all{};
      std::size_t k = 0;
      const auto add = [&](const auto& specs, const param_name& prefix) {
        for (param_spec s : specs) {
          s.name = prefixed(prefix, s.name);
          all[k++] = s;
        }
      };
      (add(specs_for<Buffers, I>(), key<I>), ...);
      return all;
    }
  }

  // Where each inner boundary lives in `saved`, per sample; a view's output shares its input's
  // storage (`source`). The last entry of `saved_offsets` is the end of the saved region.
  struct layout_t {
    std::array<std::size_t, L + 1> source{};  // the boundary whose storage boundary i uses
    std::array<std::size_t, L + 1> offset{};  // of boundary i in saved, if it is stored there
    std::array<std::size_t, L + 1> saved{};   // element i's saved region; saved[L]: the end
    std::size_t max_inner = 0;                // the largest stored inner boundary
    std::size_t max_scratch = 0;              // the largest element scratch per sample
    std::size_t max_scratch_call = 0;         // and per call: an element's follows its own
  };
  template <std::size_t... I>
  static constexpr layout_t make_layout(std::index_sequence<I...>) {
    layout_t t;
    const std::array<bool, L> views{detail::is_view_v<layer<I>>...};
    const std::array<std::size_t, L> sizes{shape<I + 1>::size...};
    const std::array<std::size_t, L> saved{detail::saved_per_sample<layer<I>, shape<I>>()...};
    const std::array<std::size_t, L> scratch{detail::scratch_per_sample<layer<I>, shape<I>>()...};
    const std::array<std::size_t, L> per_call{detail::scratch_per_call<layer<I>, shape<I>>()...};
    std::size_t total = 0;
    for (std::size_t i = 0; i < L; ++i) {
      const std::size_t b = i + 1;
      t.source[b] = views[i] && b < L ? t.source[i] : b;
      if (t.source[b] == b && b < L) {
        t.offset[b] = total;
        total += sizes[i];
        t.max_inner = std::max(t.max_inner, sizes[i]);
      }
      t.max_scratch = std::max(t.max_scratch, scratch[i]);
      t.max_scratch_call = std::max(t.max_scratch_call, per_call[i]);
    }
    for (std::size_t i = 0; i < L; ++i) {
      t.saved[i] = total;
      total += saved[i];
    }
    t.saved[L] = total;
    return t;
  }
  static constexpr layout_t layout = make_layout(std::make_index_sequence<L>{});

  template <bool Buffers, std::size_t... I>
  static constexpr auto make_begin(std::index_sequence<I...>) {
    std::array<std::size_t, L + 1> begin{};
    const std::array<std::size_t, L> counts{specs_for<Buffers, I>().size()...};
    for (std::size_t i = 0; i < L; ++i) begin[i + 1] = begin[i] + (Shared ? 0 : counts[i]);
    if constexpr (Shared) begin[L] = counts[0];
    return begin;
  }

  template <std::size_t... I>
  static constexpr std::size_t first_computing(std::index_sequence<I...>) {
    const std::array<bool, L> views{detail::is_view_v<layer<I>>...};
    for (std::size_t i = 0; i < L; ++i)
      if (!views[i]) return i;
    return L;
  }

 public:
  static constexpr auto param_offsets = make_offsets<false>(std::make_index_sequence<L>{});
  static constexpr auto buffer_offsets = make_offsets<true>(std::make_index_sequence<L>{});
  static constexpr std::size_t parameter_count = param_offsets[L];
  static constexpr std::size_t buffer_count = buffer_offsets[L];
  static constexpr auto parameters = make_specs<false>(std::make_index_sequence<L>{});
  static constexpr auto buffers = make_specs<true>(std::make_index_sequence<L>{});

  static constexpr auto boundary_source = layout.source;
  static constexpr auto boundary_offsets = layout.offset;
  static constexpr std::size_t max_inner_boundary = layout.max_inner;
  static constexpr std::size_t saved_per_sample = layout.saved[L];
  static constexpr std::size_t scratch_per_sample = 2 * layout.max_inner + layout.max_scratch;
  static constexpr std::size_t scratch_per_call = layout.max_scratch_call;
  static constexpr std::size_t first_computing_layer =
      first_computing(std::make_index_sequence<L>{});

  // Index of element I's first spec in `parameters` and in `buffers`; entry L is the count.
  static constexpr auto spec_begin = make_begin<false>(std::make_index_sequence<L>{});
  static constexpr auto buffer_spec_begin = make_begin<true>(std::make_index_sequence<L>{});

  // The summary rows of the elements, and of their own elements one level deeper.
  static void describe(std::vector<summary_row>& rows, std::size_t depth) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (describe_element<I>(rows, depth), ...);
    }
    (std::make_index_sequence<L>{});
  }

  template <class Rng, class T>
  static void reset_parameters(std::span<T> params, Rng& rng) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (reset_element<I>(params, rng), ...);
    }
    (std::make_index_sequence < Shared ? 1 : L > {});
  }
  template <class T>
  static void reset_buffers(std::span<T> buffers) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (reset_element_buffers<I>(buffers), ...);
    }
    (std::make_index_sequence < Shared ? 1 : L > {});
  }

  // Forward: records the inner boundaries in a.saved when it is set, else runs as inference.
  template <class P, class T>
  static void forward(const layer_pass<T>& a) {
    if (a.saved || saved_per_sample == 0) {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (record_element<I, P>(a), ...);
      }
      (std::make_index_sequence<L>{});
    } else {
      inference_state<T> s{a.x, {a.scratch, a.scratch + layout.max_inner * a.batch}, 0};
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (infer_element<I, P>(a, s), ...);
      }
      (std::make_index_sequence<L>{});
    }
  }

  // Backward over a recorded forward: dL/dy in a.dy (overwritten), dL/dx into a.dx when set.
  template <class P, class T>
  static void backward(const layer_pass<T>& a) {
    backward_state<T> s{a.dy, 0};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (backward_element<L - 1 - I, P>(a, s), ...);
    }
    (std::make_index_sequence<L>{});
    if constexpr (first_computing_layer == L) {  // only views: the gradient passes through
      if (a.dx) backend<P>::copy(a.dy, a.batch * In::size, a.dx);
    }
  }

 private:
  template <class T>
  struct inference_state {
    const T* current;
    T* buffers[2];
    int next;
  };
  template <class T>
  struct backward_state {
    T* dy;  // dL/d(current boundary)
    int next;
  };

  template <std::size_t I>
  static void describe_element(std::vector<summary_row>& rows, std::size_t depth) {
    const std::size_t count =
        Shared ? (I == 0 ? parameter_count : 0) : param_offsets[I + 1] - param_offsets[I];
    rows.push_back({depth, std::string(key<I>.view()), std::string(layer<I>::name),
                    summary_shape<shape<I + 1>>(), count});
    if constexpr (requires { layer<I>::template describe<shape<I>>(rows, depth + 1); })
      layer<I>::template describe<shape<I>>(rows, depth + 1);
  }

  template <std::size_t I, class Rng, class T>
  static void reset_element(std::span<T> params, Rng& rng) {
    layer<I>::template reset_parameters<shape<I>>(
        params.subspan(param_offsets[Shared ? 0 : I],
                       Shared ? parameter_count : param_offsets[I + 1] - param_offsets[I]),
        rng);
  }
  template <std::size_t I, class T>
  static void reset_element_buffers(std::span<T> buffers) {
    if constexpr (total_size(buffer_specs_of<I>) > 0)
      layer<I>::template reset_buffers<shape<I>>(
          buffers.subspan(buffer_offsets[I], total_size(buffer_specs_of<I>)));
  }

  // The boundary where element I's output lands: after the fused partner, if any.
  template <std::size_t I>
  static constexpr std::size_t output_boundary = fuses_next<I> ? I + 2 : I + 1;

  // A recorded boundary: the caller's x and y at the ends, stored inner boundaries in between.
  template <class T>
  static T* stored(const layer_pass<T>& a, std::size_t boundary) {
    const std::size_t b = boundary == L ? L : layout.source[boundary];
    if (b == 0) return const_cast<T*>(a.x);
    if (b == L) return a.y;
    return a.saved + layout.offset[b] * a.batch;
  }

  // The pass of element I with this chain's pass `a` as its context.
  template <std::size_t I, class T>
  static layer_pass<T> element_pass(const layer_pass<T>& a, bool recording) {
    layer_pass<T> e;
    e.batch = a.batch;
    e.params = a.params + param_offsets[Shared ? 0 : I];
    e.grads = a.grads ? a.grads + param_offsets[Shared ? 0 : I] : nullptr;
    e.buffers = a.buffers + buffer_offsets[Shared ? 0 : I];
    e.update_buffers =
        a.update_buffers ? a.update_buffers + buffer_offsets[Shared ? 0 : I] : nullptr;
    if constexpr (layout.saved[I + 1] > layout.saved[I])
      if (recording) e.saved = a.saved + layout.saved[I] * a.batch;
    e.scratch = a.scratch + 2 * layout.max_inner * a.batch;
    e.seed = mix64(a.seed + I);
    e.params_version = a.params_version;
    e.training = a.training;
    return e;
  }

  template <std::size_t I, class P, class T>
  static void record_element(const layer_pass<T>& a) {
    using E = layer<I>;
    if constexpr (fused_into_previous<I>) {
      return;
    } else if constexpr (detail::is_view_v<E>) {
      if constexpr (I + 1 == L) backend<P>::copy(stored(a, I), a.batch * shape<L>::size, a.y);
    } else {
      auto e = element_pass<I>(a, true);
      e.x = stored(a, I);
      e.y = stored(a, output_boundary<I>);
      if constexpr (fuses_next<I>) {
        e.pre = stored(a, I + 1);
        E::template forward<shape<I>, P>(e, typename layer<I + 1>::op_type{});
      } else {
        E::template forward<shape<I>, P>(e);
      }
    }
  }

  template <std::size_t I, class P, class T>
  static void infer_element(const layer_pass<T>& a, inference_state<T>& s) {
    using E = layer<I>;
    if constexpr (fused_into_previous<I>) {
      return;
    } else if constexpr (detail::is_view_v<E>) {
      if constexpr (I + 1 == L) backend<P>::copy(s.current, a.batch * shape<L>::size, a.y);
    } else {
      auto e = element_pass<I>(a, false);
      e.x = s.current;
      e.y = output_boundary<I> == L ? a.y : s.buffers[s.next];
      if constexpr (fuses_next<I>) {
        e.pre = e.y;  // nothing is kept: the epilogue runs in place
        E::template forward<shape<I>, P>(e, typename layer<I + 1>::op_type{});
      } else {
        E::template forward<shape<I>, P>(e);
      }
      s.current = e.y;
      s.next = 1 - s.next;
    }
  }

  template <std::size_t I, class P, class T>
  static void backward_element(const layer_pass<T>& a, backward_state<T>& s) {
    using E = layer<I>;
    if constexpr (fused_into_previous<I> || detail::is_view_v<E>) {
      return;
    } else {
      auto e = element_pass<I>(a, true);
      e.x = stored(a, I);
      e.y = stored(a, output_boundary<I>);
      e.dy = s.dy;
      if constexpr (I == first_computing_layer) {
        e.dx = a.dx;
      } else {
        e.dx = a.scratch + (s.next ? layout.max_inner * a.batch : 0);
        s.next = 1 - s.next;
      }
      if constexpr (fuses_next<I>) {
        e.pre = stored(a, I + 1);
        E::template backward<shape<I>, P>(e, typename layer<I + 1>::op_type{});
      } else {
        E::template backward<shape<I>, P>(e);
      }
      s.dy = e.dx;
    }
  }
};

}  // namespace ctnn
