// Kernels that run on one element or on a SIMD register of consecutive elements. Such a kernel
// reads and writes memory only through its Lanes argument and writes its arithmetic for any value
// type (T, or a SIMD batch of T on the CPU: math functions found by ADL, no branches on values).
// It declares `value_type` and `simd = true`; a backend that has SIMD registers calls f(i, lanes)
// for a register's worth of indices at once, the others call f(i), which is f(i, scalar_lanes{}).
#pragma once

#include <cstddef>

#include "ctnn/config.hpp"

namespace ctnn {

struct scalar_lanes {
  static constexpr std::size_t width = 1;  // elements a load or store moves
  template <class T>
  CTNN_HOST_DEVICE static T load(const T* p) {
    return *p;
  }
  template <class T>
  CTNN_HOST_DEVICE static void store(T* p, T value) {
    *p = value;
  }
  // A comparison is a branch on values, so it is the Lanes' job.
  template <class T>
  CTNN_HOST_DEVICE static T max(T a, T b) {
    return a < b ? b : a;
  }
};

template <class F>
inline constexpr bool lane_kernel = requires {
  typename F::value_type;
  requires F::simd;
};

}  // namespace ctnn
