// Residual<Elements...>: y = x + body(x), where the body is the elements run one after the other
// (a ResNet basic block, the skip connection of a transformer). The body must give the shape it
// takes. Parameters are named by the elements' positions under the block's: "1.0.weight", as a
// PyTorch module that subclasses nn.Sequential and adds its input in forward.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/nn/block.hpp"

namespace ctnn {

template <class... Elements>
struct Residual : detail::chain_layer<false, Elements...> {
  using base = detail::chain_layer<false, Elements...>;
  template <class In>
  using body = typename base::template body<In>;

  static constexpr std::string_view name = "Residual";

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check =
      ::ctnn::check::all_of<typename base::template check<At, From, In>,
                            ::ctnn::check::residual_shape<At, In, typename body<In>::output_shape>>;

  // Kept: the body's own record, then the body's output (y itself is x + body(x)).
  template <class In>
  static constexpr std::size_t saved_per_sample = body<In>::saved_per_sample + In::size;
  // A copy of dy for the skip path, then the body's scratch.
  template <class In>
  static constexpr std::size_t scratch_per_sample = In::size + body<In>::scratch_per_sample;
  template <class In>
  static constexpr std::size_t scratch_per_call = body<In>::scratch_per_call;

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    layer_pass<T> b = body_pass<In>(a);
    if (a.saved) b.y = a.saved + body<In>::saved_per_sample * a.batch;
    body<In>::template forward<P>(b);
    backend<P>::map(a.batch * In::size, op::Add{}, a.y, b.y, a.x);
  }

  // dL/dx = dy + body's dL/dx; the body may overwrite dy, so the skip path keeps a copy.
  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    using B = backend<P>;
    const std::size_t n = a.batch * In::size;
    layer_pass<T> b = body_pass<In>(a);
    b.y = a.saved + body<In>::saved_per_sample * a.batch;
    if (a.dx) B::copy(a.dy, n, a.scratch);
    body<In>::template backward<P>(b);
    if (a.dx) B::map(n, op::Add{}, a.dx, a.dx, a.scratch);
  }

 private:
  template <class In, class T>
  static layer_pass<T> body_pass(const layer_pass<T>& a) {
    layer_pass<T> b = a;
    if constexpr (body<In>::saved_per_sample == 0) b.saved = nullptr;
    b.scratch = a.scratch + In::size * a.batch;
    return b;
  }
};

}  // namespace ctnn
