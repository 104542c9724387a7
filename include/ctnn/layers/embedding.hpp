// Embedding<Num, Dim, PaddingIdx>, as torch.nn.Embedding(Num, Dim, padding_idx): a table of Num
// rows of Dim values; the input is a sequence of token ids, Shape<L>, the output Shape<L, Dim>.
// The ids travel in the network's element type (exact for ids below 2^24 in float); an id that
// is not a whole number in [0, Num) raises index_error naming it, its position and Num. The
// padding row gets no gradient and starts at zero; ids get no gradient (dx is zero).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/dual.hpp"
#include "ctnn/core/errors.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn {

inline constexpr std::size_t no_padding = static_cast<std::size_t>(-1);

namespace embedding_kernels {

template <class T, std::size_t Dim>
struct Gather {
  const T* ids;
  const T* table;
  T* y;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    y[i] = table[static_cast<std::size_t>(primal(ids[i / Dim])) * Dim + i % Dim];
  }
};

// One column of the table per index: no two indices write the same element.
template <class T, std::size_t Dim, std::size_t PaddingIdx>
struct ScatterColumn {
  const T* ids;
  const T* dy;
  T* grad;
  std::size_t count;
  CTNN_HOST_DEVICE void operator()(std::size_t d) const {
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t row = static_cast<std::size_t>(primal(ids[k]));
      if (row != PaddingIdx) grad[row * Dim + d] += dy[k * Dim + d];
    }
  }
};

}  // namespace embedding_kernels

template <std::size_t Num, std::size_t Dim, std::size_t PaddingIdx = no_padding>
struct Embedding {
  static_assert(check::embedding_options<Num, Dim, PaddingIdx, PaddingIdx != no_padding>::ok);
  static constexpr std::string_view name = "Embedding";

  template <class In>
  using output_shape = Shape<dim_or<In>(0, 1), Dim>;

  template <class At, class From, class In>
  using check = check::input_rank<At, From, In, 1>;

  template <class In>
  static constexpr std::array<param_spec, 1> parameters{param_spec{"weight", 2, {Num, Dim}}};

  // PyTorch's init: N(0, 1), with the padding row zeroed.
  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    for (auto& p : params) p = static_cast<T>(rng.normal(0, 1));
    if constexpr (PaddingIdx != no_padding)
      for (std::size_t d = 0; d < Dim; ++d) params[PaddingIdx * Dim + d] = T(0);
  }

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    using B = backend<P>;
    const std::size_t count = a.batch * In::size;
    if (primal(B::sum(count, op::NotAnIndexBelow<Num>{}, a.x)) > 0) report_invalid<B>(a.x, count);
    B::for_each(count * Dim, embedding_kernels::Gather<T, Dim>{a.x, a.params, a.y});
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    using B = backend<P>;
    const std::size_t count = a.batch * In::size;
    B::for_each(Dim,
                embedding_kernels::ScatterColumn<T, Dim, PaddingIdx>{a.x, a.dy, a.grads, count});
    if (a.dx) B::fill(a.dx, count, T(0));
  }

 private:
  template <class V>
  static std::string number(V v) {
    std::ostringstream out;
    out << v;
    return out.str();
  }

  template <class B, class T>
  static void report_invalid(const T* ids, std::size_t count) {
    std::vector<T> host(count);
    B::copy_to_host(ids, count, host.data());
    for (std::size_t k = 0; k < count; ++k)
      if (primal(op::NotAnIndexBelow<Num>{}(host[k])) > 0)
        throw index_error("ctnn::Embedding: token id " + number(primal(host[k])) + " at position " +
                          std::to_string(k) +
                          " is not a row of the table; ids must be whole numbers in [0, " +
                          std::to_string(Num) + ")");
  }
};

}  // namespace ctnn
