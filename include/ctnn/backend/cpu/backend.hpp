// The CPU backend: xtensor containers on the heap, xtensor expressions for elementwise passes and
// reductions (one pass per composed functor), plain loops where a row vector repeats over rows,
// xsimd kernels for matrix products (gemm.hpp) and for the ops that can run on SIMD batches
// (simd_map.hpp).
// This is the only header of ctnn that includes xtensor.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include <xtensor/xadapt.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xreducer.hpp>
#include <xtensor/xtensor.hpp>

#include "ctnn/backend/cpu/col2im.hpp"
#include "ctnn/backend/cpu/conv_direct.hpp"
#include "ctnn/backend/cpu/gemm.hpp"
#include "ctnn/backend/cpu/recurrence.hpp"
#include "ctnn/backend/cpu/row_product.hpp"
#include "ctnn/backend/cpu/simd_map.hpp"
#include "ctnn/backend/cpu/threads.hpp"
#include "ctnn/backend/cpu/transpose.hpp"
#include "ctnn/backend/cpu/weight_cache.hpp"
#include "ctnn/core/backend.hpp"
#include "ctnn/core/policy.hpp"

namespace ctnn {

template <>
struct backend<policy::cpu> {
  template <class T>
  using vector = xt::xtensor<T, 1>;

  template <class T>
  static vector<T> allocate(std::size_t n) {
    vector<T> v = vector<T>::from_shape({n});
    std::fill(v.begin(), v.end(), T(0));
    return v;
  }
  template <class T>
  static T* data(vector<T>& v) {
    return v.data();
  }
  template <class T>
  static const T* data(const vector<T>& v) {
    return v.data();
  }

  template <class T>
  static void copy_from_host(const T* host, std::size_t n, T* dst) {
    std::copy_n(host, n, dst);
  }
  template <class T>
  static void copy_to_host(const T* src, std::size_t n, T* host) {
    std::copy_n(src, n, host);
  }
  template <class T>
  static void copy(const T* src, std::size_t n, T* dst) {
    if (src != dst) std::copy_n(src, n, dst);
  }
  template <class T>
  static void fill(T* dst, std::size_t n, T value) {
    // split like the optimiser's update, which reads what zero_grad zeroed on the same core
    cpu::detail::for_each_chunk<T>(n, [&](std::size_t begin, std::size_t end) {
      std::fill(dst + begin, dst + end, value);
    });
  }

  template <class F, class T, class... In>
  static void map(std::size_t n, F f, T* out, const In*... in) {
    if constexpr (cpu::simd_map_applies<F, T>) {
      cpu::detail::for_each_chunk<T>(n, [&](std::size_t begin, std::size_t end) {
        cpu::simd_map(end - begin, f, out + begin, (in + begin)...);
      });
    } else {
      auto o = view(out, n);
      xt::noalias(o) = xt::make_lambda_xfunction(std::move(f), view(in, n)...);
    }
  }

  // The row vector repeats over the rows. Plain loops: xtensor's broadcasting assignment steps
  // through a multi-index per element, several times slower than this for bias and activation.
  // Not split over threads: a bias at a training batch (32 x 128) is far too short, and with the
  // split beside it GCC compiled the recurrent layer's bias additions as generic loops instead of
  // unrolling them for their known width (gru_infer 1 to 2% slower).
  template <class F, class T, class... In>
  static void map_rows(std::size_t rows, std::size_t cols, F f, T* out, const T* row,
                       const In*... in) {
    if constexpr (cpu::simd_map_applies<F, T>) {
      cpu::simd_map_rows(rows, cols, f, out, row, in...);
    } else {
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t base = r * cols;
        for (std::size_t c = 0; c < cols; ++c) out[base + c] = f(in[base + c]..., row[c]);
      }
    }
  }

  // A loop per plane with the channel's value held: no index arithmetic per element, and the
  // plane runs on SIMD registers (vectorizable ops) or is vectorised by the compiler (ReLU).
  // Large batches are split over threads, a band of samples each.
  template <class F, class T, class... In>
  static void map_channels(std::size_t batch, std::size_t channels, std::size_t plane, F f, T* out,
                           const T* per_channel, const In*... in) {
    const std::size_t sample = channels * plane;
    if (!cpu::detail::worth_splitting(batch * sample, cpu::detail::min_elements_per_thread))
      return map_channels_here(batch, channels, plane, f, out, per_channel, in...);
    cpu::detail::for_each_split(
        batch, sample,
        [&](std::size_t b) {
          map_channels_here(1, channels, plane, f, out + b * sample, per_channel,
                            (in + b * sample)...);
        },
        cpu::detail::min_elements_per_thread);
  }

  template <class T>
  static void sum_rows(std::size_t rows, std::size_t cols, const T* in, T* out) {
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t c = 0; c < cols; ++c) out[c] += in[r * cols + c];
  }

  // Register tiles (transpose.hpp). Assigning xt::transpose instead steps a multi-index per
  // element: rnn_infer took 20 us with it, against 12.5 us with a tiled element loop.
  template <class T>
  static void transpose_into(std::size_t rows, std::size_t cols, const T* in, T* out) {
    cpu::copy_transposed(rows, cols, in, cols, out, rows);
  }

  template <class F, class T, class... In>
  static T sum(std::size_t n, F f, const T* first, const In*... in) {
    return xt::sum(xt::make_lambda_xfunction(std::move(f), view(first, n), view(in, n)...),
                   xt::evaluation_strategy::immediate)();
  }

  template <class F>
  static void for_each(std::size_t n, F f) {
    if constexpr (cpu::simd_for_each_applies<F>) {
      cpu::simd_for_each(n, f);
    } else {
      for_each_index(n, cpu::detail::elements_per_index(f), f);
    }
  }

  template <class T>
  static void gemm(transpose ta, transpose tb, std::size_t m, std::size_t n, std::size_t k, T alpha,
                   const T* a, const T* b, T beta, T* c) {
    cpu::gemm(ta, tb, m, n, k, alpha, a, b, beta, c);
  }

  // y = x W for one row x, summed over k in `order` (row_product.hpp).
  template <class T>
  static void row_times_matrix(std::size_t n, std::size_t k, const T* x, const T* w, T* y,
                               sum_order order) {
    cpu::row_times_matrix(n, k, x, w, y, order);
  }

  // h[t + 1] = f(x[t] A + b, h[t] W) for one sequence, on SIMD registers (recurrence.hpp).
  template <class F, class T>
    requires cpu::recurrence_applies<F, T>
  static void recurrence(std::size_t steps, std::size_t m, std::size_t n, F f, const T* x,
                         std::size_t x_stride, const T* a, const T* b, const T* w, const T* h0,
                         T* h, std::size_t h_stride) {
    cpu::recurrence(steps, m, n, f, x, x_stride, a, b, w, h0, h, h_stride);
  }

#if CTNN_CPU_MASKED_LOADS
  // The column matrices of `samples` samples side by side (rows row_stride apart, sample j's
  // entries from j OH OW on) added into their padded input planes, one after another from dxp:
  // a row of a plane at a time in registers (col2im.hpp), a sample per index, over threads where
  // the samples are work enough (LeNet's second convolution: 6 samples of 15,000 column entries).
  template <window_geometry G, class T>
    requires cpu::col2im_applies<G, T>
  static void col2im(const T* col, std::size_t row_stride, std::size_t samples, T* dxp) {
    constexpr std::size_t padded_sample = G.channels * G.padded_h() * G.padded_w();
    constexpr std::size_t elements = G.channels * G.kernel_size() * G.out_plane() + padded_sample;
    for_each_index(samples, elements, [&](std::size_t j) {
      cpu::col2im<G>(col + j * G.out_plane(), row_stride, dxp + j * padded_sample);
    });
  }
#endif

  // A convolution's forward without im2col (conv_direct.hpp): out [samples][Out][OH OW] = W xp,
  // xp the padded inputs; output channels in the registers where they fill whole ones (W^T kept
  // while `version`, 0: unknown, names W's contents), else output positions.
  template <window_geometry G, std::size_t Out, class T>
    requires(cpu::conv_direct_applies<G, Out, T> || cpu::conv_rows_applies<G, Out, T>)
  static void conv_forward(const T* w, std::uint64_t version, const T* xp, T* out,
                           std::size_t samples) {
#if CTNN_CPU_MASKED_LOADS
    if constexpr (cpu::conv_rows_applies<G, Out, T>) {
      cpu::conv_rows<G, Out>(w, xp, out, samples);
    } else
#endif
    {
      constexpr std::size_t taps = G.channels * G.kernel_size();
      const T* w_t = nullptr;
      if (version != 0) {
        w_t = cpu::detail::derived_weight(Out, taps, w, version,
                                          cpu::detail::weight_form::transposed);
      } else {
        thread_local cpu::detail::aligned_buffer<T> room;
        T* t = cpu::detail::grow(room, taps * Out);
        cpu::copy_transposed(Out, taps, w, taps, t, Out);
        w_t = t;
      }
      cpu::conv_direct<G, Out>(w_t, xp, out, samples);
    }
  }

  // grad_w [Out][C KH KW] += a convolution's weight gradient over the batch, without im2col
  // (conv_direct.hpp), from dz and the padded inputs xp; in the same layout as conv_forward's.
  template <window_geometry G, std::size_t Out, class T>
    requires(cpu::conv_direct_applies<G, Out, T> || cpu::conv_rows_applies<G, Out, T>)
  static void conv_weight_grad(const T* dz, const T* xp, T* grad_w, std::size_t samples) {
#if CTNN_CPU_MASKED_LOADS
    if constexpr (cpu::conv_rows_applies<G, Out, T>) {
      cpu::conv_rows_weight_grad<G, Out>(dz, xp, grad_w, samples);
    } else
#endif
    {
      cpu::conv_weight_grad<G, Out>(dz, xp, grad_w, samples);
    }
  }

  // C[m, n] = A W^T, W [n, k] a weight whose contents `version` names: W^T may be kept.
  template <class T>
  static void gemm_weight(std::size_t m, std::size_t n, std::size_t k, const T* a, const T* w,
                          std::uint64_t version, T* c) {
    cpu::gemm_weight(m, n, k, a, w, version, c);
  }

  // W^T [k, n] of a weight W [n, k] whose contents `version` (not 0) names, kept per thread
  // while it is unchanged (weight_cache.hpp).
  template <class T>
  static const T* transposed_weight(std::size_t n, std::size_t k, const T* w,
                                    std::uint64_t version) {
    return cpu::detail::derived_weight(n, k, w, version, cpu::detail::weight_form::transposed);
  }

 private:
  template <class F, class T, class... In>
  static void map_channels_here(std::size_t batch, std::size_t channels, std::size_t plane,
                                const F& f, T* out, const T* per_channel, const In*... in) {
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t c = 0; c < channels; ++c) {
        const std::size_t base = (b * channels + c) * plane;
        if constexpr (cpu::simd_map_applies<F, T>) {
          cpu::simd_map(plane, cpu::with_last_argument<F, T>{f, per_channel[c]}, out + base,
                        (in + base)...);
        } else {
          const T value = per_channel[c];
          for (std::size_t p = 0; p < plane; ++p) out[base + p] = f(in[base + p]..., value);
        }
      }
  }

  // f(i) for i < count, each index about `elements` elements of work: over threads where the
  // pass is long enough (threads.hpp), otherwise in this loop, where the compiler inlines f.
  template <class F>
  static void for_each_index(std::size_t count, std::size_t elements, const F& f) {
    if (cpu::detail::worth_splitting(count * elements, cpu::detail::min_elements_per_thread))
      return cpu::detail::for_each_split(count, elements, f, cpu::detail::min_elements_per_thread);
    for (std::size_t i = 0; i < count; ++i) f(i);
  }

  // Non-owning xtensor views of backend memory.
  template <class T>
  static auto view(T* p, std::size_t n) {
    return xt::adapt(p, n, xt::no_ownership(), std::array<std::size_t, 1>{n});
  }
  template <class T>
  static auto view(T* p, std::size_t rows, std::size_t cols) {
    return xt::adapt(p, rows * cols, xt::no_ownership(), std::array<std::size_t, 2>{rows, cols});
  }
};

}  // namespace ctnn
