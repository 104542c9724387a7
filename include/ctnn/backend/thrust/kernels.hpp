// Functors run by thrust::for_each over an index range. They hold raw pointers into the system's
// memory and are CTNN_HOST_DEVICE, so the same functor runs on the CPP, OMP and CUDA systems.
#pragma once

#include <cstddef>
#include <utility>

#include "ctnn/config.hpp"

namespace ctnn::thrust_kernels {

// out[i] = f(in0[i], in1[i], ...)
template <class F, class T, std::size_t N>
struct Map {
  F f;
  T* out;
  const T* in[N];
  template <std::size_t... I>
  CTNN_HOST_DEVICE void apply(std::size_t i, std::index_sequence<I...>) const {
    out[i] = f(in[I][i]...);
  }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { apply(i, std::make_index_sequence<N>{}); }
};

// out[r, c] = f(in0[r, c], ..., row[c])
template <class F, class T, std::size_t N>
struct MapRows {
  F f;
  std::size_t cols;
  T* out;
  const T* row;
  const T* in[N];
  template <std::size_t... I>
  CTNN_HOST_DEVICE void apply(std::size_t i, std::index_sequence<I...>) const {
    out[i] = f(in[I][i]..., row[i % cols]);
  }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { apply(i, std::make_index_sequence<N>{}); }
};

// out[b, c, p] = f(in[b, c, p]..., per_channel[c]), one index per element.
template <class F, class T, std::size_t N>
struct MapChannels {
  F f;
  std::size_t channels, plane;
  T* out;
  const T* per_channel;
  const T* in[N];
  template <std::size_t... I>
  CTNN_HOST_DEVICE void apply(std::size_t i, std::index_sequence<I...>) const {
    out[i] = f(in[I][i]..., per_channel[(i / plane) % channels]);
  }
  CTNN_HOST_DEVICE void operator()(std::size_t i) const { apply(i, std::make_index_sequence<N>{}); }
};

// f(in0[i], in1[i], ...) as a value, for transform_reduce.
template <class F, class T, std::size_t N>
struct Evaluate {
  F f;
  const T* in[N];
  template <std::size_t... I>
  CTNN_HOST_DEVICE T apply(std::size_t i, std::index_sequence<I...>) const {
    return f(in[I][i]...);
  }
  CTNN_HOST_DEVICE T operator()(std::size_t i) const {
    return apply(i, std::make_index_sequence<N>{});
  }
};

// out[c] += sum_r in[r, c], one index per column.
template <class T>
struct SumRows {
  std::size_t rows, cols;
  const T* in;
  T* out;
  CTNN_HOST_DEVICE void operator()(std::size_t c) const {
    T s(0);
    for (std::size_t r = 0; r < rows; ++r) s += in[r * cols + c];
    out[c] += s;
  }
};

// out[c, r] = in[r, c], one index per element of in.
template <class T>
struct Transpose {
  std::size_t rows, cols;
  const T* in;
  T* out;
  CTNN_HOST_DEVICE void operator()(std::size_t i) const {
    out[(i % cols) * rows + i / cols] = in[i];
  }
};

// C[i, j] = alpha op(A)[i, :] . op(B)[:, j] + beta C[i, j], one index per element of C.
template <class T>
struct Gemm {
  bool at, bt;
  std::size_t m, n, k;
  T alpha, beta;
  const T* a;
  const T* b;
  T* c;
  CTNN_HOST_DEVICE void operator()(std::size_t idx) const {
    const std::size_t i = idx / n, j = idx % n;
    T s(0);
    for (std::size_t p = 0; p < k; ++p) {
      const T av = at ? a[p * m + i] : a[i * k + p];
      const T bv = bt ? b[j * k + p] : b[p * n + j];
      s += av * bv;
    }
    c[idx] = beta == T(0) ? alpha * s : alpha * s + beta * c[idx];
  }
};

template <class T>
struct Plus {
  CTNN_HOST_DEVICE T operator()(const T& a, const T& b) const { return a + b; }
};

}  // namespace ctnn::thrust_kernels
