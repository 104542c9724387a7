// MultiheadAttention: self-attention as torch.nn.MultiheadAttention(E, heads, batch_first=True)
// called with query = key = value = x, optionally causal (position i attends to j <= i).
// Input and output (L, E). Parameters in PyTorch's names and layout: in_proj_weight [3E, E]
// (query, key, value rows), in_proj_bias [3E], out_proj.weight [E, E], out_proj.bias [E].
//
// One GEMM projects all positions to Q, K, V; a permutation makes each head's matrices contiguous;
// per sample and head, S = Q K^T / sqrt(D) is a GEMM, the masked softmax runs per row, and
// O = P V is a GEMM; the heads are concatenated and projected by one more GEMM. Backward runs the
// same products transposed; the attention weights P are kept from the training forward.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/dual.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn {

struct attention_options {
  std::size_t heads = 1;
  bool bias = true;
  bool causal = false;
};

namespace attention_kernels {

// Between the packed rows [B, L, Parts E] and head-major blocks [Parts, B, Heads, L, D].
template <class T, std::size_t L, std::size_t E, std::size_t Heads, std::size_t Parts, bool ToHeads>
struct Permute {
  const T* from;
  T* to;
  std::size_t batch;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    constexpr std::size_t D = E / Heads;
    // i indexes the head-major layout.
    const std::size_t d = i % D, l = (i / D) % L, h = (i / (D * L)) % Heads,
                      b = (i / (D * L * Heads)) % batch, part = i / (D * L * Heads * batch);
    const std::size_t packed = (b * L + l) * Parts * E + part * E + h * D + d;
    if constexpr (ToHeads) {
      to[i] = from[packed];
    } else {
      to[packed] = from[i];
    }
  }
};

// One row of scores: mask (causal), softmax, in place.
template <class T, std::size_t L, bool Causal>
struct MaskedSoftmax {
  T* s;
  CTNN_HOST_DEVICE void operator()(std::size_t r) const {
    using std::exp;
    T* row = s + r * L;
    const std::size_t last = Causal ? r % L : L - 1;  // the query position is r % L
    T m = row[0];
    for (std::size_t j = 1; j <= last; ++j)
      if (primal(row[j]) > primal(m)) m = row[j];
    T sum(0);
    for (std::size_t j = 0; j <= last; ++j) sum += exp(row[j] - m);
    for (std::size_t j = 0; j < L; ++j) row[j] = j <= last ? exp(row[j] - m) / sum : T(0);
  }
};

// dS = scale * P (dP - sum(dP P)), in place of dP.
template <class T, std::size_t L>
struct SoftmaxBackward {
  const T* p;
  T* dp;
  double scale;
  CTNN_HOST_DEVICE void operator()(std::size_t r) const {
    T dot(0);
    for (std::size_t j = 0; j < L; ++j) dot += dp[r * L + j] * p[r * L + j];
    for (std::size_t j = 0; j < L; ++j)
      dp[r * L + j] = T(scale) * p[r * L + j] * (dp[r * L + j] - dot);
  }
};

}  // namespace attention_kernels

template <attention_options O>
struct MultiheadAttention {
  static constexpr std::string_view name = "MultiheadAttention";

  template <class In>
  static constexpr std::size_t L = dim_or<In>(0, 1);
  template <class In>
  static constexpr std::size_t E = dim_or<In>(1, 1);
  static constexpr std::size_t Heads = O.heads;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = check::all_of<check::sequence_input<At, From, In>,
                              check::attention_heads<At, In, E<In>, O.heads>>;

  template <class In>
  static constexpr auto parameters = [] {
    constexpr std::size_t e = E<In>;
    if constexpr (O.bias) {
      return std::array{
          param_spec{"in_proj_weight", 2, {3 * e, e}}, param_spec{"in_proj_bias", 1, {3 * e}},
          param_spec{"out_proj.weight", 2, {e, e}}, param_spec{"out_proj.bias", 1, {e}}};
    } else {
      return std::array{param_spec{"in_proj_weight", 2, {3 * e, e}},
                        param_spec{"out_proj.weight", 2, {e, e}}};
    }
  }();

  // Kept per sample: Q, K, V by head [3 L E], the attention weights [Heads L L], the
  // concatenated heads [L E].
  template <class In>
  static constexpr std::size_t saved_per_sample = 4 * L<In>* E<In> + Heads* L<In>* L<In>;
  // Forward: the packed projection [3 L E] besides what is kept; backward: d(concat), dO by head,
  // dP, d(Q K V) by head and packed.
  template <class In>
  static constexpr std::size_t scratch_per_sample =
      std::max(3 * L<In> * E<In> + saved_per_sample<In>, 8 * L<In> * E<In> + Heads * L<In> * L<In>);

  // PyTorch's _reset_parameters: xavier_uniform_ for in_proj_weight, zero biases, and the default
  // Linear init for out_proj.weight.
  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    constexpr std::size_t e = E<In>;
    const double xavier = std::sqrt(6.0 / double(e + 3 * e)), linear = 1.0 / std::sqrt(double(e));
    std::size_t k = 0;
    for (std::size_t i = 0; i < 3 * e * e; ++i) params[k++] = T(rng.uniform(-xavier, xavier));
    if constexpr (O.bias)
      for (std::size_t i = 0; i < 3 * e; ++i) params[k++] = T(0);
    for (std::size_t i = 0; i < e * e; ++i) params[k++] = T(rng.uniform(-linear, linear));
    if constexpr (O.bias)
      for (std::size_t i = 0; i < e; ++i) params[k++] = T(0);
  }

  template <class T, class In>
  struct views {
    static constexpr std::size_t l = L<In>, e = E<In>;
    const T *w_in, *b_in, *w_out, *b_out;
    explicit views(const T* p) {
      w_in = p;
      b_in = O.bias ? p + 3 * e * e : nullptr;
      w_out = p + 3 * e * e + (O.bias ? 3 * e : 0);
      b_out = O.bias ? w_out + e * e : nullptr;
    }
  };

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    using B = backend<P>;
    constexpr std::size_t l = L<In>, e = E<In>, D = e / Heads;
    const std::size_t batch = a.batch;
    const views<T, In> w(a.params);
    T* heads = a.saved ? a.saved : a.scratch + 3 * batch * l * e;  // [3, B, Heads, L, D]
    T* probs = heads + 3 * batch * l * e;                          // [B, Heads, L, L]
    T* concat = probs + batch * Heads * l * l;                     // [B, L, E]
    T* packed = a.scratch;                                         // [B, L, 3E], not kept
    B::gemm(transpose::no, transpose::yes, batch * l, 3 * e, e, T(1), a.x, w.w_in, T(0), packed);
    if constexpr (O.bias) B::map_rows(batch * l, 3 * e, op::Add{}, packed, w.b_in, packed);
    B::for_each(3 * batch * l * e,
                attention_kernels::Permute<T, l, e, Heads, 3, true>{packed, heads, batch});
    const T* q = heads;
    const T* k = heads + batch * l * e;
    const T* v = heads + 2 * batch * l * e;
    T* out =
        packed;  // the packed projection is no longer needed: per-head outputs [B, Heads, L, D]
    const double scale = 1.0 / std::sqrt(double(D));
    for (std::size_t bh = 0; bh < batch * Heads; ++bh)
      B::gemm(transpose::no, transpose::yes, l, l, D, T(scale), q + bh * l * D, k + bh * l * D,
              T(0), probs + bh * l * l);
    B::for_each(batch * Heads * l, attention_kernels::MaskedSoftmax<T, l, O.causal>{probs});
    for (std::size_t bh = 0; bh < batch * Heads; ++bh)
      B::gemm(transpose::no, transpose::no, l, D, l, T(1), probs + bh * l * l, v + bh * l * D, T(0),
              out + bh * l * D);
    B::for_each(batch * l * e,
                attention_kernels::Permute<T, l, e, Heads, 1, false>{out, concat, batch});
    B::gemm(transpose::no, transpose::yes, batch * l, e, e, T(1), concat, w.w_out, T(0), a.y);
    if constexpr (O.bias) B::map_rows(batch * l, e, op::Add{}, a.y, w.b_out, a.y);
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    using B = backend<P>;
    constexpr std::size_t l = L<In>, e = E<In>, D = e / Heads;
    const std::size_t batch = a.batch, n = batch * l * e;
    const views<T, In> w(a.params);
    const T* heads = a.saved;
    const T* probs = heads + 3 * n;
    const T* concat = probs + batch * Heads * l * l;
    T* g_w_in = a.grads;
    T* g_b_in = g_w_in + 3 * e * e;
    T* g_w_out = g_w_in + 3 * e * e + (O.bias ? 3 * e : 0);
    T* g_b_out = g_w_out + e * e;
    T* d_concat = a.scratch;                       // [B, L, E]
    T* d_out = d_concat + n;                       // [B, Heads, L, D]
    T* d_probs = d_out + n;                        // [B, Heads, L, L]
    T* d_heads = d_probs + batch * Heads * l * l;  // [3, B, Heads, L, D]
    T* d_packed = d_heads + 3 * n;                 // [B, L, 3E]
    // Output projection.
    B::gemm(transpose::yes, transpose::no, e, e, batch * l, T(1), a.dy, concat, T(1), g_w_out);
    if constexpr (O.bias) B::sum_rows(batch * l, e, a.dy, g_b_out);
    B::gemm(transpose::no, transpose::no, batch * l, e, e, T(1), a.dy, w.w_out, T(0), d_concat);
    B::for_each(n, attention_kernels::Permute<T, l, e, Heads, 1, true>{d_concat, d_out, batch});
    // Per head: dV = P^T dO, dP = dO V^T, dS = softmax'(dP) / sqrt(D), dQ = dS K, dK = dS^T Q.
    const T* q = heads;
    const T* k = heads + n;
    const T* v = heads + 2 * n;
    T* dq = d_heads;
    T* dk = d_heads + n;
    T* dv = d_heads + 2 * n;
    for (std::size_t bh = 0; bh < batch * Heads; ++bh) {
      const std::size_t hd = bh * l * D, hl = bh * l * l;
      B::gemm(transpose::yes, transpose::no, l, D, l, T(1), probs + hl, d_out + hd, T(0), dv + hd);
      B::gemm(transpose::no, transpose::yes, l, l, D, T(1), d_out + hd, v + hd, T(0), d_probs + hl);
    }
    B::for_each(batch * Heads * l, attention_kernels::SoftmaxBackward<T, l>{
                                       probs, d_probs, 1.0 / std::sqrt(double(D))});
    for (std::size_t bh = 0; bh < batch * Heads; ++bh) {
      const std::size_t hd = bh * l * D, hl = bh * l * l;
      B::gemm(transpose::no, transpose::no, l, D, l, T(1), d_probs + hl, k + hd, T(0), dq + hd);
      B::gemm(transpose::yes, transpose::no, l, D, l, T(1), d_probs + hl, q + hd, T(0), dk + hd);
    }
    // Input projection.
    B::for_each(3 * n,
                attention_kernels::Permute<T, l, e, Heads, 3, false>{d_heads, d_packed, batch});
    B::gemm(transpose::yes, transpose::no, 3 * e, e, batch * l, T(1), d_packed, a.x, T(1), g_w_in);
    if constexpr (O.bias) B::sum_rows(batch * l, 3 * e, d_packed, g_b_in);
    if (a.dx)
      B::gemm(transpose::no, transpose::no, batch * l, e, 3 * e, T(1), d_packed, w.w_in, T(0),
              a.dx);
  }
};

}  // namespace ctnn
