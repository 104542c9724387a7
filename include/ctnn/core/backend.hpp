// The backend contract. A backend is `template <> struct backend<Tag>` in backend/<name>/, and it
// is the only code that touches memory or a backend library. Layers are written against these
// primitives alone, so a layer never knows where it runs. All pointers point into the backend's
// own memory (device memory for CUDA); host pointers are named `host`. Matrices are row-major.
//
//   template <class T> using vector                        owning storage
//   allocate<T>(n) -> vector<T>                            n elements, zero-filled
//   data(vector<T>&) -> T*                                 raw pointer into the storage
//   copy_from_host(const T* host, n, T* dst), copy_to_host(const T* src, n, T* host),
//   copy(const T* src, n, T* dst), fill(T* dst, n, T value)
//   map(n, F f, T* out, const T*... in)                    out[i] = f(in[i]...); ops that
//                                                          declare op::vectorizable may run on
//                                                          SIMD batches
//   map_rows(rows, cols, F f, T* out, const T* row, const T*... in)
//                                                          out[r,c] = f(in[r,c]..., row[c])
//   map_channels(batch, channels, plane, F f, T* out, const T* per_channel, const T*... in)
//                                                          out[b,c,p] = f(in[b,c,p]..., per_channel[c])
//   sum_rows(rows, cols, const T* in, T* out)              out[c] += sum_r in[r,c]
//   transpose_into(rows, cols, const T* in, T* out)        out[c,r] = in[r,c]
//   sum(n, F f, const T*... in) -> T                       sum_i f(in[i]...)
//   gemm(transpose a, transpose b, m, n, k, T alpha, const T* A, const T* B, T beta, T* C)
//                                                          C[m,n] = alpha op(A) op(B) + beta C
//   for_each(n, F f)                                       f(i) for every i < n, in any order:
//                                                          index-space kernels (im2col, pooling,
//                                                          rows of a softmax) written once as
//                                                          CTNN_HOST_DEVICE functors; lane
//                                                          kernels (lanes.hpp) may run a SIMD
//                                                          register of indices at once; a
//                                                          kernel may say how many elements an
//                                                          index touches (elements_per_index()),
//                                                          by which the CPU backend decides to
//                                                          split it over threads
// Optional (a layer checks with `requires`, else uses gemm):
//   gemm_weight(m, n, k, const T* A, const T* W, uint64_t version, T* C)
//                                                          C[m,n] = A W^T, W [n,k] a weight whose
//                                                          contents `version` names
//                                                          (parameter_version.hpp): what the
//                                                          backend derives from W may be kept
//   transposed_weight(n, k, const T* W, uint64_t version) -> const T*
//                                                          W^T [k,n] of a weight W [n,k] whose
//                                                          contents `version` (not 0) names,
//                                                          kept while W is unchanged
//   recurrence(steps, m, n, F f, const T* x, x_stride, const T* A, const T* b, const T* W,
//              const T* h0, T* h, h_stride)         h[t+1] = f(x[t] A + b, h[t] W) for t < steps,
//                                                          one sequence; A [m, n], b [n], W [n, n];
//                                                          rows of x and h x_stride and h_stride
//                                                          apart, h[0] is h0: an RNN's steps in
//                                                          one call
//   row_times_matrix(n, k, const T* x, const T* W, T* y, sum_order order)
//                                                          y[n] = x[k] W [k, n], summed over k
//                                                          in that order: a recurrent step at
//                                                          batch 1, which alternates it so that
//                                                          a W larger than the cache nearest the
//                                                          core is partly read from there
//   template <window_geometry G> col2im(const T* col, row_stride, T* dxp)
//                                                          one sample's column matrix, rows
//                                                          row_stride apart, added into its
//                                                          padded input planes
//                                                          (conv.hpp's Col2im, which layers
//                                                          use where this is absent)
//   template <window_geometry G, size_t Out> conv_forward(const T* W, uint64_t version,
//              const T* xp, T* out, samples)      out = W xp, a convolution's forward from the
//                                                          padded inputs, without im2col
//   template <window_geometry G, size_t Out> conv_weight_grad(const T* dz, const T* xp,
//              T* grad_w, samples)                grad_w += its weight gradient, likewise
// Every primitive accepts any element type T with + and *, including Dual<T, N>; a backend may
// use faster kernels for float and double.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>

#include "ctnn/core/concepts.hpp"
#include "ctnn/core/policy.hpp"
#include "ctnn/core/static_checks.hpp"

namespace ctnn {

enum class transpose : bool { no = false, yes = true };

// The order of a sum over an index: first to last, or last to first.
enum class sum_order : bool { ascending, descending };

// Whether backend B has the optional gemm_weight for T.
template <class B, class T>
concept has_gemm_weight = requires(std::size_t n, const T* in, std::uint64_t version, T* out) {
  B::gemm_weight(n, n, n, in, in, version, out);
};

// Whether backend B has the optional transposed_weight for T.
template <class B, class T>
concept has_transposed_weight = requires(std::size_t n, const T* w, std::uint64_t version) {
  { B::transposed_weight(n, n, w, version) } -> std::same_as<const T*>;
};

// Whether backend B has the optional recurrence for F and T.
template <class B, class F, class T>
concept has_recurrence = requires(std::size_t n, F f, const T* in, T* out) {
  B::recurrence(n, n, n, f, in, n, in, in, in, in, out, n);
};

// Whether backend B has the optional row_times_matrix for T.
template <class B, class T>
concept has_row_times_matrix = requires(std::size_t n, const T* in, T* out) {
  B::row_times_matrix(n, n, in, in, out, sum_order::ascending);
};

// Evaluates to backend<P>, with the catalogue's message when no backend header was included.
template <class P>
using backend_for =
    std::conditional_t<check::backend_available<P, Policy<P>>::ok, backend<P>, backend<P>>;

}  // namespace ctnn
