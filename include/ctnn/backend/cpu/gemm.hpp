// Matrix products for the CPU backend. float and double use xsimd kernels (fused multiply-add over
// the contiguous axis); any other element type (Dual numbers in gradcheck) takes the same loops
// in scalar form. Row-major; op(A) is m x k, op(B) is k x n, C is m x n.
// These are the baseline kernels; blocked micro-kernels with the extents baked in are the work of
// the performance issue.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include <xsimd/xsimd.hpp>

#include "ctnn/core/backend.hpp"

namespace ctnn::cpu {

template <class T>
inline constexpr bool simd_element_v = std::is_same_v<T, float> || std::is_same_v<T, double>;

// sum_i a[i] * b[i]
template <class T>
T dot(const T* a, const T* b, std::size_t n) {
  std::size_t i = 0;
  T sum(0);
  if constexpr (simd_element_v<T>) {
    using batch = xsimd::batch<T>;
    constexpr std::size_t W = batch::size;
    batch acc0(T(0)), acc1(T(0));
    // Bounds as n - n % step, not i + step <= n, which GCC 12 misreads as overflowing.
    const std::size_t pairs = n - n % (2 * W), whole = n - n % W;
    for (; i < pairs; i += 2 * W) {
      acc0 = xsimd::fma(batch::load_unaligned(a + i), batch::load_unaligned(b + i), acc0);
      acc1 = xsimd::fma(batch::load_unaligned(a + i + W), batch::load_unaligned(b + i + W), acc1);
    }
    for (; i < whole; i += W)
      acc0 = xsimd::fma(batch::load_unaligned(a + i), batch::load_unaligned(b + i), acc0);
    sum = xsimd::hadd(acc0 + acc1);
  }
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

// y[i] += alpha * x[i]
template <class T>
void axpy(T alpha, const T* x, T* y, std::size_t n) {
  std::size_t i = 0;
  if constexpr (simd_element_v<T>) {
    using batch = xsimd::batch<T>;
    constexpr std::size_t W = batch::size;
    const batch a(alpha);
    const std::size_t whole = n - n % W;  // as in dot
    for (; i < whole; i += W)
      xsimd::fma(a, batch::load_unaligned(x + i), batch::load_unaligned(y + i))
          .store_unaligned(y + i);
  }
  for (; i < n; ++i) y[i] += alpha * x[i];
}

template <class T>
void gemm(transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, const T* b, T beta, T* c) {
  // beta == 0 overwrites C (so NaN in uninitialised memory cannot leak through 0 * NaN).
  if (beta == T(0)) {
    std::fill(c, c + m * n, T(0));
  } else if (!(beta == T(1))) {
    for (std::size_t i = 0; i < m * n; ++i) c[i] = beta * c[i];
  }
  const bool at = ta == transpose::yes;
  const bool bt = tb == transpose::yes;
  if (!at && !bt) {  // C[i,:] += A[i,p] B[p,:]
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t p = 0; p < k; ++p) axpy(alpha * a[i * k + p], b + p * n, c + i * n, n);
  } else if (!at && bt) {  // C[i,j] += A[i,:] . B[j,:]
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) c[i * n + j] += alpha * dot(a + i * k, b + j * k, k);
  } else if (at && !bt) {  // C[i,:] += A[p,i] B[p,:]
    for (std::size_t p = 0; p < k; ++p)
      for (std::size_t i = 0; i < m; ++i) axpy(alpha * a[p * m + i], b + p * n, c + i * n, n);
  } else {  // C[i,j] += A[p,i] B[j,p]
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        T s(0);
        for (std::size_t p = 0; p < k; ++p) s += a[p * m + i] * b[j * k + p];
        c[i * n + j] += alpha * s;
      }
  }
}

}  // namespace ctnn::cpu
