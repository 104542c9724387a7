// Matrix products for the CPU backend: C[m,n] = alpha op(A) op(B) + beta C, row-major.
//
// float and double take one of four xsimd kernels:
// - few rows (m <= 4: batch 1 to 4 through a Linear, a recurrent step): no packing. With op(B)
//   contiguous in j, the rows of A stay in registers while B streams past once (GEMV at m == 1);
//   with B^T (x W^T, W in PyTorch's layout) a register of dot products at a time, summed across
//   in one step (dot_rows_by_register);
// - rows against op(B) = B (a convolution's forward, C = W col; x W; x W^T with W^T kept): the
//   few-rows kernel on groups of up to eight rows, B streamed from L2 rather than packed, at up
//   to 16 rows or while B fits in L2;
// - more rows against a small op(B) that stays in L1 (few_columns_fit_l1): the few-rows kernel
//   on groups of four rows, B^T transposed once in registers (transpose.hpp);
// - otherwise the blocked GEMM of BLIS (Goto's algorithm): B is packed into KC x NR slivers that
//   stay in L1, A into MR x KC slivers in L2, and an MR x NR micro-kernel keeps its tile of C in
//   registers, so each loaded element feeds MR or NR fused multiply-adds;
// - the blocked GEMM, the row groups and the dot products split C over get_num_threads()
//   OpenMP threads when the product is large enough to repay the fork (threads.hpp).
// Transposes are folded into the packing (strided views, B^T in register tiles), so all four
// cases share the kernels.
// Any other element type (Dual numbers in gradcheck) takes plain loops. Working memory is
// thread_local and grows to the largest product seen, so a training step allocates nothing once
// warm.
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/backend/cpu/xsimd.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif

#include "ctnn/backend/cpu/threads.hpp"
#include "ctnn/backend/cpu/transpose.hpp"
#include "ctnn/core/backend.hpp"

namespace ctnn::cpu {

template <class T>
inline constexpr bool simd_element_v = std::is_same_v<T, float> || std::is_same_v<T, double>;

namespace detail {

// Element (i, j) of a matrix stored with row stride rs and column stride cs: op(A) and op(B)
// without copying.
template <class T>
struct strided {
  const T* data;
  std::size_t rs, cs;
  T operator()(std::size_t i, std::size_t j) const { return data[i * rs + j * cs]; }
};

// The register and cache blocking for T on the instruction set xsimd compiles for.
template <class T>
struct blocking {
  using batch = xsimd::batch<T>;
  static constexpr std::size_t W = batch::size;
  // AVX-512 has 32 vector registers, the others 16: MR x (NR / W) accumulators, NR / W loads of
  // B and one broadcast of A must fit.
  static constexpr bool wide_register_file = sizeof(batch) >= 64;
  static constexpr std::size_t MR = wide_register_file ? 8 : 6;
  static constexpr std::size_t NR = 2 * W;
  static constexpr std::size_t KC = 256;  // B sliver in L1 (BLIS uses 256 on AVX2 and AVX-512)
  static constexpr std::size_t MC = 196608 / (KC * sizeof(T)) / MR * MR;   // A block in L2
  static constexpr std::size_t NC = 2097152 / (KC * sizeof(T)) / NR * NR;  // B panel in L3
};

// xsimd::hadd (a tree of shuffles) for float; through memory for double, where GCC 12 warns
// about an undefined register inside xsimd's AVX-512 reduction.
template <class T, class A>
T horizontal_sum(const xsimd::batch<T, A>& v) {
  if constexpr (std::is_same_v<T, float>) {
    return xsimd::hadd(v);
  } else {
    alignas(64) T lanes[xsimd::batch<T, A>::size];
    v.store_aligned(lanes);
    T s(0);
    for (T lane : lanes) s += lane;
    return s;
  }
}

// Cache-line aligned storage through the standard aligned operator new (not xsimd's allocator,
// which calls posix_memalign), so the allocation test counts the kernels' working memory too.
template <class T>
struct line_aligned_allocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};
  line_aligned_allocator() = default;
  template <class U>
  line_aligned_allocator(const line_aligned_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), alignment)); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, alignment); }
  template <class U>
  bool operator==(const line_aligned_allocator<U>&) const noexcept {
    return true;
  }
};

template <class T>
using aligned_buffer = std::vector<T, line_aligned_allocator<T>>;

template <class T>
T* grow(aligned_buffer<T>& buffer, std::size_t n) {
  if (buffer.size() < n) buffer.resize(n);
  return buffer.data();
}

// Rows [i0, i0 + mc) and columns [p0, p0 + kc) of alpha op(A), as MR-row slivers laid out
// p-major; rows past mc are zero, so the micro-kernel never branches.
template <class T>
void pack_a(const strided<T>& a, std::size_t i0, std::size_t mc, std::size_t p0, std::size_t kc,
            T alpha, T* out) {
  constexpr std::size_t MR = blocking<T>::MR;
  for (std::size_t s = 0; s < mc; s += MR, out += MR * kc) {
    const std::size_t rows = std::min(MR, mc - s);
    if (a.cs == 1 && alpha == T(1)) {  // rows of A contiguous (x in x W^T): a transpose
      copy_transposed(rows, kc, a.data + (i0 + s) * a.rs + p0, a.rs, out, MR);
      for (std::size_t r = rows; r < MR; ++r)
        for (std::size_t p = 0; p < kc; ++p) out[p * MR + r] = T(0);
      continue;
    }
    if (a.rs == 1) {  // op(A) = A^T (W^T dz, a convolution's column gradient): rows are copies
      for (std::size_t p = 0; p < kc; ++p) {
        const T* src = a.data + (p0 + p) * a.cs + i0 + s;
        for (std::size_t r = 0; r < rows; ++r) out[p * MR + r] = alpha * src[r];
        for (std::size_t r = rows; r < MR; ++r) out[p * MR + r] = T(0);
      }
      continue;
    }
    for (std::size_t r = 0; r < MR; ++r) {
      if (r < rows) {
        const T* src = a.data + (i0 + s + r) * a.rs + p0 * a.cs;
        for (std::size_t p = 0; p < kc; ++p) out[p * MR + r] = alpha * src[p * a.cs];
      } else {
        for (std::size_t p = 0; p < kc; ++p) out[p * MR + r] = T(0);
      }
    }
  }
}

// Rows [p0, p0 + kc) and columns [j0, j0 + nc) of op(B), as NR-column slivers laid out p-major.
template <class T>
void pack_b(const strided<T>& b, std::size_t p0, std::size_t kc, std::size_t j0, std::size_t nc,
            T* out) {
  using B = blocking<T>;
  constexpr std::size_t NR = B::NR, W = B::W;
  for (std::size_t s = 0; s < nc; s += NR, out += NR * kc) {
    const std::size_t cols = std::min(NR, nc - s);
    if (b.cs == 1 && cols == NR) {  // rows of B are contiguous: copy whole vectors
      for (std::size_t p = 0; p < kc; ++p) {
        const T* src = b.data + (p0 + p) * b.rs + j0 + s;
        for (std::size_t v = 0; v < NR; v += W)
          xsimd::batch<T>::load_unaligned(src + v).store_aligned(out + p * NR + v);
      }
    } else if (b.rs == 1 && cols == NR) {  // B^T: the NR x kc block of B, transposed
      copy_transposed(NR, kc, b.data + p0 + (j0 + s) * b.cs, b.cs, out, NR);
    } else {
      for (std::size_t c = 0; c < NR; ++c) {
        if (c < cols) {
          const T* src = b.data + p0 * b.rs + (j0 + s + c) * b.cs;
          for (std::size_t p = 0; p < kc; ++p) out[p * NR + c] = src[p * b.rs];
        } else {
          for (std::size_t p = 0; p < kc; ++p) out[p * NR + c] = T(0);
        }
      }
    }
  }
}

// op(B) [k, n] packed whole, for a B that is used again and again (a weight kept between calls):
// its blocks of KC rows one after another, each the slivers of all n columns, n rounded up to NR.
template <class T>
struct packed_b_whole {
  const T* data = nullptr;
  std::size_t n_padded = 0;
  // The slivers of rows [p0, p0 + KC) from column j0 (a multiple of NR), as pack_b lays them out.
  const T* block(std::size_t p0, std::size_t kc, std::size_t j0) const {
    return data + p0 * n_padded + j0 * kc;
  }
};

// n rounded up to whole slivers.
template <class T>
std::size_t packed_b_columns(std::size_t n) {
  constexpr std::size_t NR = blocking<T>::NR;
  return (n + NR - 1) / NR * NR;
}

template <class T>
packed_b_whole<T> pack_b_whole(const strided<T>& b, std::size_t n, std::size_t k, T* out) {
  constexpr std::size_t KC = blocking<T>::KC;
  const std::size_t n_padded = packed_b_columns<T>(n);
  for (std::size_t p0 = 0; p0 < k; p0 += KC)
    pack_b(b, p0, std::min(KC, k - p0), 0, n, out + p0 * n_padded);
  return {out, n_padded};
}

// C[0:mr, 0:nr] += a_sliver * b_sliver over kc (= when !add_to_c), the MR x NR tile held in
// registers. The sliver of A is packed (entry (r, p) at a[p MR + r]) or, with RowsOfA, MR rows
// of A itself, lda apart (entry (r, p) at a[r lda + p]).
template <class T, bool RowsOfA = false>
void micro_kernel(std::size_t kc, const T* __restrict a, const T* __restrict b, T* c,
                  std::size_t ldc, std::size_t mr, std::size_t nr, bool add_to_c,
                  std::size_t lda = 0) {
  using B = blocking<T>;
  using batch = typename B::batch;
  constexpr std::size_t MR = B::MR, NR = B::NR, W = B::W, NV = NR / W;
  batch acc[MR][NV];
#pragma GCC unroll 16
  for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) acc[r][v] = batch(T(0));
  for (std::size_t p = 0; p < kc; ++p, a += RowsOfA ? 1 : MR, b += NR) {
    batch bv[NV];
#pragma GCC unroll 4
    for (std::size_t v = 0; v < NV; ++v) bv[v] = batch::load_aligned(b + v * W);
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r) {
      const batch av(RowsOfA ? a[r * lda] : a[r]);
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) acc[r][v] = xsimd::fma(av, bv[v], acc[r][v]);
    }
  }
  if (mr == MR && nr == NR) {
#pragma GCC unroll 16
    for (std::size_t r = 0; r < MR; ++r)
#pragma GCC unroll 4
      for (std::size_t v = 0; v < NV; ++v) {
        T* dst = c + r * ldc + v * W;
        (add_to_c ? batch::load_unaligned(dst) + acc[r][v] : acc[r][v]).store_unaligned(dst);
      }
  } else {  // an edge tile: through memory, then only the valid part
    alignas(64) T tile[MR * NR];
    for (std::size_t r = 0; r < MR; ++r)
      for (std::size_t v = 0; v < NV; ++v) acc[r][v].store_aligned(tile + r * NR + v * W);
    for (std::size_t r = 0; r < mr; ++r)
      for (std::size_t j = 0; j < nr; ++j)
        c[r * ldc + j] = add_to_c ? c[r * ldc + j] + tile[r * NR + j] : tile[r * NR + j];
  }
}

// Whether the micro-kernel reads a block of mc rows of A where they are instead of a packed
// copy: rows contiguous, no scaling, whole slivers of MR rows, and the block (mc rows, rs apart)
// small enough to stay in L2, or read only once (nc columns of C in one sliver). Packing was 6%
// of mlp_infer_b64 (64 x 784 inputs), where A is read from L2 either way. Not for rows a
// multiple of 4 KiB apart: MR of them share one set of L1.
template <class T>
bool a_as_it_is(const strided<T>& a, T alpha, std::size_t mc, std::size_t nc) {
  constexpr std::size_t MR = blocking<T>::MR, NR = blocking<T>::NR;
  return a.cs == 1 && alpha == T(1) && mc % MR == 0 && (a.rs * sizeof(T)) % 4096 != 0 &&
         (mc * a.rs * sizeof(T) <= (std::size_t(256) << 10) || nc <= NR);
}

// Whether C = A B^T (A [m, k], B [n, k], both row-major) is better computed as its transpose
// B A^T: with m <= NR, A^T fills a single sliver, so the blocked GEMM reads each row of B once,
// where it is (a_as_it_is), and packs only A's m rows instead of transposing B's n rows into
// slivers. x W^T in a training step, where W changes every step and cannot be kept packed:
// packing W^T was 5% of mlp_train_b32, 189 / 192 -> 183 / 185 us (min / median, alternating).
template <class T>
bool transpose_reads_b_in_place(const T* b, T alpha, std::size_t m, std::size_t n,
                                std::size_t k) {
  return m <= blocking<T>::NR && m < n && a_as_it_is(strided<T>{b, k, 1}, alpha, n, m);
}

// The rows [i0, i1) and columns [j0, j1) of C += alpha op(A) op(B) (= when !add_to_c), on the
// calling thread.
template <class T>
void gemm_blocked(const strided<T>& a, const strided<T>& b, std::size_t k, T alpha, T* c,
                  std::size_t ldc, std::size_t i0, std::size_t i1, std::size_t j0, std::size_t j1,
                  bool add_to_c, packed_b_whole<T> packed = {}) {
  using B = blocking<T>;
  constexpr std::size_t MR = B::MR, NR = B::NR, KC = B::KC, MC = B::MC, NC = B::NC;
  thread_local aligned_buffer<T> a_buffer, b_buffer;
  T* packed_a = grow(a_buffer, MC * KC);
  T* packed_b = grow(b_buffer, NC * KC);
  for (std::size_t jc = j0; jc < j1; jc += NC) {
    const std::size_t nc = std::min(NC, j1 - jc);
    for (std::size_t pc = 0; pc < k; pc += KC) {
      const std::size_t kc = std::min(KC, k - pc);
      const T* slivers_b = packed.data ? packed.block(pc, kc, jc) : packed_b;
      if (!packed.data) pack_b(b, pc, kc, jc, nc, packed_b);
      for (std::size_t ic = i0; ic < i1; ic += MC) {
        const std::size_t mc = std::min(MC, i1 - ic);
        if (a_as_it_is(a, alpha, mc, nc)) {
          for (std::size_t jr = 0; jr < nc; jr += NR)
            for (std::size_t ir = 0; ir < mc; ir += MR)
              micro_kernel<T, true>(kc, a.data + (ic + ir) * a.rs + pc, slivers_b + jr * kc,
                           c + (ic + ir) * ldc + jc + jr, ldc, MR, std::min(NR, nc - jr),
                           add_to_c || pc > 0, a.rs);
          continue;
        }
        pack_a(a, ic, mc, pc, kc, alpha, packed_a);
        for (std::size_t jr = 0; jr < nc; jr += NR)
          for (std::size_t ir = 0; ir < mc; ir += MR)
            micro_kernel(kc, packed_a + ir * kc, slivers_b + jr * kc, c + (ic + ir) * ldc + jc + jr,
                         ldc, std::min(MR, mc - ir), std::min(NR, nc - jr), add_to_c || pc > 0);
      }
    }
  }
}

// The blocked GEMM, with C split into bands (of columns when it is wide, else of rows), one per
// thread. Each thread packs its own panels: no barrier, and the repeated packing of the shared
// operand is O(1 / band width) of the work.
template <class T>
void gemm_parallel(const strided<T>& a, const strided<T>& b, std::size_t m, std::size_t n,
                   std::size_t k, T alpha, T* c, bool add_to_c, packed_b_whole<T> packed = {}) {
  using B = blocking<T>;
  std::size_t threads =
      std::min(get_num_threads(), std::max<std::size_t>(1, m * n * k / min_work_per_thread));
  const bool by_columns = n / B::NR >= m / B::MR;
  const std::size_t unit = by_columns ? B::NR : B::MR, extent = by_columns ? n : m;
  threads = std::min(threads, (extent + unit - 1) / unit);
  if (threads <= 1) return gemm_blocked(a, b, k, alpha, c, n, 0, m, 0, n, add_to_c, packed);
#if defined(_OPENMP)
#pragma omp parallel num_threads(static_cast<int>(threads))
  {
    const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
    const std::size_t units = (extent + unit - 1) / unit;
    const std::size_t begin = std::min(extent, units * t / threads * unit);
    const std::size_t end = std::min(extent, units * (t + 1) / threads * unit);
    if (begin < end) {
      if (by_columns)
        gemm_blocked(a, b, k, alpha, c, n, 0, m, begin, end, add_to_c, packed);
      else
        gemm_blocked(a, b, k, alpha, c, n, begin, end, 0, n, add_to_c, packed);
    }
  }
#endif
}

// The loaded register x, which the compiler must keep: without this, GCC 12 folds a load into
// every multiply-add that reads it, as a memory operand, and loads each register R times.
template <class Batch>
inline Batch in_register(Batch x) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  asm("" : "+v"(x.data));  // "v": any SSE/AVX register; the empty asm may have changed it
#endif
  return x;
}

// m <= 4 rows, op(B)(p, j) contiguous in j: C[i, j-block] += sum_p A(i, p) B[p, j-block], the
// m x (V W) block of C accumulated in registers while the rows of B stream past. A single row
// keeps two sets of accumulators (even and odd p): V chains of k dependent multiply-adds would
// wait on the FMA latency (a recurrent step, h W_hh^T, ran at 6 cycles a row of B). Each
// register of B feeds M multiply-adds, so it is loaded once (in_register): folded into each of
// them, 2 rows took 10 loads per 8 multiply-adds, on a core that loads one AVX-512 register a
// cycle (tiny_mlp_infer_b2's 20 -> 256: 0.48 -> 0.39 us, the minimum, pinned and alternating).
template <std::size_t M, std::size_t V, class T>
void few_rows_times_rows(const strided<T>& a, const T* b, std::size_t n, std::size_t k, T alpha,
                         T* c, std::size_t& j, bool add_to_c) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size, S = M == 1 ? 2 : 1;
  for (; j + V * W <= n; j += V * W) {
    batch acc[S][M][V];
#pragma GCC unroll 4
    for (std::size_t s = 0; s < S; ++s)
#pragma GCC unroll 8
      for (std::size_t i = 0; i < M; ++i)
#pragma GCC unroll 8
        for (std::size_t v = 0; v < V; ++v) acc[s][i][v] = batch(T(0));
    const auto add = [&](std::size_t s, std::size_t p) {
      batch bv[V];
#pragma GCC unroll 8
      for (std::size_t v = 0; v < V; ++v) {
        bv[v] = batch::load_unaligned(b + p * n + j + v * W);
        if constexpr (M > 1) bv[v] = in_register(bv[v]);
      }
#pragma GCC unroll 8
      for (std::size_t i = 0; i < M; ++i) {
        const batch av(a(i, p));
#pragma GCC unroll 8
        for (std::size_t v = 0; v < V; ++v) acc[s][i][v] = xsimd::fma(av, bv[v], acc[s][i][v]);
      }
    };
    std::size_t p = 0;
    for (; p + S <= k; p += S)
#pragma GCC unroll 2
      for (std::size_t s = 0; s < S; ++s) add(s, p + s);
    for (; p < k; ++p) add(0, p);
    // At short k (a convolution's column gradient: 16) a multiply by alpha = 1 per register of
    // C is one more operation for every 16 multiply-adds.
    const batch scale(alpha);
    const bool unit = alpha == T(1);
#pragma GCC unroll 8
    for (std::size_t i = 0; i < M; ++i)
#pragma GCC unroll 8
      for (std::size_t v = 0; v < V; ++v) {
        batch sum = acc[0][i][v];
#pragma GCC unroll 2
        for (std::size_t s = 1; s < S; ++s) sum += acc[s][i][v];
        T* dst = c + i * n + j + v * W;
        if (add_to_c) {
          const batch before = batch::load_unaligned(dst);
          sum = unit ? sum + before : xsimd::fma(scale, sum, before);
        } else if (!unit) {
          sum *= scale;
        }
        sum.store_unaligned(dst);
      }
  }
}

// The last n - j < W columns of B [k, n], zero-padded to one register per row: [k, W]. Prepared
// once per product, not once per group of rows: copied per group, through a call to memmove per
// row, it took 40% of LeNet's column-gradient product, 150 x 100 x 16, for its last 4 columns.
template <class T>
const T* padded_last_columns(const T* b, std::size_t n, std::size_t k, std::size_t j) {
  constexpr std::size_t W = xsimd::batch<T>::size;
  thread_local aligned_buffer<T> room;
  T* out = grow(room, k * W);
  const std::size_t cols = n - j;
  for (std::size_t p = 0; p < k; ++p)
    for (std::size_t q = 0; q < W; ++q) out[p * W + q] = q < cols ? b[p * n + j + q] : T(0);
  return out;
}

// The last n - j < W columns, from B's padded copy, one register wide. Element loops took a
// chain of k dependent multiply-adds per entry of C (6 us of LeNet's second convolution, 100
// columns, at batch 1).
template <std::size_t M, class T>
void few_rows_times_last_columns(const strided<T>& a, const T* b_tail, std::size_t n,
                                 std::size_t k, T alpha, T* c, std::size_t j, bool add_to_c) {
  constexpr std::size_t W = xsimd::batch<T>::size;
  const std::size_t cols = n - j;
  alignas(64) T c_part[M * W];
  std::size_t column = 0;
  few_rows_times_rows<M, 1>(a, b_tail, W, k, alpha, c_part, column, false);
  for (std::size_t i = 0; i < M; ++i)
    for (std::size_t q = 0; q < cols; ++q)
      c[i * n + j + q] = add_to_c ? c[i * n + j + q] + c_part[i * W + q] : c_part[i * W + q];
}

// M <= 8 rows; the accumulators, M x V registers, leave room for V loads of B and a broadcast.
// A single row on AVX-512 takes 8 registers of columns (16 accumulators in two sets): a batch-1
// layer of up to 128 outputs then reads W^T in one sequential pass, where 4 registers read every
// row of it twice, half each time. mlp_infer_b1's 784 -> 128 (gemm_paths, batch1_*): 3.57 us
// in one pass, 3.85 us as dot products with W's rows; 4.9 us in two passes (a one-off program).
// b_tail: padded_last_columns(b, n, k, n - n % W) where the caller has it, for several groups.
template <std::size_t M, class T>
void few_rows_times_matrix(const strided<T>& a, const T* b, std::size_t n, std::size_t k, T alpha,
                           T* c, bool add_to_c, const T* b_tail = nullptr) {
  constexpr bool wide = blocking<T>::wide_register_file;
  constexpr std::size_t V = M == 1 && wide ? 8
                            : M <= 4       ? (wide || M <= 2 ? 4 : 2)
                                           : (wide ? std::min<std::size_t>(4, 24 / M) : 1);
  std::size_t j = 0;
  few_rows_times_rows<M, V>(a, b, n, k, alpha, c, j, add_to_c);
  if constexpr (V > 4) few_rows_times_rows<M, 4>(a, b, n, k, alpha, c, j, add_to_c);
  if constexpr (V == 3) few_rows_times_rows<M, 2>(a, b, n, k, alpha, c, j, add_to_c);
  few_rows_times_rows<M, 1>(a, b, n, k, alpha, c, j, add_to_c);
  if (j == n) return;
  if (!b_tail) b_tail = padded_last_columns(b, n, k, j);
  few_rows_times_last_columns<M>(a, b_tail, n, k, alpha, c, j, add_to_c);
}

// m <= 4 rows of A contiguous in k, op(B) = B^T with rows of B contiguous in k (x W^T at batch
// 1 to 4, with W in PyTorch's [out, in] layout): C[i, j] += A[i, :] . B[j, :], J rows of B at a
// time against all m rows of A, so each loaded vector of B feeds m multiply-adds.
template <std::size_t M, class T>
void few_rows_dot_rows(const T* a, std::size_t lda, const T* b, std::size_t n, std::size_t k,
                       T alpha, T* c) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size;
  constexpr std::size_t J = blocking<T>::wide_register_file || M <= 2 ? 4 : 2;
  const std::size_t whole = k - k % W;
  const auto block = [&]<std::size_t JB>(std::size_t j, std::integral_constant<std::size_t, JB>) {
    batch acc[M][JB];
#pragma GCC unroll 4
    for (std::size_t i = 0; i < M; ++i)
#pragma GCC unroll 4
      for (std::size_t q = 0; q < JB; ++q) acc[i][q] = batch(T(0));
    for (std::size_t p = 0; p < whole; p += W) {
      batch bv[JB];
#pragma GCC unroll 4
      for (std::size_t q = 0; q < JB; ++q) bv[q] = batch::load_unaligned(b + (j + q) * k + p);
#pragma GCC unroll 4
      for (std::size_t i = 0; i < M; ++i) {
        const batch av = batch::load_unaligned(a + i * lda + p);
#pragma GCC unroll 4
        for (std::size_t q = 0; q < JB; ++q) acc[i][q] = xsimd::fma(av, bv[q], acc[i][q]);
      }
    }
    for (std::size_t i = 0; i < M; ++i)
      for (std::size_t q = 0; q < JB; ++q) {
        T s = horizontal_sum(acc[i][q]);
        for (std::size_t p = whole; p < k; ++p) s += a[i * lda + p] * b[(j + q) * k + p];
        c[i * n + j + q] += alpha * s;
      }
  };
  std::size_t j = 0;
  for (; j + J <= n; j += J) block(j, std::integral_constant<std::size_t, J>{});
  for (; j < n; ++j) block(j, std::integral_constant<std::size_t, 1>{});
}

// GCC 12 takes the undefined register inside xsimd's AVX-512 haddp (_mm512_undefined_ps) for an
// uninitialised variable; the lanes it stands for are never read (see also xsimd.hpp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

// xsimd::haddp(rows) should put the sum of rows[L] in lane L. xsimd 8's AVX-512 float version
// puts rows 4-5 in lanes 2-3 and rows 2-3 in lanes 4-5, and likewise 12-13 and 10-11. Which one
// this build has is probed once; a kernel built for the swap feeds haddp its rows swapped back.
enum class haddp_order { in_order, pairs_swapped, unknown };

template <std::size_t W>
constexpr std::size_t swapped_pair_row(std::size_t lane) {
  if (W != 16) return lane;
  constexpr std::size_t rows[16] = {0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15};
  return rows[lane];
}

template <class T>
haddp_order probe_haddp() {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size;
  batch rows[W];
  for (std::size_t q = 0; q < W; ++q) rows[q] = batch(T(q));
  alignas(64) T lanes[W];
  xsimd::haddp(rows).store_aligned(lanes);
  bool in_order = true, swapped = true;
  for (std::size_t l = 0; l < W; ++l) {
    in_order = in_order && lanes[l] == T(W * l);
    swapped = swapped && lanes[l] == T(W * swapped_pair_row<W>(l));
  }
  return in_order  ? haddp_order::in_order
         : swapped ? haddp_order::pairs_swapped
                   : haddp_order::unknown;
}

template <class T>
haddp_order haddp_order_of_this_build() {
  static const haddp_order order = probe_haddp<T>();
  return order;
}

// m rows of A and n rows of B, all contiguous in k, k >= W: C[i, j] += A[i, :] . B[j, :], W dot
// products in W registers summed across in one transpose-and-add (xsimd::haddp), so there is no
// horizontal sum per element. A register of dots is a tile of R rows of A by W / R rows of B:
// each loaded register of A feeds W / R multiply-adds and each one of B feeds R, and B passes
// through the cache once per R rows of A. One row of A at a time (the tile of a single row) read
// every register of B for one multiply-add and streamed all of B from L2 again for every row: a
// LeNet weight gradient, 6 x 25 x 784, ran at 40% of the FMA peak. The last k % W elements are
// read as the register that ends at k, with its first lanes of A zeroed, not one at a time; the
// last n % (W / R) columns as a tile of fewer rows of B. tiny_mlp_infer_b2 (k = 20) spent 88% of
// its 4.4 us in few_rows_dot_rows, mostly in horizontal sums and the scalar tail. flatten: GCC
// left haddp and the lambda as calls, with the accumulators passed through memory (38% of the time
// in haddp).
template <class T, haddp_order Order>
[[gnu::flatten]] void dot_rows_by_register(const T* a, std::size_t lda, std::size_t m, const T* b,
                                           std::size_t n, std::size_t k, T alpha, T* c) {
  using batch = xsimd::batch<T>;
  constexpr std::size_t W = batch::size;
  const std::size_t whole = k - k % W;
  alignas(64) T lanes[W];
  for (std::size_t l = 0; l < W; ++l) lanes[l] = T(l);
  const auto tail_lanes = batch::load_aligned(lanes) >= batch(T(W - k % W));
  const batch scale(alpha);
  // Rows i.. i + R of C, columns j.. j + cols (cols <= W / R): lane r * (W / R) + q of the
  // result is C[i + r, j + q].
  // Full says cols == W / R at compile time: no test per row of B in the loop over k.
  const auto tile = [&]<std::size_t R, bool Full>(std::integral_constant<std::size_t, R>,
                                                  std::bool_constant<Full>, std::size_t i,
                                                  std::size_t j, std::size_t partial_cols) {
    constexpr std::size_t NB = W / R;
    const std::size_t cols = Full ? NB : partial_cols;
    batch acc[W];
#pragma GCC unroll 16
    for (std::size_t q = 0; q < W; ++q) acc[q] = batch(T(0));
    const auto add = [&](std::size_t p, bool tail) {
      batch bv[NB];
      // A single row of A uses each register of B once: there the load is best folded into its
      // multiply-add, and 16 registers of B held would not leave room for the accumulators.
#pragma GCC unroll 16
      for (std::size_t q = 0; q < NB; ++q)
        if (q < cols) {
          bv[q] = batch::load_unaligned(b + (j + q) * k + p);
          if constexpr (R > 1) bv[q] = in_register(bv[q]);
        }
#pragma GCC unroll 4
      for (std::size_t r = 0; r < R; ++r) {
        batch av = in_register(batch::load_unaligned(a + (i + r) * lda + p));
        if (tail) av = xsimd::select(tail_lanes, av, batch(T(0)));
#pragma GCC unroll 16
        for (std::size_t q = 0; q < NB; ++q)
          if (q < cols) acc[r * NB + q] = xsimd::fma(av, bv[q], acc[r * NB + q]);
      }
    };
    for (std::size_t p = 0; p < whole; p += W) add(p, false);
    if (whole < k) add(k - W, true);
    batch sums;
    if constexpr (Order == haddp_order::pairs_swapped) {
      batch fed[W];
#pragma GCC unroll 16
      for (std::size_t q = 0; q < W; ++q) fed[q] = acc[swapped_pair_row<W>(q)];
      sums = scale * xsimd::haddp(fed);
    } else {
      sums = scale * xsimd::haddp(acc);
    }
    if (R == 1 && Full) {
      T* dst = c + i * n + j;
      (sums + batch::load_unaligned(dst)).store_unaligned(dst);
      return;
    }
    sums.store_aligned(lanes);
    for (std::size_t r = 0; r < R; ++r)
      for (std::size_t q = 0; q < cols; ++q) c[(i + r) * n + j + q] += lanes[r * NB + q];
  };
  const auto rows_of = [&]<std::size_t R>(std::integral_constant<std::size_t, R> rows,
                                          std::size_t i) {
    constexpr std::size_t NB = W / R;
    std::size_t j = 0;
    for (; j + NB <= n; j += NB) tile(rows, std::true_type{}, i, j, NB);
    if (j < n) tile(rows, std::false_type{}, i, j, n - j);
  };
  // Four rows of A per tile (two on AVX2's eight lanes), then what is left.
  constexpr std::size_t R = W >= 16 ? 4 : 2;
  std::size_t i = 0;
  for (; i + R <= m; i += R) rows_of(std::integral_constant<std::size_t, R>{}, i);
  if constexpr (R > 2)
    for (; i + 2 <= m; i += 2) rows_of(std::integral_constant<std::size_t, 2>{}, i);
  for (; i < m; ++i) rows_of(std::integral_constant<std::size_t, 1>{}, i);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// kernel(integral_constant<M>) for the run-time row count m, 1 <= m <= Max.
template <std::size_t Max, class Kernel>
void dispatch_rows(std::size_t m, Kernel&& kernel) {
  [&]<std::size_t... R>(std::index_sequence<R...>) {
    (void)((m == R + 1 && (kernel(std::integral_constant<std::size_t, R + 1>{}), true)) || ...);
  }(std::make_index_sequence<Max>{});
}

// A B^T with both operands contiguous in k (a convolution's weight gradient per sample, x W^T at
// small batches): dot products read both operands as they are (dot_rows_by_register); packing
// costs a pass over both and, when n is not a multiple of NR, edge tiles through memory.
// benchmarks/gemm_paths (AVX-512, 1 thread, medians of 3; m 8..64, n 10/25/64/150, k 64..784,
// with tiles of four rows of A): dots took 0.08 to 1.0x the packed time for m n <= 1600
// (1.05x at 16 x 64 x 64); from k = 100 on, 0.47 to 0.90x unless n is a multiple of NR and
// m n >= 4096 (1.2 to 1.5x); at k = 64 and m n >= 2048, 1.06 to 1.7x.
template <class T>
bool dots_beat_packing(std::size_t m, std::size_t n, std::size_t k) {
  return m * n <= 1600 || (k >= 96 && (n % blocking<T>::NR != 0 || m * n < 4096));
}

// op(B) of whole registers of columns, at most 16 KiB: it stays in L1 while every row of A passes,
// so the few-rows kernel beats packing both operands for the blocked GEMM. Measured here
// (AVX-512, perf shares of rnn_infer), its input projection, 50 x 64 x 32: 3.4 us packed,
// 2.4 us in row groups.
template <class T>
bool few_columns_fit_l1(std::size_t n, std::size_t k) {
  return n % xsimd::batch<T>::size == 0 && n * k * sizeof(T) <= 16384;
}

// C = A B with A's rows contiguous: groups of eight rows of A against B streamed (few rows times
// matrix) beat the blocked GEMM, which packs B, at up to 16 rows, and at any m while B stays in
// L2. Measured here (AVX-512, 1 thread, best of 7, 30 shapes): at m 20 to 3200 and B of 16 to
// 512 KiB, row groups ran at 97 to 118 GFLOP/s, the blocked GEMM at 25 to 114; two shapes (m 1600
// and 3200, n 32 and 64) were 2% slower, the rest faster. With a 4 MiB B at m 64 and 128: 88
// against 94 GFLOP/s. mlp_infer_b64's 64 x 128 x 784 (x W^T, W^T kept): 113 against 123 us.
template <class T>
bool rows_against_b_in_l2(std::size_t m, std::size_t n, std::size_t k) {
  return m <= 16 || n * k * sizeof(T) <= (std::size_t(512) << 10);
}

// The plain loops, for element types without SIMD (Dual numbers).
template <class T>
void gemm_loops(const strided<T>& a, const strided<T>& b, std::size_t m, std::size_t n,
                std::size_t k, T alpha, T* c) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t p = 0; p < k; ++p) {
      const T aip = alpha * a(i, p);
      for (std::size_t j = 0; j < n; ++j) c[i * n + j] += aip * b(p, j);
    }
}

}  // namespace detail

template <class T>
void gemm(transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
          const T* a, const T* b, T beta, T* c) {
  // beta == 0 overwrites C (so NaN in uninitialised memory cannot leak through 0 * NaN). The
  // kernels that write every entry of C do that themselves (add_to_c false); the others get a
  // zeroed C. Filling C with zeros for every kernel was one more pass over it (5% of a LeNet
  // training step).
  const bool add_to_c = !(beta == T(0));
  if (add_to_c && !(beta == T(1)))
    for (std::size_t i = 0; i < m * n; ++i) c[i] = beta * c[i];
  const auto zero_c = [&] {
    if (!add_to_c) std::fill(c, c + m * n, T(0));
  };
  if (m == 0 || n == 0 || k == 0) return zero_c();
  const bool at = ta == transpose::yes, bt = tb == transpose::yes;
  // op(A) is m x k and op(B) is k x n, whatever the storage.
  const detail::strided<T> op_a{a, at ? 1 : k, at ? m : 1};
  const detail::strided<T> op_b{b, bt ? 1 : n, bt ? k : 1};
  if constexpr (!simd_element_v<T>) {
    zero_c();
    detail::gemm_loops(op_a, op_b, m, n, k, alpha, c);
  } else {
    constexpr std::size_t few_rows = 4, row_group = 8, short_k = 32;
    if (m <= few_rows && !bt) {
      detail::dispatch_rows<few_rows>(m, [&](auto rows) {
        detail::few_rows_times_matrix<decltype(rows)::value>(op_a, b, n, k, alpha, c, add_to_c);
      });
    } else if ((m <= few_rows && (!at || m == 1)) ||
               (!at && bt && detail::dots_beat_packing<T>(m, n, k))) {
      // rows of A and of B contiguous in k: dot products, a register of them at a time
      zero_c();
      const detail::haddp_order order = detail::haddp_order_of_this_build<T>();
      // Bands of rows over threads where there is enough work (a Linear's x W^T at a training
      // batch: 32 x 120 x 400 in LeNet). A band is 4 rows, the kernel's row tile (two of them
      // on AVX2), so every thread count computes C in the same tiles and gives the same C (each
      // entry is one dot product summed in the same order in any tile: bands of 3 gave the same).
      const auto by_bands = [&]<detail::haddp_order Order>() {
        constexpr std::size_t band = 4;
        if (!detail::worth_splitting(m * n * k, detail::min_work_per_thread))
          return detail::dot_rows_by_register<T, Order>(a, k, m, b, n, k, alpha, c);
        detail::for_each_split((m + band - 1) / band, band * n * k, [&](std::size_t g) {
          const std::size_t i = g * band;
          detail::dot_rows_by_register<T, Order>(a + i * k, k, std::min(band, m - i), b, n, k,
                                                 alpha, c + i * n);
        });
      };
      if (k >= xsimd::batch<T>::size && order == detail::haddp_order::in_order) {
        by_bands.template operator()<detail::haddp_order::in_order>();
      } else if (k >= xsimd::batch<T>::size && order == detail::haddp_order::pairs_swapped) {
        by_bands.template operator()<detail::haddp_order::pairs_swapped>();
      } else {
        for (std::size_t i = 0; i < m; i += few_rows)
          detail::dispatch_rows<few_rows>(std::min(few_rows, m - i), [&](auto rows) {
            detail::few_rows_dot_rows<decltype(rows)::value>(a + i * k, k, b, n, k, alpha,
                                                             c + i * n);
          });
      }
    } else if (!bt && n >= xsimd::batch<T>::size &&
               ((!at && detail::rows_against_b_in_l2<T>(m, n, k)) || k <= short_k)) {
      // x W (a convolution's forward, C = W col; a Linear's dx = dz W; x W^T with W^T kept):
      // groups of eight rows against B streamed from L2, where packing B for the blocked GEMM is
      // one more pass over it (15% of LeNet's inference). Also any m at short k (a convolution's
      // column gradient W^T dz, k = its output channels): each tile of C takes only k
      // multiply-adds, so packing both operands costs about as much as multiplying. The groups
      // are split over threads as the blocked GEMM splits its rows.
      constexpr std::size_t W = xsimd::batch<T>::size;
      const T* b_tail = n % W ? detail::padded_last_columns(b, n, k, n - n % W) : nullptr;
      const std::size_t groups = (m + row_group - 1) / row_group;
      detail::for_each_split(groups, row_group * n * k, [&](std::size_t group) {
        const std::size_t i = group * row_group;
        detail::dispatch_rows<row_group>(std::min(row_group, m - i), [&](auto rows) {
          const detail::strided<T> rows_of_a{op_a.data + i * op_a.rs, op_a.rs, op_a.cs};
          detail::few_rows_times_matrix<decltype(rows)::value>(rows_of_a, b, n, k, alpha,
                                                               c + i * n, add_to_c, b_tail);
        });
      });
    } else if (!at && detail::few_columns_fit_l1<T>(n, k)) {
      // B small enough to stay in L1 (a recurrent layer's input projection): rows of A in
      // groups of four against B's rows, no packing (B^T is transposed once, in registers).
      const T* rows_of_b = b;
      if (bt) {
        thread_local detail::aligned_buffer<T> b_transposed;
        T* out = detail::grow(b_transposed, k * n);
        copy_transposed(n, k, b, k, out, n);
        rows_of_b = out;
      }
      for (std::size_t i = 0; i < m; i += few_rows)
        detail::dispatch_rows<few_rows>(std::min(few_rows, m - i), [&](auto rows) {
          detail::few_rows_times_matrix<decltype(rows)::value>(
              detail::strided<T>{a + i * k, k, 1}, rows_of_b, n, k, alpha, c + i * n, add_to_c);
        });
    } else if (!at && bt && !add_to_c && detail::transpose_reads_b_in_place(b, alpha, m, n, k)) {
      // x W^T at a training batch: computed as (W x^T)^T, into C^T, then transposed
      thread_local detail::aligned_buffer<T> c_transposed;
      T* out = detail::grow(c_transposed, n * m);
      detail::gemm_parallel(detail::strided<T>{b, k, 1}, detail::strided<T>{a, 1, k}, n, m, k,
                            alpha, out, false);
      copy_transposed(n, m, out, m, c, n);
    } else {
      detail::gemm_parallel(op_a, op_b, m, n, k, alpha, c, add_to_c);
    }
  }
}

#if defined(CTNN_SEPARATE_COMPILATION)
// Compiled once for the program, in ctnn::compiled (kernels.ipp), like the run-once code
// (config.hpp): every kernel of the GEMM, for any network.
extern template void gemm<float>(transpose, transpose, std::size_t, std::size_t, std::size_t,
                                 float, const float*, const float*, float, float*);
extern template void gemm<double>(transpose, transpose, std::size_t, std::size_t, std::size_t,
                                  double, const double*, const double*, double, double*);

// ctnn::compiled must be built for the instruction set of the files that use it: its kernels
// take their register width and blocking from it. Built without the program's -march, they ran
// SSE2 in the AVX-512 examples: an epoch of mnist_mlp took 1.3 s instead of 0.46, of char_rnn
// 31 s instead of 16. Each file that uses it refers to the marker of its own instruction set, and
// the library defines only its own, so a mismatch is a link error naming the instruction set this
// file wanted, e.g.
//   undefined reference to `ctnn::cpu::compiled_kernels_for<xsimd::avx512bw>::present'
// Build ctnn_compiled with the same -march as the files that include ctnn (CMAKE_CXX_FLAGS).
template <class Arch>
struct compiled_kernels_for {
  static const bool present;
};
namespace detail {
[[gnu::used]] static const bool* const kernels_instruction_set_check =
    &compiled_kernels_for<xsimd::default_arch>::present;
}  // namespace detail
#endif

}  // namespace ctnn::cpu
