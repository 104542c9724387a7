// Dual<T, N>: forward-mode automatic differentiation. A value and N tangents; every operation
// applies the chain rule to the tangents. ctnn uses it twice: the derivative of every elementwise
// op is its evaluation on Dual<T, 1> (no derivative is written by hand), and gradcheck evaluates a
// whole network on Dual<T, N> to get Jacobian-vector products that check the reverse pass.
// T may itself be a Dual (nested duals); all functions are CTNN_HOST_DEVICE for Thrust on CUDA.
#pragma once

#include <cmath>
#include <cstddef>

#include "ctnn/config.hpp"

namespace ctnn {

template <class T, std::size_t N = 1>
struct Dual {
  static_assert(N >= 1, "ctnn::Dual: N is the number of tangent directions and must be at least 1");
  using value_type = T;
  static constexpr std::size_t directions = N;

  T value{};
  T grad[N]{};

  constexpr Dual() = default;  // defaulted: host and device alike (nvcc warns at an annotation)
  // A constant: its tangents are zero. Implicit, so op tags can write `T(0)` and `x + 1`.
  CTNN_HOST_DEVICE constexpr Dual(T v) : value(v) {}  // NOLINT(google-explicit-constructor)
  // The variable seeded in direction `dir`: its derivative with respect to itself is one.
  CTNN_HOST_DEVICE static constexpr Dual variable(T v, std::size_t dir = 0) {
    Dual d(v);
    d.grad[dir] = T(1);
    return d;
  }

  CTNN_HOST_DEVICE constexpr Dual& operator+=(const Dual& o) { return *this = *this + o; }
  CTNN_HOST_DEVICE constexpr Dual& operator-=(const Dual& o) { return *this = *this - o; }
  CTNN_HOST_DEVICE constexpr Dual& operator*=(const Dual& o) { return *this = *this * o; }
  CTNN_HOST_DEVICE constexpr Dual& operator/=(const Dual& o) { return *this = *this / o; }

  // Chain rule in one place: f(value) with f'(value) = slope.
  CTNN_HOST_DEVICE constexpr Dual chain(T fx, T slope) const {
    Dual r(fx);
    for (std::size_t i = 0; i < N; ++i) r.grad[i] = slope * grad[i];
    return r;
  }

  friend CTNN_HOST_DEVICE constexpr Dual operator+(const Dual& a, const Dual& b) {
    Dual r(a.value + b.value);
    for (std::size_t i = 0; i < N; ++i) r.grad[i] = a.grad[i] + b.grad[i];
    return r;
  }
  friend CTNN_HOST_DEVICE constexpr Dual operator-(const Dual& a, const Dual& b) {
    Dual r(a.value - b.value);
    for (std::size_t i = 0; i < N; ++i) r.grad[i] = a.grad[i] - b.grad[i];
    return r;
  }
  friend CTNN_HOST_DEVICE constexpr Dual operator*(const Dual& a, const Dual& b) {
    Dual r(a.value * b.value);
    for (std::size_t i = 0; i < N; ++i) r.grad[i] = a.grad[i] * b.value + a.value * b.grad[i];
    return r;
  }
  friend CTNN_HOST_DEVICE constexpr Dual operator/(const Dual& a, const Dual& b) {
    Dual r(a.value / b.value);
    for (std::size_t i = 0; i < N; ++i)
      r.grad[i] = (a.grad[i] * b.value - a.value * b.grad[i]) / (b.value * b.value);
    return r;
  }
  friend CTNN_HOST_DEVICE constexpr Dual operator-(const Dual& a) {
    return a.chain(-a.value, T(-1));
  }
  friend CTNN_HOST_DEVICE constexpr Dual operator+(const Dual& a) { return a; }

  // Comparisons look at the value only: they choose a branch, they are not differentiated.
  friend CTNN_HOST_DEVICE constexpr bool operator<(const Dual& a, const Dual& b) {
    return a.value < b.value;
  }
  friend CTNN_HOST_DEVICE constexpr bool operator>(const Dual& a, const Dual& b) {
    return a.value > b.value;
  }
  friend CTNN_HOST_DEVICE constexpr bool operator<=(const Dual& a, const Dual& b) {
    return a.value <= b.value;
  }
  friend CTNN_HOST_DEVICE constexpr bool operator>=(const Dual& a, const Dual& b) {
    return a.value >= b.value;
  }
  friend CTNN_HOST_DEVICE constexpr bool operator==(const Dual& a, const Dual& b) {
    return a.value == b.value;
  }
};

template <class T>
inline constexpr bool is_dual_v = false;
template <class T, std::size_t N>
inline constexpr bool is_dual_v<Dual<T, N>> = true;

// The innermost scalar type: float for Dual<Dual<float, 2>, 1>.
template <class T>
struct scalar_of {
  using type = T;
};
template <class T, std::size_t N>
struct scalar_of<Dual<T, N>> : scalar_of<T> {};
template <class T>
using scalar_of_t = typename scalar_of<T>::type;

// The value with every tangent dropped, at any nesting depth.
template <class T>
CTNN_HOST_DEVICE constexpr scalar_of_t<T> primal(const T& x) {
  if constexpr (is_dual_v<T>) {
    return primal(x.value);
  } else {
    return x;
  }
}

// Math functions, found by argument-dependent lookup next to the std:: overloads. Each writes the
// function and its derivative at the value; nesting works because the value may be a Dual too.
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> exp(const Dual<T, N>& x) {
  using std::exp;
  const T e = exp(x.value);
  return x.chain(e, e);
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> log(const Dual<T, N>& x) {
  using std::log;
  return x.chain(log(x.value), T(1) / x.value);
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> log1p(const Dual<T, N>& x) {
  using std::log1p;
  return x.chain(log1p(x.value), T(1) / (T(1) + x.value));
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> sqrt(const Dual<T, N>& x) {
  using std::sqrt;
  const T s = sqrt(x.value);
  return x.chain(s, T(0.5) / s);
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> tanh(const Dual<T, N>& x) {
  using std::tanh;
  const T t = tanh(x.value);
  return x.chain(t, T(1) - t * t);
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> sin(const Dual<T, N>& x) {
  using std::cos;
  using std::sin;
  return x.chain(sin(x.value), cos(x.value));
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> cos(const Dual<T, N>& x) {
  using std::cos;
  using std::sin;
  return x.chain(cos(x.value), -sin(x.value));
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> erf(const Dual<T, N>& x) {
  using std::erf;
  using std::exp;
  // d/dx erf(x) = 2/sqrt(pi) exp(-x^2)
  const T two_over_sqrt_pi = T(1.1283791670955126);
  return x.chain(erf(x.value), two_over_sqrt_pi * exp(-(x.value * x.value)));
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> abs(const Dual<T, N>& x) {
  return x.value < T(0) ? -x : x;
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE Dual<T, N> pow(const Dual<T, N>& x, T p) {
  using std::pow;
  return x.chain(pow(x.value, p), p * pow(x.value, p - T(1)));
}
template <class T, std::size_t N>
CTNN_HOST_DEVICE bool isfinite(const Dual<T, N>& x) {
  using std::isfinite;
  return isfinite(x.value);
}

}  // namespace ctnn
