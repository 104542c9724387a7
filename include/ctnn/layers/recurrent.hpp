// RNN (tanh), LSTM and GRU, as torch.nn with batch_first=True, one layer, one direction, zero
// initial state. Input (L, I): a sequence of L steps of I features; output the hidden state of
// every step (L, H) or only the last one (H), chosen by .output. Parameters in PyTorch's order,
// names and gate order: weight_ih_l0 [G H, I], weight_hh_l0 [G H, H], bias_ih_l0 [G H],
// bias_hh_l0 [G H], with gates (i, f, g, o) for LSTM and (r, z, n) for GRU.
//
// The input projection of all steps is one GEMM; each step adds one GEMM with W_hh (transposed
// once per call, so that at batch 1 to 4 the step streams its rows instead of summing dot
// products; at batch 1, a row times W_hh^T summed in alternating order, hidden_product) and one
// elementwise cell pass. Backward is back-propagation through time; the gate
// nonlinearities are differentiated by dual numbers, and the input-side products of all steps are
// again one GEMM.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ctnn/config.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/lanes.hpp"
#include "ctnn/core/layer_pass.hpp"
#include "ctnn/core/ops.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/random.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/static_checks.hpp"
#include "ctnn/layers/window.hpp"

namespace ctnn {

enum class rnn_output { sequence, last };

struct rnn_options {
  std::size_t hidden = 0;
  bool bias = true;
  rnn_output output = rnn_output::sequence;  // every step's hidden state, or only the last
};

namespace rnn_cells {

// A cell reads the pre-activations xw (input side, batch-major [B, L, G H], with bias_ih) and hw
// (hidden side, [B, G H] of this step, with bias_hh); its gate nonlinearities are differentiated
// by dual numbers.
template <class T>
CTNN_HOST_DEVICE T sigmoid(T x) {
  return op::Sigmoid{}(x);
}
template <class T>
CTNN_HOST_DEVICE T dtanh(T x) {
  return op::derivative(op::Tanh{}, x);
}

// The arguments of one time step; a cell's forward and backward handle element i, that is batch
// row b = i / hidden and unit j = i % hidden.
template <class T>
struct step_args {
  const T* xw;      // input-side pre-activations of this step: row b at xw + b * stride
  const T* hw;      // hidden-side pre-activations of this step, [B, gates * hidden]
  const T* h_prev;  // [B, hidden]
  const T* c_prev;  // LSTM: the previous cell state
  const T* c;       // LSTM backward: this step's cell state
  T* h_out;         // forward: this step's hidden state
  T* c_out;         // forward, LSTM: this step's cell state
  const T* dh;      // backward: the gradient reaching this step's h
  const T* dc;      // backward, LSTM: the gradient reaching this step's c from the next step
  T* dgx;           // backward: input-side pre-activation gradients, rows `stride` apart
  T* dgh;           // backward: hidden-side pre-activation gradients, [B, gates * hidden]
  T* dh_direct;     // backward, GRU: what reaches h_prev other than through W_hh
  T* dc_prev;       // backward, LSTM: what reaches the previous cell state
  std::size_t stride, hidden;
};

template <class Cell, class T>
struct StepForward {
  step_args<T> a;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { Cell::forward(a, i); }
};

// A gate's value and slope at x, for backward, which needs both: the op evaluated once on a dual
// number, since a register's exp is a call the compiler does not merge (the LSTM cell's backward
// computed ten sigmoids and tanhs where five give the same). On a dual number of registers,
// op::Sigmoid and op::Tanh take the slope from the value: s (1 - s) and 1 - t^2.
template <class V>
struct value_and_slope {
  V value, slope;
};

template <class Op, class V>
CTNN_HOST_DEVICE value_and_slope<V> value_and_slope_at(Op f, V x) {
  const auto d = f(Dual<V, 1>::variable(x));
  return {d.value, d.grad[0]};
}
template <class V>
CTNN_HOST_DEVICE value_and_slope<V> sigmoid_at(V x) {
  return value_and_slope_at(op::Sigmoid{}, x);
}
template <class V>
CTNN_HOST_DEVICE value_and_slope<V> tanh_at(V x) {
  return value_and_slope_at(op::Tanh{}, x);
}

// The arguments of batch row b, as if it were the whole batch: rows are [b * hidden, ...) of the
// states, [b * gates * hidden, ...) of the hidden side, [b * stride, ...) of the input side.
template <class T>
CTNN_ALWAYS_INLINE CTNN_HOST_DEVICE step_args<T> row_of(step_args<T> a, std::size_t b,
                                                        std::size_t gates) {
  const std::size_t h = b * a.hidden, g = b * gates * a.hidden, x = b * a.stride;
  const auto shift = [](auto*& p, std::size_t by) {
    if (p) p += by;
  };
  shift(a.xw, x), shift(a.hw, g), shift(a.h_prev, h), shift(a.c_prev, h), shift(a.c, h);
  shift(a.h_out, h), shift(a.c_out, h), shift(a.dh, h), shift(a.dc, h), shift(a.dgx, x);
  shift(a.dgh, g), shift(a.dh_direct, h), shift(a.dc_prev, h);
  return a;
}

// The input side and the hidden side of gate k for units j.. of batch row 0.
template <class T, class Lanes>
CTNN_HOST_DEVICE auto input_side(const step_args<T>& a, std::size_t j, Lanes lanes, std::size_t k) {
  return lanes.load(a.xw + k * a.hidden + j);
}
template <class T, class Lanes>
CTNN_HOST_DEVICE auto hidden_side(const step_args<T>& a, std::size_t j, Lanes lanes,
                                  std::size_t k) {
  return lanes.load(a.hw + k * a.hidden + j);
}

// A step of a cell (LSTM, GRU) through its forward_row / backward_row: elements i.. (batch row
// i / H, units i % H ..) a SIMD register at a time on the CPU (a lane kernel, core/lanes.hpp),
// one at a time elsewhere. A register that would cross into the next row goes element by
// element; where the register width divides H, the type proves none does. Element by element,
// lstm_infer spent 57% of its time in glibc's scalar expm1f, tanhf and expf: 172 us, against
// 49 us a register at a time. OneRow (batch 1) skips the row arithmetic (with it, lstm_infer
// took 57 us instead of 51: medians of 10, pinned, alternating).
template <class Cell, class T, std::size_t H, bool Backward, bool OneRow = false>
struct StepLanes {
  using value_type = T;
  static constexpr bool simd = true;
  step_args<T> a;
  // A unit's work in elements of a plain elementwise pass, by which a backend decides to split a
  // step over threads: each gate's exp or tanh and division, more in backward. Measured on the
  // LSTM at batch 32 (perf, 1 thread): a unit took about 1.5 ns in forward and 3.4 in backward,
  // where SGD's update takes 0.23 ns a parameter, whose 5 elements it reads or writes: about 30
  // and 70 elements. At 2 threads, splitting both took lstm_train_b32 from
  // 2113 / 2300 to 1915 / 2143 us (10 alternating rounds; backward alone 2011 / 2170).
  static constexpr std::size_t elements_per_index() { return (Backward ? 16 : 8) * Cell::gates; }
  template <class Lanes = scalar_lanes>
  CTNN_HOST_DEVICE void operator()(std::size_t i, Lanes lanes = {}) const {
    if constexpr (OneRow) {
      units(a, i, lanes);
    } else if (H % Lanes::width == 0 || i % H + Lanes::width <= H) {
      units(row_of(a, i / H, Cell::gates), i % H, lanes);
    } else {
      for (std::size_t e = i; e < i + Lanes::width; ++e)
        units(row_of(a, e / H, Cell::gates), e % H, scalar_lanes{});
    }
  }
  template <class Lanes>
  CTNN_HOST_DEVICE static void units(const step_args<T>& row, std::size_t j, Lanes lanes) {
    if constexpr (Backward)
      Cell::backward_row(row, j, lanes);
    else
      Cell::forward_row(row, j, lanes);
  }
};

template <class Cell, class T>
struct StepBackward {
  step_args<T> a;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { Cell::backward(a, i); }
};

struct Elman {
  static constexpr std::size_t gates = 1;
  static constexpr bool has_cell = false;
  // h_prev reaches h through W_hh alone (backward has no dh_direct to add)
  static constexpr bool reaches_h_prev_directly = false;
  // Only the sum of the two sides is used, so bias_hh joins bias_ih in the input-side projection.
  static constexpr bool hidden_bias_folds = true;
  // h = tanh(xw + hw) elementwise: where the step is one contiguous row (batch 1), it is a map,
  // which a backend may run on SIMD registers.
  using step_op = op::AddBiasThen<op::Tanh>;

  template <class T>
  CTNN_HOST_DEVICE static void forward(const step_args<T>& a, std::size_t i) {
    const std::size_t b = i / a.hidden, j = i % a.hidden;
    a.h_out[i] = step_op{}(a.xw[b * a.stride + j], a.hw[b * a.hidden + j]);
  }

  template <class T>
  CTNN_HOST_DEVICE static void backward(const step_args<T>& a, std::size_t i) {
    const std::size_t b = i / a.hidden, j = i % a.hidden;
    const T d = a.dh[i] * dtanh(a.xw[b * a.stride + j] + a.hw[b * a.hidden + j]);
    a.dgx[b * a.stride + j] = d;
    a.dgh[b * a.hidden + j] = d;
  }
};

struct Lstm {
  static constexpr std::size_t gates = 4;  // i, f, g, o
  static constexpr bool has_cell = true;
  static constexpr bool reaches_h_prev_directly = false;
  static constexpr bool hidden_bias_folds = true;

  // Units j.. of batch row 0 (StepLanes), a register of them or one: the step forward, and
  // its backward from the gradients reaching h and c.
  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void forward_row(const step_args<T>& a, std::size_t j, Lanes lanes) {
    const auto pre = [&](std::size_t k) {
      return input_side(a, j, lanes, k) + hidden_side(a, j, lanes, k);
    };
    using V = decltype(pre(0));
    const V in = sigmoid(pre(0)), forget = sigmoid(pre(1));
    const V cand = op::Tanh{}(pre(2)), out = sigmoid(pre(3));
    const V c = forget * lanes.load(a.c_prev + j) + in * cand;
    lanes.store(a.c_out + j, c);
    lanes.store(a.h_out + j, out * op::Tanh{}(c));
  }

  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void backward_row(const step_args<T>& a, std::size_t j, Lanes lanes) {
    const std::size_t H = a.hidden;
    const auto pre = [&](std::size_t k) {
      return input_side(a, j, lanes, k) + hidden_side(a, j, lanes, k);
    };
    using V = decltype(pre(0));
    const auto in = sigmoid_at(pre(0)), forget = sigmoid_at(pre(1));
    const auto cand = tanh_at(pre(2));
    const auto out = sigmoid_at(pre(3));
    const auto cell = tanh_at(lanes.load(a.c + j));
    const V dh = lanes.load(a.dh + j);
    const V d_out = dh * cell.value * out.slope;
    const V d_c = dh * out.value * cell.slope + lanes.load(a.dc + j);
    const V grads[4] = {d_c * cand.value * in.slope, d_c * lanes.load(a.c_prev + j) * forget.slope,
                        d_c * in.value * cand.slope, d_out};
    for (std::size_t k = 0; k < 4; ++k) {
      lanes.store(a.dgx + k * H + j, grads[k]);
      lanes.store(a.dgh + k * H + j, grads[k]);
    }
    lanes.store(a.dc_prev + j, d_c * forget.value);
  }
};

struct Gru {
  static constexpr std::size_t gates = 3;  // r, z, n
  static constexpr bool has_cell = false;
  // h = (1 - z) n + z h_prev: h_prev reaches h through the update gate too
  static constexpr bool reaches_h_prev_directly = true;
  // The reset gate multiplies the hidden side of n, bias_hh included: the sides stay apart.
  static constexpr bool hidden_bias_folds = false;

  // Units j.. of batch row 0 (StepLanes), a register of them or one: the step forward, and
  // its backward from the gradient reaching h.
  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void forward_row(const step_args<T>& a, std::size_t j, Lanes lanes) {
    const auto x = [&](std::size_t k) { return input_side(a, j, lanes, k); };
    const auto r = [&](std::size_t k) { return hidden_side(a, j, lanes, k); };
    using V = decltype(x(0));
    const V reset = sigmoid(x(0) + r(0)), update = sigmoid(x(1) + r(1));
    const V n = op::Tanh{}(x(2) + reset * r(2));
    lanes.store(a.h_out + j, (V(1) - update) * n + update * lanes.load(a.h_prev + j));
  }

  template <class T, class Lanes>
  CTNN_HOST_DEVICE static void backward_row(const step_args<T>& a, std::size_t j, Lanes lanes) {
    const std::size_t H = a.hidden;
    const auto x = [&](std::size_t k) { return input_side(a, j, lanes, k); };
    const auto r = [&](std::size_t k) { return hidden_side(a, j, lanes, k); };
    using V = decltype(x(0));
    const V r_n = r(2);
    const auto reset = sigmoid_at(x(0) + r(0)), update = sigmoid_at(x(1) + r(1));
    const auto n = tanh_at(x(2) + reset.value * r_n);
    const V dh = lanes.load(a.dh + j);
    const V d_pn = dh * (V(1) - update.value) * n.slope;
    const V d_pz = dh * (lanes.load(a.h_prev + j) - n.value) * update.slope;
    const V d_pr = d_pn * r_n * reset.slope;
    const V gx[3] = {d_pr, d_pz, d_pn}, gh[3] = {d_pr, d_pz, d_pn * reset.value};
    for (std::size_t k = 0; k < 3; ++k) {
      lanes.store(a.dgx + k * H + j, gx[k]);
      lanes.store(a.dgh + k * H + j, gh[k]);
    }
    lanes.store(a.dh_direct + j, dh * update.value);
  }
};

// h of every step (time-major [L + 1, B, H], step 0 the zero state) to the sequence output
// (batch-major [B, L, H]).
template <class T>
struct GatherSequence {
  const T* h;
  T* y;
  std::size_t batch, steps, hidden;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t j = i % hidden, t = (i / hidden) % steps, b = i / (hidden * steps);
    y[i] = h[((t + 1) * batch + b) * hidden + j];
  }
};

// dh[b, j] = dy of step t (0 when the output is only the last step and t is not it) + carry[b, j]
template <class T, rnn_output Output>
struct StepGradient {
  const T* dy;
  const T* carry;
  T* dh;
  std::size_t t, steps, hidden;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    const std::size_t b = i / hidden, j = i % hidden;
    T from_output(0);
    if constexpr (Output == rnn_output::sequence) {
      from_output = dy[(b * steps + t) * hidden + j];
    } else {
      if (t + 1 == steps) from_output = dy[i];
    }
    dh[i] = from_output + carry[i];
  }
};

}  // namespace rnn_cells

namespace detail {

template <class Cell, rnn_options O>
struct recurrent_layer {
  static constexpr std::size_t H = O.hidden, G = Cell::gates * O.hidden;

  template <class In>
  static constexpr std::size_t steps = dim_or<In>(0, 1);
  template <class In>
  static constexpr std::size_t features = dim_or<In>(1, 1);

  template <class In>
  using output_shape =
      std::conditional_t<O.output == rnn_output::sequence, Shape<steps<In>, H>, Shape<H>>;

  template <class At, class From, class In>
  using check =
      check::all_of<check::recurrent_options<O.hidden>, check::sequence_input<At, From, In>>;

  template <class In>
  static constexpr auto parameters = [] {
    constexpr param_spec w_ih{"weight_ih_l0", 2, {G, features<In>}},
        w_hh{"weight_hh_l0", 2, {G, H}};
    if constexpr (O.bias) {
      return std::array{w_ih, w_hh, param_spec{"bias_ih_l0", 1, {G}},
                        param_spec{"bias_hh_l0", 1, {G}}};
    } else {
      return std::array{w_ih, w_hh};
    }
  }();

  // Storage per sample: input-side pre-activations [L, G H], hidden-side ones [L, G H], the
  // hidden states [L + 1, H] and, for LSTM, the cell states [L + 1, H].
  template <class In>
  static constexpr std::size_t saved_per_sample = 2 * steps<In>* G +
                                                  (steps<In> + 1) * H*(Cell::has_cell ? 2 : 1);
  // Inference keeps the states here; backward needs L G H + G H + 5 H.
  template <class In>
  static constexpr std::size_t scratch_per_sample = std::max(saved_per_sample<In>,
                                                             steps<In>* G + G + 5 * H);
  // Forward, once per call: W_hh transposed [H, G H], the two biases summed [G H] and, for the
  // recurrence in one call, W_ih transposed [I, G H].
  template <class In>
  static constexpr std::size_t scratch_per_call = G * H + G + features<In> * G;

  // PyTorch: every parameter U(-1/sqrt(hidden), 1/sqrt(hidden)).
  template <class In, class T>
  static void reset_parameters(std::span<T> params, Generator& rng) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(H));
    for (auto& p : params) p = static_cast<T>(rng.uniform(-bound, bound));
  }

  template <class T>
  struct storage {
    T *xw, *hw, *h, *c;
    storage(T* base, std::size_t batch, std::size_t L) {
      xw = base;
      hw = xw + batch * L * G;
      h = hw + batch * L * G;
      c = Cell::has_cell ? h + batch * (L + 1) * H : h;  // cell-less: never read
    }
  };

  // hw = h_prev W_hh^T for step t. At batch 1, where the backend can, every other step sums
  // backwards, so that it first reads the rows of W_hh^T that the step before read last, which
  // are still in the nearest cache (row_times_matrix in core/backend.hpp).
  template <class B, class T>
  static void hidden_product(std::size_t batch, std::size_t t, const T* h_prev, const T* w_hh_rows,
                             T* hw) {
    if constexpr (has_row_times_matrix<B, T>)
      if (batch == 1)
        return B::row_times_matrix(G, H, h_prev, w_hh_rows, hw,
                                   t % 2 ? sum_order::descending : sum_order::ascending);
    B::gemm(transpose::no, transpose::no, batch, G, H, T(1), h_prev, w_hh_rows, T(0), hw);
  }

  template <class In, class P, class T>
  static void forward(const layer_pass<T>& a) {
    using B = backend<P>;
    constexpr std::size_t L = steps<In>, I = features<In>;
    const std::size_t batch = a.batch;
    storage<T> s(a.saved ? a.saved : a.scratch, batch, L);
    const T* w_ih = a.params;
    const T* w_hh = w_ih + G * I;
    const T* b_ih = w_hh + G * H;
    const T* b_hh = b_ih + G;
    T* w_hh_t = a.scratch + scratch_per_sample<In> * batch;
    T* bias = w_hh_t + G * H;
    if constexpr (O.bias && Cell::hidden_bias_folds) B::map(G, op::Add{}, bias, b_ih, b_hh);
    // W_hh^T and W_ih^T (see below for why transposed) kept between calls while the weights are
    // unchanged, where the backend can: the transposes were 4% of rnn_infer, 7% of lstm_infer.
    const auto transposed = [&](std::size_t k, const T* w, T* room) -> const T* {
      if constexpr (has_transposed_weight<B, T>)
        if (a.params_version != 0) return B::transposed_weight(G, k, w, a.params_version);
      B::transpose_into(G, k, w, room);
      return room;
    };
    if constexpr (requires { typename Cell::step_op; }) {
      // One sequence in inference: every step in one call, the state written straight into
      // the output. (Backward needs each step's hidden side, which the call keeps in registers.)
      if constexpr (has_recurrence<B, typename Cell::step_op, T>) {
        if (batch == 1 && !a.saved) {
          const T* w_hh_rows = transposed(H, w_hh, w_hh_t);
          const T* w_ih_rows = transposed(I, w_ih, bias + G);
          if constexpr (!O.bias) B::fill(bias, G, T(0));
          constexpr bool into_output = O.output == rnn_output::sequence;
          T* states = into_output ? a.y : s.h + H;
          B::fill(s.h, H, T(0));
          B::recurrence(L, I, H, typename Cell::step_op{}, a.x, I, w_ih_rows, bias, w_hh_rows,
                        s.h, states, H);
          if constexpr (!into_output) B::copy(states + (L - 1) * H, H, a.y);
          return;
        }
      }
    }
    // h W_hh^T at every step: with W_hh transposed (kept, or once per call), each step streams
    // the rows of W_hh^T past h held in registers (batch 1 to 4) or packs them as they are.
    // Dot products with W_hh's rows, untransposed, spend as long summing across registers as
    // multiplying (rnn_infer: 13.6 to 15.6 us against 11.1 to 13.0 transposed, same run).
    const T* w_hh_rows = transposed(H, w_hh, w_hh_t);
    // All steps' input projections at once: [B L, I] x [I, G H], with what the backend derives
    // from W_ih kept between calls where it can (as Linear does).
    if constexpr (has_gemm_weight<B, T>)
      B::gemm_weight(batch * L, G, I, a.x, w_ih, a.params_version, s.xw);
    else
      B::gemm(transpose::no, transpose::yes, batch * L, G, I, T(1), a.x, w_ih, T(0), s.xw);
    if constexpr (O.bias) {
      if constexpr (Cell::hidden_bias_folds) {
        B::map_rows(batch * L, G, op::Add{}, s.xw, bias, s.xw);
      } else {
        B::map_rows(batch * L, G, op::Add{}, s.xw, b_ih, s.xw);
      }
    }
    B::fill(s.h, batch * H, T(0));
    if constexpr (Cell::has_cell) B::fill(s.c, batch * H, T(0));
    for (std::size_t t = 0; t < L; ++t) {
      T* hw = s.hw + t * batch * G;
      const T* h_prev = s.h + t * batch * H;
      hidden_product<B>(batch, t, h_prev, w_hh_rows, hw);
      if constexpr (O.bias && !Cell::hidden_bias_folds)
        B::map_rows(batch, G, op::Add{}, hw, b_hh, hw);
      rnn_cells::step_args<T> step{};
      step.xw = s.xw + t * G, step.hw = hw, step.h_prev = h_prev, step.c_prev = s.c + t * batch * H;
      step.h_out = s.h + (t + 1) * batch * H, step.c_out = s.c + (t + 1) * batch * H;
      step.stride = L * G, step.hidden = H;
      if constexpr (requires { typename Cell::step_op; }) {
        if (batch == 1) {
          B::map(H, typename Cell::step_op{}, step.h_out, step.xw, hw);
          continue;
        }
      }
      if constexpr (requires { Cell::forward_row(step, 0, scalar_lanes{}); }) {
        if (batch == 1)
          B::for_each(H, rnn_cells::StepLanes<Cell, T, H, false, true>{step});
        else
          B::for_each(batch * H, rnn_cells::StepLanes<Cell, T, H, false>{step});
      } else
        B::for_each(batch * H, rnn_cells::StepForward<Cell, T>{step});
    }
    // The states are [L + 1, B, H]: the last one, and all of them at batch 1, are already in the
    // output's order.
    if constexpr (O.output == rnn_output::last) {
      B::copy(s.h + L * batch * H, batch * H, a.y);
    } else if (batch == 1) {
      B::copy(s.h + H, L * H, a.y);
    } else {
      B::for_each(batch * L * H, rnn_cells::GatherSequence<T>{s.h, a.y, batch, L, H});
    }
  }

  template <class In, class P, class T>
  static void backward(const layer_pass<T>& a) {
    using B = backend<P>;
    constexpr std::size_t L = steps<In>, I = features<In>;
    const std::size_t batch = a.batch;
    storage<T> s(a.saved, batch, L);
    const T* w_ih = a.params;
    const T* w_hh = w_ih + G * I;
    T* g_w_ih = a.grads;
    T* g_w_hh = g_w_ih + G * I;
    T* g_b_ih = g_w_hh + G * H;
    T* g_b_hh = g_b_ih + G;
    // Scratch: input-side gate gradients of all steps [B, L, G H], this step's hidden-side ones,
    // the gradient reaching h and c, and the carry to the previous step.
    T* dgx = a.scratch;
    T* dgh = dgx + batch * L * G;
    T* dh = dgh + batch * G;
    T* carry = dh + batch * H;
    T* direct = carry + batch * H;
    T* dc = direct + batch * H;
    T* dc_prev = dc + batch * H;
    B::fill(carry, batch * H, T(0));
    B::fill(dc, batch * H, T(0));
    for (std::size_t t = L; t-- > 0;) {
      B::for_each(batch * H, rnn_cells::StepGradient<T, O.output>{a.dy, carry, dh, t, L, H});
      const T* h_prev = s.h + t * batch * H;
      rnn_cells::step_args<T> step{};
      step.xw = s.xw + t * G, step.hw = s.hw + t * batch * G, step.h_prev = h_prev;
      step.c_prev = s.c + t * batch * H, step.c = s.c + (t + 1) * batch * H;
      step.dh = dh, step.dc = dc, step.dgx = dgx + t * G, step.dgh = dgh, step.dh_direct = direct;
      step.dc_prev = dc_prev, step.stride = L * G, step.hidden = H;
      if constexpr (requires { Cell::backward_row(step, 0, scalar_lanes{}); })
        B::for_each(batch * H, rnn_cells::StepLanes<Cell, T, H, true>{step});
      else
        B::for_each(batch * H, rnn_cells::StepBackward<Cell, T>{step});
      B::gemm(transpose::yes, transpose::no, G, H, batch, T(1), dgh, h_prev, T(1), g_w_hh);
      if constexpr (O.bias) B::sum_rows(batch, G, dgh, g_b_hh);
      // carry = dgh W_hh + direct: what reaches h of the previous step.
      B::gemm(transpose::no, transpose::no, batch, H, G, T(1), dgh, w_hh, T(0), carry);
      if constexpr (Cell::reaches_h_prev_directly)
        B::map(batch * H, op::Add{}, carry, carry, direct);
      // What reaches c of the previous step is the next dc: the buffers trade places. (A copy ran
      // on one thread and read half of dc_prev from the other core's cache: 2% of
      // lstm_train_b32's samples at 2 threads.)
      if constexpr (Cell::has_cell) std::swap(dc, dc_prev);
    }
    B::gemm(transpose::yes, transpose::no, G, I, batch * L, T(1), dgx, a.x, T(1), g_w_ih);
    if constexpr (O.bias) B::sum_rows(batch * L, G, dgx, g_b_ih);
    if (a.dx) B::gemm(transpose::no, transpose::no, batch * L, I, G, T(1), dgx, w_ih, T(0), a.dx);
  }
};

}  // namespace detail

template <rnn_options O>
struct RNN : detail::recurrent_layer<rnn_cells::Elman, O> {
  static constexpr std::string_view name = "RNN";
};

template <rnn_options O>
struct LSTM : detail::recurrent_layer<rnn_cells::Lstm, O> {
  static constexpr std::string_view name = "LSTM";
};

template <rnn_options O>
struct GRU : detail::recurrent_layer<rnn_cells::Gru, O> {
  static constexpr std::string_view name = "GRU";
};

}  // namespace ctnn
