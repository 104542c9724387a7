// Elementwise maps and index kernels a SIMD register at a time, for the functors that say they can
// run on xsimd batches: ops (op::vectorizable: branch-free arithmetic and math functions found by
// ADL, such as tanh) and lane kernels (core/lanes.hpp: the optimisers' updates). The same functor
// runs on batches and on the scalar tail, so there is one definition of each. Without this, tanh
// is a call into libm per element, and Adam a scalar square root and two divisions per parameter.
#pragma once

#include <cstddef>
#include <type_traits>

#include "ctnn/backend/cpu/xsimd.hpp"

#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/backend/cpu/threads.hpp"
#include "ctnn/core/lanes.hpp"
#include "ctnn/core/ops.hpp"

namespace ctnn::cpu {

// GCC 12 reports the undefined first operand of AVX-512 intrinsics inlined from xsimd's exp and
// tanh (_mm512_undefined_ps) as maybe uninitialised; the lanes it means are never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

template <class F, class T>
inline constexpr bool simd_map_applies = op::vectorizable<F> && simd_element_v<T>;

// out[i] = f(in[i]...)
template <class F, class T, class... In>
void simd_map(std::size_t n, const F& f, T* out, const In*... in) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size;
  const std::size_t whole = n - n % W;
  for (std::size_t i = 0; i < whole; i += W)
    f(batch::load_unaligned(in + i)...).store_unaligned(out + i);
  for (std::size_t i = whole; i < n; ++i) out[i] = f(in[i]...);
}

// out[r, c] = f(in[r, c]..., row[c])
template <class F, class T, class... In>
void simd_map_rows(std::size_t rows, std::size_t cols, const F& f, T* out, const T* row,
                   const In*... in) {
  for (std::size_t r = 0; r < rows; ++r) {
    const std::size_t base = r * cols;
    simd_map(cols, f, out + base, (in + base)..., row);
  }
}

// f with its last argument fixed to one value (a channel's bias), broadcast to the type of the
// others: map_channels runs a vectorizable op over each plane with it.
template <class F, class T>
struct with_last_argument {
  static constexpr bool simd = op::vectorizable<F>;
  F f;
  T value;
  template <class... V>
  auto operator()(V... x) const {
    return f(x..., std::common_type_t<V...>(value));
  }
};

// Memory access of a lane kernel (core/lanes.hpp) a register at a time.
template <class T>
struct batch_lanes {
  using batch = xsimd::batch<T>;
  static constexpr std::size_t width = batch::size;
  static batch load(const T* p) { return batch::load_unaligned(p); }
  static void store(T* p, const batch& value) { value.store_unaligned(p); }
  static batch max(const batch& a, const batch& b) { return xsimd::max(a, b); }
};

template <class F>
concept simd_for_each_applies = lane_kernel<F> && simd_element_v<typename F::value_type>;

// f(i, lanes) for every register's worth of indices in [begin, end), then f(i) for the rest.
template <class F>
void simd_for_each_in(std::size_t begin, std::size_t end, const F& f) {
  using T = typename F::value_type;
  constexpr std::size_t W = xsimd::batch<T>::size;
  // A copy nothing else can reach: the stores through xsimd (may_alias vector types) could write
  // to the caller's functor, so its constants were loaded again in every iteration when this loop
  // was not inlined into the functor's owner (Adam: 20% slower).
  const F kernel = f;
  // The tail bounded as end - whole < W, which the compiler can see (a loop to `end` from where
  // the registers stopped made GCC warn of an unbounded scalar loop in a recurrent cell).
  const std::size_t whole = begin + (end - begin) / W * W;
  for (std::size_t i = begin; i < whole; i += W) kernel(i, batch_lanes<T>{});
  for (std::size_t i = whole; i < end; ++i) kernel(i);
}

// The same over [0, n), split over threads where n is large (an optimiser's update). A cache
// line holds whole registers, so only the last chunk has a scalar tail.
template <class F>
void simd_for_each(std::size_t n, const F& f) {
  detail::for_each_chunk<typename F::value_type>(
      n, [&](std::size_t begin, std::size_t end) { simd_for_each_in(begin, end, f); },
      detail::elements_per_index(f));
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace ctnn::cpu
