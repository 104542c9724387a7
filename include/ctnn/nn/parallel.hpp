// Branches that all read the same input, joined into one output:
//   Concat<Branches...>  the outputs side by side along the first feature axis (torch.cat on
//                        dim=1 of a batch, as an Inception module): every other extent must agree
//   Sum<Branches...>     the outputs added (every branch gives the same shape)
// A branch is a layer, a block (Block<...> for several layers), Named<"key", ...> or a Sequential
// type. Parameters are named by the branch's key under the block's: "0.1.weight" is branch 1.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/nn/chain.hpp"
#include "ctnn/nn/summary.hpp"

namespace ctnn {

namespace detail {

// dst[n, offset + k] = src[n, k] (Place) or dst[n, k] = src[n, offset + k] (Take), for the rows
// of one branch inside the joined output.
template <class T, bool Place>
struct branch_rows {
  const T* src;
  T* dst;
  std::size_t part, whole, offset;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t n = i / part, k = i % part;
    if (Place)
      dst[n * whole + offset + k] = src[i];
    else
      dst[i] = src[n * whole + offset + k];
  }
};

struct join_concat {
  static constexpr std::string_view name = "Concat";
  template <class First, class... Outs>
  static constexpr auto dims() {
    std::array<std::size_t, First::rank> d = First::dims;
    d[0] = (First::dims[0] + ... + Outs::dims[0]);
    return d;
  }
  template <class At, class In, class... Outs>
  using check = ::ctnn::check::concat_shapes<At, In, Outs...>;
};
struct join_sum {
  static constexpr std::string_view name = "Sum";
  template <class First, class... Outs>
  static constexpr auto dims() {
    return First::dims;
  }
  template <class At, class In, class... Outs>
  using check = ::ctnn::check::sum_shapes<At, In, Outs...>;
};

template <class Join, class... Branches>
struct parallel {
  static constexpr std::size_t N = sizeof...(Branches);
  static_assert(N >= 1, "ctnn::Concat/Sum: give at least one branch");
  static constexpr std::string_view name = Join::name;

  template <std::size_t B>
  using branch = element_layer<pack_element<B, Branches...>>;
  template <class In, std::size_t B>
  using branch_output = typename branch<B>::template output_shape<In>;

  template <class In>
  using output_shape = shape_from<
      Join::template dims<typename element_layer<Branches>::template output_shape<In>...>()>;

  template <class At, class From, class In, std::size_t... B>
  static auto checks(std::index_sequence<B...>) -> ::ctnn::check::all_of<
      typename branch<B>::template check<::ctnn::check::inside<At, B, branch<B>>, From, In>...,
      typename Join::template check<
          At, In, typename element_layer<Branches>::template output_shape<In>...>>;
  template <class At, class From, class In>
  using check = decltype(checks<At, From, In>(std::index_sequence_for<Branches...>{}));

  // Per-branch sizes and where each branch's pieces live.
  template <class In>
  struct layout {
    template <std::size_t... B>
    static constexpr auto make(std::index_sequence<B...>) {
      struct result {
        std::array<std::size_t, N + 1> params{}, buffers{}, outputs{}, saved{}, specs{},
            buffer_specs{};
        std::size_t max_output = 0, max_scratch = 0, max_scratch_call = 0;
      } r;
      const std::array<std::size_t, N> p{total_size(branch<B>::template parameters<In>)...};
      const std::array<std::size_t, N> bu{total_size(layer_buffers<branch<B>, In>())...};
      const std::array<std::size_t, N> o{
          (is_view_v<branch<B>> ? 0 : branch_output<In, B>::size)...};
      const std::array<std::size_t, N> s{::ctnn::detail::saved_per_sample<branch<B>, In>()...};
      const std::array<std::size_t, N> sc{::ctnn::detail::scratch_per_sample<branch<B>, In>()...};
      const std::array<std::size_t, N> pc{::ctnn::detail::scratch_per_call<branch<B>, In>()...};
      const std::array<std::size_t, N> k{branch<B>::template parameters<In>.size()...};
      const std::array<std::size_t, N> kb{layer_buffers<branch<B>, In>().size()...};
      const std::array<std::size_t, N> out{branch_output<In, B>::size...};
      for (std::size_t b = 0; b < N; ++b) {
        r.params[b + 1] = r.params[b] + p[b];
        r.buffers[b + 1] = r.buffers[b] + bu[b];
        r.outputs[b + 1] = r.outputs[b] + o[b];
        r.specs[b + 1] = r.specs[b] + k[b];
        r.buffer_specs[b + 1] = r.buffer_specs[b] + kb[b];
        r.max_output = std::max(r.max_output, out[b]);
        r.max_scratch = std::max(r.max_scratch, sc[b]);
        r.max_scratch_call = std::max(r.max_scratch_call, pc[b]);
      }
      r.saved[0] = r.outputs[N];
      for (std::size_t b = 0; b < N; ++b) r.saved[b + 1] = r.saved[b] + s[b];
      return r;
    }
    static constexpr auto v = make(std::index_sequence_for<Branches...>{});
    // In scratch: branch outputs (inference), one branch's dy, one branch's dx, branch scratch.
    static constexpr std::size_t dy_at = v.outputs[N];
    static constexpr std::size_t dx_at = dy_at + v.max_output;
    static constexpr std::size_t branch_scratch_at = dx_at + In::size;
  };

  template <class In, bool Buffers, std::size_t... B>
  static constexpr auto make_specs(std::index_sequence<B...>) {
    std::array<param_spec, layout<In>::v.specs[N]> params{};
    std::array<param_spec, layout<In>::v.buffer_specs[N]> buffers{};
    std::size_t k = 0, kb = 0;
    const auto add = [](auto& all, std::size_t& at, const auto& specs, const param_name& key) {
      for (param_spec s : specs) {
        s.name = prefixed(key, s.name);
        all[at++] = s;
      }
    };
    (add(params, k, branch<B>::template parameters<In>,
         element_key<pack_element<B, Branches...>, B>()),
     ...);
    (add(buffers, kb, layer_buffers<branch<B>, In>(),
         element_key<pack_element<B, Branches...>, B>()),
     ...);
    if constexpr (Buffers)
      return buffers;
    else
      return params;
  }
  template <class In>
  static constexpr auto parameters = make_specs<In, false>(std::index_sequence_for<Branches...>{});
  template <class In>
  static constexpr auto buffers = make_specs<In, true>(std::index_sequence_for<Branches...>{});
  template <class In>
  static constexpr std::size_t saved_per_sample = layout<In>::v.saved[N];
  template <class In>
  static constexpr std::size_t scratch_per_sample =
      layout<In>::branch_scratch_at + layout<In>::v.max_scratch;
  template <class In>
  static constexpr std::size_t scratch_per_call = layout<In>::v.max_scratch_call;

  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    [&]<std::size_t... B>(std::index_sequence<B...>) {
      (branch<B>::template reset_parameters<In>(
           params.subspan(layout<In>::v.params[B],
                          layout<In>::v.params[B + 1] - layout<In>::v.params[B]),
           rng),
       ...);
    }
    (std::index_sequence_for<Branches...>{});
  }
  template <class In, class T>
  static void reset_buffers(std::span<T> buffers) {
    [&]<std::size_t... B>(std::index_sequence<B...>) {
      (reset_branch_buffers<In, B>(buffers), ...);
    }
    (std::index_sequence_for<Branches...>{});
  }

  template <class In>
  static void describe(std::vector<summary_row>& rows, std::size_t depth) {
    [&]<std::size_t... B>(std::index_sequence<B...>) {
      (describe_branch<In, B>(rows, depth), ...);
    }
    (std::index_sequence_for<Branches...>{});
  }

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    T* outputs = a.saved ? a.saved : a.scratch;
    [&]<std::size_t... Bs>(std::index_sequence<Bs...>) {
      (forward_branch<In, P, Bs>(a, outputs), ...);
      (join<In, P, Bs>(a, branch_out<In, Bs>(a, outputs)), ...);
    }
    (std::index_sequence_for<Branches...>{});
  }

  // Each branch gets its share of dy (a copy: it may overwrite it); their dL/dx add up.
  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    [&]<std::size_t... Bs>(std::index_sequence<Bs...>) {
      (backward_branch<In, P, Bs>(a), ...);
    }
    (std::index_sequence_for<Branches...>{});
  }

 private:
  template <class In, std::size_t B, class T>
  static void reset_branch_buffers(std::span<T> buffers) {
    constexpr auto& v = layout<In>::v;
    if constexpr (v.buffers[B + 1] > v.buffers[B])
      branch<B>::template reset_buffers<In>(
          buffers.subspan(v.buffers[B], v.buffers[B + 1] - v.buffers[B]));
  }

  template <class In, std::size_t B>
  static void describe_branch(std::vector<summary_row>& rows, std::size_t depth) {
    constexpr auto& v = layout<In>::v;
    rows.push_back({depth, std::string(element_key<pack_element<B, Branches...>, B>().view()),
                    std::string(branch<B>::name), summary_shape<branch_output<In, B>>(),
                    v.params[B + 1] - v.params[B]});
    if constexpr (requires { branch<B>::template describe<In>(rows, depth + 1); })
      branch<B>::template describe<In>(rows, depth + 1);
  }

  // Where branch B's output is: its storage, or x itself for a view branch.
  template <class In, std::size_t B, class T>
  static const T* branch_out(const layer_pass<T>& a, T* outputs) {
    if constexpr (is_view_v<branch<B>>)
      return a.x;
    else
      return outputs + layout<In>::v.outputs[B] * a.batch;
  }

  template <class In, std::size_t B, class T>
  static layer_pass<T> branch_pass(const layer_pass<T>& a) {
    constexpr auto& v = layout<In>::v;
    layer_pass<T> e;
    e.batch = a.batch;
    e.x = a.x;
    e.params = a.params + v.params[B];
    e.grads = a.grads ? a.grads + v.params[B] : nullptr;
    e.buffers = a.buffers + v.buffers[B];
    e.update_buffers = a.update_buffers ? a.update_buffers + v.buffers[B] : nullptr;
    if constexpr (v.saved[B + 1] > v.saved[B])
      if (a.saved) e.saved = a.saved + v.saved[B] * a.batch;
    e.scratch = a.scratch + layout<In>::branch_scratch_at * a.batch;
    e.seed = mix64(a.seed + B);
    e.params_version = a.params_version;
    e.training = a.training;
    return e;
  }

  template <class In, class P, std::size_t B, class T>
  static void forward_branch(const layer_pass<T>& a, T* outputs) {
    if constexpr (!is_view_v<branch<B>>) {
      layer_pass<T> e = branch_pass<In, B>(a);
      e.y = outputs + layout<In>::v.outputs[B] * a.batch;
      branch<B>::template forward<In, P>(e);
    }
  }

  template <class In, class P, std::size_t B, class T>
  static void join(const layer_pass<T>& a, const T* out) {
    using Be = backend<P>;
    using S = branch_output<In, B>;
    if constexpr (std::is_same_v<Join, join_sum>) {
      if constexpr (B == 0)
        Be::copy(out, a.batch * S::size, a.y);
      else
        Be::map(a.batch * S::size, op::Add{}, a.y, a.y, out);
    } else {
      constexpr std::size_t offset = offset_of<In, B>();
      Be::for_each(a.batch * S::size,
                   branch_rows<T, true>{out, a.y, S::size, output_shape<In>::size, offset});
    }
  }

  // Where branch B starts inside one sample of the concatenated output.
  template <class In, std::size_t B>
  static constexpr std::size_t offset_of() {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::size_t{0} + ... + branch_output<In, I>::size);
    }
    (std::make_index_sequence<B>{});
  }

  template <class In, class P, std::size_t B, class T>
  static void backward_branch(const layer_pass<T>& a) {
    using Be = backend<P>;
    using S = branch_output<In, B>;
    const std::size_t n = a.batch * S::size, nx = a.batch * In::size;
    T* dy = a.scratch + layout<In>::dy_at * a.batch;
    if constexpr (std::is_same_v<Join, join_sum>) {
      Be::copy(a.dy, n, dy);
    } else {
      Be::for_each(
          n, branch_rows<T, false>{a.dy, dy, S::size, output_shape<In>::size, offset_of<In, B>()});
    }
    // The first branch writes dL/dx, the others add to it.
    T* dx = B == 0 ? a.dx : (a.dx ? a.scratch + layout<In>::dx_at * a.batch : nullptr);
    if constexpr (is_view_v<branch<B>>) {
      if (dx) Be::copy(dy, nx, dx);
    } else {
      layer_pass<T> e = branch_pass<In, B>(a);
      e.y = a.saved + layout<In>::v.outputs[B] * a.batch;
      e.dy = dy;
      e.dx = dx;
      branch<B>::template backward<In, P>(e);
    }
    if (B > 0 && a.dx) Be::map(nx, op::Add{}, a.dx, a.dx, dx);
  }
};

}  // namespace detail

template <class... Branches>
struct Concat : detail::parallel<detail::join_concat, Branches...> {};

template <class... Branches>
struct Sum : detail::parallel<detail::join_sum, Branches...> {};

}  // namespace ctnn
