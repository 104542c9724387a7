// Linear<Out, Bias>: y = x W^T + b, as torch.nn.Linear. The input feature count comes from the
// previous layer (the static form of LazyLinear). Parameters in PyTorch's layout and order:
// "weight" [Out, In], then "bias" [Out]. An elementwise op that follows it in a Sequential is fused
// into the bias pass (the epilogue), forward and backward. Where the backend can keep what it
// derives from the weight between calls (gemm_weight), inference lets it.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

template <std::size_t Out, bool Bias = true>
struct Linear {
  static_assert(check::linear_out_features<Out>::ok);

  static constexpr std::string_view name = "Linear";
  static constexpr std::size_t out_features = Out;
  static constexpr bool has_bias = Bias;
  static constexpr bool accepts_epilogue = true;

  template <class In>
  using output_shape = Shape<Out>;

  template <class At, class From, class In>
  using check = check::rank_1_input<At, From, In>;

  template <class In>
  static constexpr auto parameters = [] {
    constexpr param_spec weight{"weight", 2, {Out, In::size}};
    if constexpr (Bias) {
      return std::array{weight, param_spec{"bias", 1, {Out}}};
    } else {
      return std::array{weight};
    }
  }();

  // PyTorch's reset_parameters: kaiming_uniform_(a = sqrt(5)) for the weight, which is
  // U(-1/sqrt(in), 1/sqrt(in)), and the same bound for the bias.
  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(In::size));
    for (auto& p : params) p = static_cast<T>(rng.uniform(-bound, bound));
  }

  // y = epilogue(x W^T + b). `pre` keeps x W^T (without the bias) for the backward pass; it may
  // equal y when nothing needs to be kept.
  template <class In, class P, class T, class Epilogue = op::Identity>
  static void forward(const layer_pass<T>& a, Epilogue epilogue = {}) {
    using B = backend<P>;
    constexpr std::size_t in = In::size;
    T* pre = a.pre ? a.pre : a.y;
    if constexpr (has_gemm_weight<B, T>)
      B::gemm_weight(a.batch, Out, in, a.x, a.params, a.params_version, pre);
    else
      B::gemm(transpose::no, transpose::yes, a.batch, Out, in, T(1), a.x, a.params, T(0), pre);
    if constexpr (Bias) {
      B::map_rows(a.batch, Out, op::AddBiasThen<Epilogue>{epilogue}, a.y, a.params + Out * in, pre);
    } else if constexpr (!std::is_same_v<Epilogue, op::Identity>) {
      B::map(a.batch * Out, epilogue, a.y, pre);
    } else if (pre != a.y) {
      B::copy(pre, a.batch * Out, a.y);
    }
  }

  // dz = dy * epilogue'(pre + b) in place of dy; dW += dz^T x; db += sum over the batch of dz;
  // dx = dz W.
  template <class In, class P, class T, class Epilogue = op::Identity>
  static void backward(const layer_pass<T>& a, Epilogue epilogue = {}) {
    using B = backend<P>;
    constexpr std::size_t in = In::size;
    T* dz = a.dy;
    const T* bias = a.params + Out * in;
    if constexpr (!std::is_same_v<Epilogue, op::Identity>) {
      const T* pre = a.pre ? a.pre : a.y;
      if constexpr (Bias) {
        B::map_rows(a.batch, Out, op::GradThroughBias<Epilogue>{epilogue}, dz, bias, pre, dz);
      } else {
        B::map(a.batch * Out, op::GradThrough<Epilogue>{epilogue}, dz, pre, dz);
      }
    }
    B::gemm(transpose::yes, transpose::no, Out, in, a.batch, T(1), dz, a.x, T(1), a.grads);
    if constexpr (Bias) B::sum_rows(a.batch, Out, dz, a.grads + Out * in);
    if (a.dx)
      B::gemm(transpose::no, transpose::no, a.batch, in, Out, T(1), dz, a.params, T(0), a.dx);
  }
};

}  // namespace ctnn
