// x W^T with W a weight in PyTorch's [out, in] layout, for the CPU backend. At batch 1 to 4 with
// a short input (tiny_mlp's 20 -> 256), dot products with W's rows spend as long summing across
// registers as multiplying; streaming the rows of W^T past x held in registers needs no sum
// across. W^T is kept per thread and reused while the network's parameter version
// (parameter_version.hpp) says W is unchanged: the transpose is paid once per change of the
// weights, not per call. tiny_mlp_infer_b2: 0.78 to 0.81 us with dots, 0.52 to 0.59 us with W^T
// kept (1 thread, same run). At larger batches W^T is kept too while it fits in L2, for row
// groups against it; beyond that, what is kept is W^T already packed into the blocked GEMM's
// slivers.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/backend/cpu/transpose.hpp"

namespace ctnn::cpu {

namespace detail {

// Where the product goes to the blocked GEMM (not dot products, not rows against a B in L1),
// which would pack W^T's slivers again on every call: transposing them was 13% of
// mlp_infer_b64. Up to 4 MiB of W per weight.
template <class T>
bool weight_packing_pays(std::size_t m, std::size_t n, std::size_t k) {
  if constexpr (simd_element_v<T>) {
    return m > 4 && k > 0 && !dots_beat_packing<T>(m, n, k) && !few_columns_fit_l1<T>(n, k) &&
           n * k * sizeof(T) <= (std::size_t(4) << 20);
  } else {
    return false;
  }
}

// Where W^T streamed beats dot products with W's rows: few rows of x, k too short to repay a
// sum across registers per output, and whole registers of outputs. At batch 1 on AVX-512 also
// long k: W^T read in one sequential pass, eight registers of outputs at a time, beats dot
// products reading sixteen rows of W side by side (mlp_infer_b1's 784 -> 128 in gemm_paths:
// 3.57 against 3.85 us). At more than 4 rows, where W^T fits in L2 and W would be kept packed
// instead: row groups against W^T (rows_against_b_in_l2) beat the blocked GEMM on W^T packed.
template <class T>
bool weight_transpose_pays(std::size_t m, std::size_t n, std::size_t k) {
  if constexpr (simd_element_v<T>) {
    if (m > 4) return weight_packing_pays<T>(m, n, k) && rows_against_b_in_l2<T>(m, n, k);
    return n % xsimd::batch<T>::size == 0 &&
           (k < 128 || (m == 1 && blocking<T>::wide_register_file));
  } else {
    return false;
  }
}

// What is kept of weight w [n, k]: W^T, or W^T packed whole for the blocked GEMM.
enum class weight_form { transposed, packed };

// That form of w, whose contents `version` names, kept in one of a few slots per thread (the
// small layers of a network; more only cost the work again).
template <class T>
const T* derived_weight(std::size_t n, std::size_t k, const T* w, std::uint64_t version,
                        weight_form form) {
  struct slot {
    const T* weight = nullptr;
    std::uint64_t version = 0;
    std::size_t n = 0, k = 0;
    weight_form form = weight_form::transposed;
    aligned_buffer<T> data;
  };
  constexpr std::size_t slots = 8;
  thread_local std::array<slot, slots> cache;
  thread_local std::size_t next = 0;
  slot* reuse = nullptr;  // this weight's slot from an earlier version: no allocation once warm
  for (slot& s : cache) {
    if (s.weight != w || s.n != n || s.k != k || s.form != form) continue;
    if (s.version == version) return s.data.data();
    reuse = &s;
  }
  slot& s = reuse ? *reuse : cache[next++ % slots];
  if (form == weight_form::transposed) {
    s.data.resize(n * k);
    copy_transposed(n, k, w, k, s.data.data(), n);
  } else if constexpr (simd_element_v<T>) {  // the blocked GEMM's slivers exist for these only
    s.data.resize(k * packed_b_columns<T>(n));
    pack_b_whole(strided<T>{w, 1, k}, n, k, s.data.data());
  }
  s.weight = w, s.version = version, s.n = n, s.k = k, s.form = form;
  return s.data.data();
}

}  // namespace detail

// C[m, n] = A[m, k] W[n, k]^T, W's contents named by version (0: unknown, nothing kept).
template <class T>
void gemm_weight(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* w,
                 std::uint64_t version, T* c) {
  using detail::weight_form;
  if (version != 0 && detail::weight_transpose_pays<T>(m, n, k)) {
    const T* w_t = detail::derived_weight(n, k, w, version, weight_form::transposed);
    gemm(transpose::no, transpose::no, m, n, k, T(1), a, w_t, T(0), c);
    return;
  }
  if constexpr (simd_element_v<T>) {
    if (version != 0 && detail::weight_packing_pays<T>(m, n, k)) {
      const detail::packed_b_whole<T> packed{
          detail::derived_weight(n, k, w, version, weight_form::packed),
          detail::packed_b_columns<T>(n)};
      detail::gemm_parallel(detail::strided<T>{a, k, 1}, detail::strided<T>{w, 1, k}, m, n, k,
                            T(1), c, false, packed);
      return;
    }
  }
  gemm(transpose::no, transpose::yes, m, n, k, T(1), a, w, T(0), c);
}

#if defined(CTNN_SEPARATE_COMPILATION)
// Compiled once, in ctnn::compiled (kernels.ipp), as the GEMM is.
extern template void gemm_weight<float>(std::size_t, std::size_t, std::size_t, const float*,
                                        const float*, std::uint64_t, float*);
extern template void gemm_weight<double>(std::size_t, std::size_t, std::size_t, const double*,
                                         const double*, std::uint64_t, double*);
extern template const float* detail::derived_weight<float>(std::size_t, std::size_t, const float*,
                                                           std::uint64_t, detail::weight_form);
extern template const double* detail::derived_weight<double>(std::size_t, std::size_t,
                                                             const double*, std::uint64_t,
                                                             detail::weight_form);
#endif

}  // namespace ctnn::cpu
