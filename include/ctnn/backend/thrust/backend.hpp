// The Thrust backend: thrust vectors and algorithms on one of Thrust's systems, chosen by the
// policy type (policy::thrust_cpp, thrust_omp, thrust_cuda), so one program can hold networks on
// several systems. The OMP system needs OpenMP (-fopenmp, as the ctnn::thrust target adds); the
// CUDA system needs nvcc. Every primitive is one Thrust algorithm over an index range with a
// functor from kernels.hpp.
// Matrix products use the portable functor on every system; cuBLAS on CUDA is future work.
#pragma once

#include <cstddef>

#include <thrust/copy.h>
#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/transform_reduce.h>

#include <thrust/system/cpp/execution_policy.h>
#include <thrust/system/cpp/vector.h>
#if defined(_OPENMP)
#include <thrust/system/omp/execution_policy.h>
#include <thrust/system/omp/vector.h>
#endif
#if defined(__CUDACC__)
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system/cuda/vector.h>
#endif

#include "ctnn/backend/thrust/kernels.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/policy.hpp"

namespace ctnn {

namespace thrust_systems {
struct cpp {
  template <class T>
  using vector = thrust::cpp::vector<T>;
  static auto exec() { return thrust::cpp::par; }
  static constexpr bool host_memory = true;
};
#if defined(_OPENMP)
struct omp {
  template <class T>
  using vector = thrust::omp::vector<T>;
  static auto exec() { return thrust::omp::par; }
  static constexpr bool host_memory = true;
};
#endif
#if defined(__CUDACC__)
struct cuda {
  template <class T>
  using vector = thrust::cuda::vector<T>;
  static auto exec() { return thrust::cuda::par; }
  static constexpr bool host_memory = false;
};
#endif
}  // namespace thrust_systems

template <class System>
struct thrust_backend {
  template <class T>
  using vector = typename System::template vector<T>;

  template <class T>
  static vector<T> allocate(std::size_t n) {
    return vector<T>(n, T(0));
  }
  template <class T>
  static T* data(vector<T>& v) {
    return thrust::raw_pointer_cast(v.data());
  }
  template <class T>
  static const T* data(const vector<T>& v) {
    return thrust::raw_pointer_cast(v.data());
  }

  template <class T>
  static void copy_from_host(const T* host, std::size_t n, T* dst) {
    if constexpr (System::host_memory) {
      thrust::copy(thrust::cpp::par, host, host + n, dst);
    } else {
      thrust::copy(host, host + n, device(dst));
    }
  }
  template <class T>
  static void copy_to_host(const T* src, std::size_t n, T* host) {
    if constexpr (System::host_memory) {
      thrust::copy(thrust::cpp::par, src, src + n, host);
    } else {
      thrust::copy(device(src), device(src) + n, host);
    }
  }
  template <class T>
  static void copy(const T* src, std::size_t n, T* dst) {
    if (src != dst) thrust::copy(System::exec(), src, src + n, dst);
  }
  template <class T>
  static void fill(T* dst, std::size_t n, T value) {
    thrust::fill_n(System::exec(), dst, n, value);
  }

  template <class F, class T, class... In>
  static void map(std::size_t n, F f, T* out, const In*... in) {
    thrust_kernels::Map<F, T, sizeof...(In)> kernel{f, out, {in...}};
    thrust::for_each_n(System::exec(), index(0), n, kernel);
  }

  template <class F, class T, class... In>
  static void map_rows(std::size_t rows, std::size_t cols, F f, T* out, const T* row,
                       const In*... in) {
    thrust_kernels::MapRows<F, T, sizeof...(In)> kernel{f, cols, out, row, {in...}};
    thrust::for_each_n(System::exec(), index(0), rows * cols, kernel);
  }

  template <class F, class T, class... In>
  static void map_channels(std::size_t batch, std::size_t channels, std::size_t plane, F f, T* out,
                           const T* per_channel, const In*... in) {
    thrust_kernels::MapChannels<F, T, sizeof...(In)> kernel{f, channels, plane, out, per_channel,
                                                           {in...}};
    thrust::for_each_n(System::exec(), index(0), batch * channels * plane, kernel);
  }

  template <class T>
  static void sum_rows(std::size_t rows, std::size_t cols, const T* in, T* out) {
    thrust::for_each_n(System::exec(), index(0), cols,
                       thrust_kernels::SumRows<T>{rows, cols, in, out});
  }

  template <class T>
  static void transpose_into(std::size_t rows, std::size_t cols, const T* in, T* out) {
    thrust::for_each_n(System::exec(), index(0), rows * cols,
                       thrust_kernels::Transpose<T>{rows, cols, in, out});
  }

  template <class F, class T, class... In>
  static T sum(std::size_t n, F f, const T* first, const In*... in) {
    thrust_kernels::Evaluate<F, T, 1 + sizeof...(In)> kernel{f, {first, in...}};
    return thrust::transform_reduce(System::exec(), index(0), index(n), kernel, T(0),
                                    thrust_kernels::Plus<T>{});
  }

  template <class F>
  static void for_each(std::size_t n, F f) {
    thrust::for_each_n(System::exec(), index(0), n, f);
  }

  template <class T>
  static void gemm(transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
                   const T* a, const T* b, T beta, T* c) {
    thrust_kernels::Gemm<T> kernel{
        ta == transpose::yes, tb == transpose::yes, m, n, k, alpha, beta, a, b, c};
    thrust::for_each_n(System::exec(), index(0), m * n, kernel);
  }

 private:
  static thrust::counting_iterator<std::size_t> index(std::size_t i) {
    return thrust::counting_iterator<std::size_t>(i);
  }
#if defined(__CUDACC__)
  template <class T>
  static thrust::cuda::pointer<T> device(T* p) {
    return thrust::cuda::pointer<T>(p);
  }
#else
  template <class T>
  static T* device(T* p) {
    return p;
  }
#endif
};

template <>
struct backend<policy::thrust_cpp> : thrust_backend<thrust_systems::cpp> {};
#if defined(_OPENMP)
template <>
struct backend<policy::thrust_omp> : thrust_backend<thrust_systems::omp> {};
#endif
#if defined(__CUDACC__)
template <>
struct backend<policy::thrust_cuda> : thrust_backend<thrust_systems::cuda> {};
#endif

}  // namespace ctnn
