// The concepts of ctnn, each backed by a small trait.
//
// Layer L: a type that carries only its own hyper-parameters.
//   L::name                                the PyTorch class name, std::string_view
//   L::template output_shape<In>           the Shape it gives for input Shape In (total: any In)
//   L::template check<At, From, In>        a check from core/static_checks.hpp with member `ok`
//   L::template parameters<In>             std::array<param_spec, K>: names and PyTorch layouts
//   and, unless it is a view (L::is_view, no computation, the output aliases the input):
//   L::template forward<In, P>(layer_pass<T>)        and backward<In, P>(layer_pass<T>)
//   L::template reset_parameters<In>(std::span<T>, Rng&)  PyTorch's default initialisation
//   Optional: L::template buffers<In> (std::array<param_spec, K>: state that is not trained, such
//   as running statistics, with reset_buffers<In>(std::span<T>)); saved_per_sample<In> and
//   scratch_per_sample<In> (storage kept from forward to backward, and temporary);
//   scratch_per_call<In> (temporary that does not grow with the batch, such as a transposed weight,
//   after the per-sample scratch: at scratch + scratch_per_sample * batch); L::op_type (an
//   elementwise op: may be fused into the previous layer's epilogue); L::accepts_epilogue
//   (forward/backward take an op applied after the bias).
//
// Policy P: a tag derived from policy::any whose backend<P> is defined (its header is included).
// Loss: value(prediction, target) -> T and gradient(prediction, target) -> tensor.
// Optimizer: step() and zero_grad().
#pragma once

#include <string_view>
#include <type_traits>

#include "ctnn/core/policy.hpp"
#include "ctnn/core/shape.hpp"

namespace ctnn {

namespace detail {
template <template <class> class>
struct unary_template_probe {};
template <template <class, class, class> class>
struct check_template_probe {};
}  // namespace detail

template <class L>
concept Layer = requires {
  { L::name } -> std::convertible_to<std::string_view>;
  typename detail::unary_template_probe<L::template output_shape>;
  typename detail::check_template_probe<L::template check>;
};

template <class L>
inline constexpr bool is_layer_v = Layer<L>;

template <class P>
concept Policy = is_policy_tag_v<P> && requires {
  sizeof(backend<P>);
};

template <class L, class Prediction, class Target>
concept Loss = requires(const L& loss, const Prediction& p, const Target& t) {
  loss.value(p, t);
  loss.gradient(p, t);
};

template <class O>
concept Optimizer = requires(O& opt) {
  opt.step();
  opt.zero_grad();
};

}  // namespace ctnn
