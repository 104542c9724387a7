// TransformerEncoderLayer, as torch.nn.TransformerEncoderLayer(E, heads, feedforward, dropout,
// batch_first=True) with PyTorch's defaults (ReLU, post-norm):
//   x1 = norm1(x + dropout1(self_attn(x)))
//   y  = norm2(x1 + dropout2(linear2(dropout(relu(linear1(x1))))))
// Input and output (L, E). It is composed from the layers it names, calling their own forward
// and backward; parameters follow PyTorch's state_dict: self_attn.in_proj_weight, ...,
// linear1.weight, linear1.bias, linear2.weight, linear2.bias, norm1.weight, norm1.bias,
// norm2.weight, norm2.bias.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "ctnn/core/backend.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/layers/attention.hpp"
#include "ctnn/layers/dropout.hpp"
#include "ctnn/layers/linear.hpp"
#include "ctnn/layers/normalization.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn {

struct transformer_options {
  std::size_t heads = 1;
  std::size_t feedforward = 2048;  // PyTorch's dim_feedforward
  float dropout = 0.1f;
  double eps = 1e-5;
  bool causal = false;
};

template <transformer_options O>
struct TransformerEncoderLayer {
  static constexpr std::string_view name = "TransformerEncoderLayer";
  static constexpr std::size_t F = O.feedforward;

  using Attention =
      MultiheadAttention<attention_options{.heads = O.heads, .bias = true, .causal = O.causal}>;
  using Linear1 = Linear<F>;
  using Norm = LayerNorm<layernorm_options{.axes = 1, .eps = O.eps}>;
  using Drop = Dropout<O.dropout>;

  template <class In>
  static constexpr std::size_t L = dim_or<In>(0, 1);
  template <class In>
  static constexpr std::size_t E = dim_or<In>(1, 1);
  template <class In>
  using Linear2 = Linear<E<In>>;
  template <class In>
  using Row = Shape<E<In>>;  // what the Linears see: one position
  template <class In>
  using Hidden = Shape<F>;

  template <class In>
  using output_shape = In;

  template <class At, class From, class In>
  using check = typename Attention::template check<At, From, In>;

  // The sub-layers' parameters in PyTorch's order, named as its state_dict names them.
  template <class In>
  static constexpr auto parameters = [] {
    constexpr std::array<std::string_view, 12> names{"self_attn.in_proj_weight",
                                                     "self_attn.in_proj_bias",
                                                     "self_attn.out_proj.weight",
                                                     "self_attn.out_proj.bias",
                                                     "linear1.weight",
                                                     "linear1.bias",
                                                     "linear2.weight",
                                                     "linear2.bias",
                                                     "norm1.weight",
                                                     "norm1.bias",
                                                     "norm2.weight",
                                                     "norm2.bias"};
    std::array<param_spec, 12> all{};
    std::size_t k = 0;
    for (const param_spec& s : Attention::template parameters<In>) all[k++] = s;
    for (const param_spec& s : Linear1::template parameters<Row<In>>) all[k++] = s;
    for (const param_spec& s : Linear2<In>::template parameters<Hidden<In>>) all[k++] = s;
    for (const param_spec& s : Norm::template parameters<In>) all[k++] = s;
    for (const param_spec& s : Norm::template parameters<In>) all[k++] = s;
    for (std::size_t i = 0; i < all.size(); ++i) all[i].name = names[i];
    return all;
  }();

  // Offsets of the sub-layers in this layer's parameter slice.
  template <class In>
  struct offsets {
    static constexpr std::size_t attention = 0;
    static constexpr std::size_t linear1 =
        attention + total_size(Attention::template parameters<In>);
    static constexpr std::size_t linear2 =
        linear1 + total_size(Linear1::template parameters<Row<In>>);
    static constexpr std::size_t norm1 =
        linear2 + total_size(Linear2<In>::template parameters<Hidden<In>>);
    static constexpr std::size_t norm2 = norm1 + total_size(Norm::template parameters<In>);
  };

  // Per sample, kept for backward: the attention's own storage, then each intermediate.
  template <class In>
  struct layout {
    static constexpr std::size_t le = L<In> * E<In>, lf = L<In> * F;
    static constexpr std::size_t attention = Attention::template saved_per_sample<In>;
    static constexpr std::size_t norm = Norm::template saved_per_sample<In>;
    // attention storage | a | mask1 | r1 | n1 | norm1 | h_pre | h_act | mask | h_drop | f | mask2 |
    // r2 | norm2
    static constexpr std::array<std::size_t, 14> sizes{attention, le, le, le, le, norm, lf,
                                                       lf,        lf, lf, le, le, le,   norm};
    static constexpr std::size_t count = sizes.size();
    static constexpr std::size_t total = [] {
      std::size_t t = 0;
      for (std::size_t s : sizes) t += s;
      return t;
    }();
    static constexpr std::size_t at(std::size_t i) {
      std::size_t o = 0;
      for (std::size_t k = 0; k < i; ++k) o += sizes[k];
      return o;
    }
    // Backward temporaries: d_r2, d_f, d_hdrop, d_hact, d_n1, d_n1_ff, d_r1, d_a, d_x_attn.
    static constexpr std::size_t temporaries = 7 * le + 2 * lf;
  };

  template <class In>
  static constexpr std::size_t saved_per_sample = layout<In>::total;
  template <class In>
  static constexpr std::size_t scratch_per_sample =
      layout<In>::total + layout<In>::temporaries + Attention::template scratch_per_sample<In>;

  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    using off = offsets<In>;
    Attention::template reset_parameters<In>(
        params.subspan(off::attention, off::linear1 - off::attention), rng);
    Linear1::template reset_parameters<Row<In>>(
        params.subspan(off::linear1, off::linear2 - off::linear1), rng);
    Linear2<In>::template reset_parameters<Hidden<In>>(
        params.subspan(off::linear2, off::norm1 - off::linear2), rng);
    Norm::template reset_parameters<In>(params.subspan(off::norm1, off::norm2 - off::norm1), rng);
    Norm::template reset_parameters<In>(params.subspan(off::norm2), rng);
  }

  // Pointers to the intermediates of one call.
  template <class T, class In>
  struct parts {
    T* p[layout<In>::count];
    parts(T* base, std::size_t batch) {
      for (std::size_t i = 0; i < layout<In>::count; ++i) p[i] = base + layout<In>::at(i) * batch;
    }
  };

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    using B = backend<P>;
    using off = offsets<In>;
    const std::size_t n = a.batch * L<In> * E<In>, rows = a.batch * L<In>;
    T* base = a.saved ? a.saved : a.scratch;
    T* scratch = a.saved ? a.scratch : a.scratch + layout<In>::total * a.batch;
    parts<T, In> s(base, a.batch);
    T *attention = s.p[0], *att = s.p[1], *mask1 = s.p[2], *r1 = s.p[3], *n1 = s.p[4],
      *norm1 = s.p[5], *h_pre = s.p[6], *h_act = s.p[7], *mask = s.p[8], *h_drop = s.p[9],
      *f = s.p[10], *mask2 = s.p[11], *r2 = s.p[12], *norm2 = s.p[13];
    const auto call = [&](const T* x, T* y, std::size_t params, T* saved, std::size_t batch) {
      layer_pass<T> c;
      c.batch = batch, c.x = x, c.y = y, c.params = a.params + params,
      c.saved = a.saved ? saved : nullptr;
      c.scratch = scratch, c.training = a.training, c.params_version = a.params_version;
      return c;
    };
    // Self-attention, dropout, residual, norm.
    Attention::template forward<In, P>(call(a.x, att, off::attention, attention, a.batch));
    Drop::template forward<In, P>(with_seed(call(att, r1, 0, mask1, a.batch), a.seed, 1));
    B::map(n, op::Add{}, r1, r1, a.x);
    Norm::template forward<In, P>(call(r1, n1, off::norm1, norm1, a.batch));
    // Feed-forward: linear1 with ReLU fused, dropout, linear2, dropout, residual, norm.
    auto first = call(n1, h_act, off::linear1, nullptr, rows);
    first.pre = h_pre;
    Linear1::template forward<Row<In>, P>(first, op::Relu{});
    Drop::template forward<Hidden<In>, P>(with_seed(call(h_act, h_drop, 0, mask, rows), a.seed, 2));
    Linear2<In>::template forward<Hidden<In>, P>(call(h_drop, f, off::linear2, nullptr, rows));
    Drop::template forward<In, P>(with_seed(call(f, r2, 0, mask2, a.batch), a.seed, 3));
    B::map(n, op::Add{}, r2, r2, n1);
    Norm::template forward<In, P>(call(r2, a.y, off::norm2, norm2, a.batch));
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    using B = backend<P>;
    using off = offsets<In>;
    constexpr std::size_t le = layout<In>::le, lf = layout<In>::lf;
    const std::size_t n = a.batch * le, rows = a.batch * L<In>;
    parts<T, In> s(a.saved, a.batch);
    T *attention = s.p[0], *att = s.p[1], *mask1 = s.p[2], *r1 = s.p[3], *n1 = s.p[4],
      *norm1 = s.p[5], *h_pre = s.p[6], *h_act = s.p[7], *mask = s.p[8], *h_drop = s.p[9],
      *f = s.p[10], *mask2 = s.p[11], *r2 = s.p[12], *norm2 = s.p[13];
    T* t = a.scratch;
    T *d_r2 = t, *d_f = t + n, *d_hdrop = t + 2 * n, *d_hact = d_hdrop + a.batch * lf,
      *d_n1 = d_hact + a.batch * lf, *d_n1_ff = d_n1 + n, *d_r1 = d_n1_ff + n, *d_a = d_r1 + n,
      *d_x_attn = d_a + n;
    T* sub_scratch = t + layout<In>::temporaries * a.batch;
    const auto call = [&](const T* x, const T* y, std::size_t params, T* saved, T* dy, T* dx,
                          std::size_t batch) {
      layer_pass<T> c;
      c.batch = batch, c.x = x, c.y = const_cast<T*>(y), c.params = a.params + params,
      c.grads = a.grads + params;
      c.saved = saved, c.dy = dy, c.dx = dx, c.scratch = sub_scratch, c.training = a.training;
      return c;
    };
    B::copy(a.dy, n, d_r2);
    Norm::template backward<In, P>(
        call(r2, a.y, off::norm2, norm2, d_r2, d_n1, a.batch));  // d_n1 = dL/dr2
    Drop::template backward<In, P>(call(f, r2, 0, mask2, d_n1, d_f, a.batch));
    Linear2<In>::template backward<Hidden<In>, P>(
        call(h_drop, f, off::linear2, nullptr, d_f, d_hdrop, rows));
    Drop::template backward<Hidden<In>, P>(call(h_act, h_drop, 0, mask, d_hdrop, d_hact, rows));
    auto first = call(n1, h_act, off::linear1, nullptr, d_hact, d_n1_ff, rows);
    first.pre = h_pre;
    Linear1::template backward<Row<In>, P>(first, op::Relu{});
    B::map(n, op::Add{}, d_n1, d_n1,
           d_n1_ff);  // the residual path and the FFN path
    Norm::template backward<In, P>(call(r1, n1, off::norm1, norm1, d_n1, d_r1, a.batch));
    Drop::template backward<In, P>(call(att, r1, 0, mask1, d_r1, d_a, a.batch));
    Attention::template backward<In, P>(
        call(a.x, att, off::attention, attention, d_a, a.dx ? d_x_attn : nullptr, a.batch));
    if (a.dx) B::map(n, op::Add{}, a.dx, d_r1, d_x_attn);
  }

 private:
  template <class T>
  static layer_pass<T> with_seed(layer_pass<T> c, std::uint64_t seed, std::uint64_t which) {
    c.seed = mix64(seed + which);
    return c;
  }
};

}  // namespace ctnn
