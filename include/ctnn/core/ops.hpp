// Elementwise op tags and the functors composed from them. An op is written once, as a template
// over the element type; its derivative is its evaluation on Dual<T, 1>. The composed functors
// (bias then op, gradient through op) are the expressions that backends evaluate in one pass:
// an xtensor lambda expression on the CPU, one thrust::for_each on Thrust.
#pragma once

#include <cmath>
#include <cstddef>
#include <type_traits>

#include "ctnn/config.hpp"
#include "ctnn/core/dual.hpp"

namespace ctnn::op {

// An op declares `simd` when its body is branch-free arithmetic and math functions found by ADL,
// so that it also evaluates on SIMD batches; a CPU backend then maps it a register at a time.
template <class F>
inline constexpr bool vectorizable = requires { requires F::simd; };

struct Identity {
  static constexpr bool simd = true;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x) const {
    return x;
  }
};

// PyTorch's convention: the derivative at 0 is 0.
struct Relu {
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x) const {
    return x > T(0) ? x : T(0);
  }
};

// Whether T holds one number (float, or a dual number of one), on which an op may branch; if not,
// T is a SIMD register of numbers (or a dual number of registers), which takes the op's
// branch-free form.
template <class T>
inline constexpr bool one_number = std::is_arithmetic_v<scalar_of_t<T>>;

// f on a dual number of registers: f of the value, its slope from that, the chain rule for the
// tangents. Registers cannot take the branches that keep a scalar tangent finite.
template <class T, class F, class Slope>
CTNN_HOST_DEVICE T chain_on_registers(const T& x, const F& f, const Slope& slope) {
  const auto fx = f(x.value);
  return x.chain(fx, slope(fx));
}

// One number: two branches, so that exp never overflows and the tangent stays finite for large
// |x| too. Registers: 1 / (1 + exp(-x)), as PyTorch's vectorized sigmoid, where exp(-x)
// overflowing to infinity still gives 0; its slope from the value, s (1 - s).
struct Sigmoid {
  static constexpr bool simd = true;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x) const {
    using std::exp;
    if constexpr (one_number<T>) {
      if (x >= T(0)) return T(1) / (T(1) + exp(-x));
      const T e = exp(x);
      return e / (T(1) + e);
    } else if constexpr (is_dual_v<T>) {
      using V = typename T::value_type;
      return chain_on_registers(x, *this, [](V s) { return s * (V(1) - s); });
    } else {
      return T(1) / (T(1) + exp(-x));
    }
  }
};

// tanh as the ops evaluate it. A backend may give its SIMD registers a faster tanh of the same
// accuracy by specializing tanh_for (the CPU backend, for AVX-512 float registers:
// backend/cpu/simd_tanh.hpp); anything else takes the tanh that ADL finds (std::tanh,
// xsimd::tanh, Dual's).
template <class T>
struct tanh_for {
  CTNN_HOST_DEVICE static T apply(T x) {
    using std::tanh;
    return tanh(x);
  }
};

struct Tanh {
  static constexpr bool simd = true;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x) const {
    if constexpr (is_dual_v<T> && !one_number<T>) {
      // the registers' own tanh (tanh_for) for the value; slope 1 - t^2
      using V = typename T::value_type;
      return chain_on_registers(x, *this, [](V t) { return V(1) - t * t; });
    } else {
      return tanh_for<T>::apply(x);
    }
  }
};

template <float NegativeSlope>
struct LeakyRelu {
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x) const {
    return x > T(0) ? x : T(NegativeSlope) * x;
  }
};

struct Gelu {
  static constexpr bool simd = true;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x) const {
    using std::erf;
    return T(0.5) * x * (T(1) + erf(x * T(0.70710678118654752)));
  }
};

// d op / dx at x, by forward-mode differentiation.
template <class Op, class T>
CTNN_HOST_DEVICE T derivative(const Op& f, T x) {
  return f(Dual<T, 1>::variable(x)).grad[0];
}

// f(z + b): the bias add fused into the activation (the epilogue of Linear).
template <class Op>
struct AddBiasThen {
  static constexpr bool simd = vectorizable<Op>;
  Op f;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T z, T bias) const {
    return f(z + bias);
  }
};

// dy * f'(x): the gradient through an elementwise op. The derivative of a vectorizable op also
// evaluates on registers, as a dual number of them.
template <class Op>
struct GradThrough {
  static constexpr bool simd = vectorizable<Op>;
  Op f;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x, T dy) const {
    return dy * derivative(f, x);
  }
};

// dy * f'(z + b): the gradient through a fused bias and activation.
template <class Op>
struct GradThroughBias {
  static constexpr bool simd = vectorizable<Op>;
  Op f;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T z, T dy, T bias) const {
    return dy * derivative(f, z + bias);
  }
};

struct Add {
  static constexpr bool simd = true;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T a, T b) const {
    return a + b;
  }
};

struct Multiply {
  static constexpr bool simd = true;
  template <class T>
  CTNN_HOST_DEVICE T operator()(T a, T b) const {
    return a * b;
  }
};

// 1 when x is not a whole number in [0, N), else 0: class and token ids travel in the element
// type, and a sum of this over a tensor counts the invalid ones.
template <std::size_t N>
struct NotAnIndexBelow {
  template <class T>
  CTNN_HOST_DEVICE T operator()(T x) const {
    const auto v = primal(x);
    using V = decltype(v);
    const bool whole = v >= V(0) && v < V(N) && V(static_cast<std::size_t>(v)) == v;
    return whole ? T(0) : T(1);
  }
};

}  // namespace ctnn::op
