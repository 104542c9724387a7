// The CPU backend's thread count, as torch.set_num_threads / torch.get_num_threads, and how work is
// split over that many OpenMP threads. Matrix products and convolutions split their output, and
// elementwise passes over many elements (an optimiser's update, zero_grad, a convolution's bias
// and ReLU, pooling) their range, when each thread gets enough work; small ones (batch 1, the
// layers of a small MLP) run on the calling thread, where a fork would cost more than it saves.
// Without OpenMP (a build without -fopenmp) everything runs on the calling thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ctnn {

namespace cpu::detail {
// 0 means "not set": OpenMP's own count (below).
inline std::atomic<std::size_t> thread_setting{0};
}  // namespace cpu::detail

// n == 0 goes back to the default: OpenMP's count, which is OMP_NUM_THREADS where it is set and
// otherwise the CPUs this process may run on (taskset, a container's cpuset), as in torch.
inline void set_num_threads(std::size_t n) { cpu::detail::thread_setting.store(n); }

inline std::size_t get_num_threads() {
#if defined(_OPENMP)
  const std::size_t n = cpu::detail::thread_setting.load();
  if (n != 0) return n;
  // omp_get_max_threads() reads a variable libgomp set up at start. (hardware_concurrency(), used
  // before, ignored both settings, and glibc answers it by reading /sys at every call.)
  return static_cast<std::size_t>(std::max(1, omp_get_max_threads()));
#else
  return 1;
#endif
}

namespace cpu::detail {

// Below this many multiply-adds per thread (about 2 us at the FMA peak), a fork costs more than it
// saves. At 2^21 (before), nothing in a training step at batch 32 was split: mlp_train_b32 took as
// long at 2 threads as at 1. 2^16, 2^17 and 2^18 gave the same times on the benchmark's cases.
inline constexpr std::size_t min_work_per_thread = std::size_t(1) << 17;

// Below this many elements per thread, an elementwise pass stays on the calling thread: an
// optimiser's update, zero_grad, and the layers' elementwise passes (bias and activation,
// padding, pooling), which at 2 threads took LeNet's training step from 795 to 687 us. At 2^15,
// LeNet's update (61 706 parameters) ran on one thread, and took about 86 us a step against 14
// at 1 thread (perf), since half of the gradient was in the other core's cache; at 2^14 it is
// split, and lenet_train_b32 at 2 threads took 645 / 673 us against 672 / 716 (min / median,
// 6 alternating rounds).
inline constexpr std::size_t min_elements_per_thread = std::size_t(1) << 14;

// f(i) for each i < count, split over threads when each thread gets at least min_per_thread of
// the work (work_per_item each): row groups of a product, a convolution's samples or taps
// (multiply-adds); rows of pooling windows or of a padded input (elements).
template <class F>
void for_each_split(std::size_t count, std::size_t work_per_item, const F& f,
                    std::size_t min_per_thread = min_work_per_thread) {
#if defined(_OPENMP)
  const std::size_t threads =
      std::min({get_num_threads(), count,
                std::max<std::size_t>(1, count * work_per_item / min_per_thread)});
  if (threads > 1) {
    const int team = static_cast<int>(threads);
#pragma omp parallel for num_threads(team) schedule(static)
    for (std::size_t i = 0; i < count; ++i) f(i);
    return;
  }
#endif
  for (std::size_t i = 0; i < count; ++i) f(i);
}

// for_each_chunk (below): f(begin, end) over [0, n) elements of T in one contiguous chunk per
// thread, chunk edges at whole cache lines (of aligned memory): an elementwise pass (an
// optimiser's update, zeroing the gradients). Every pass over the same n splits at the same edges,
// in order like the row bands of the products before them, so each core zeroes, accumulates and
// updates the same part of the gradient. With the products split and Adam on one thread,
// mlp_train_b32 at 2 threads was no faster (181 against 183 us): half the gradient came from the
// other core's cache. With both split, 127 us.
template <class T, class F>
void split_into_chunks(std::size_t n, std::size_t elements_per_index, const F& f) {
#if defined(_OPENMP)
  constexpr std::size_t line = std::max<std::size_t>(1, 64 / sizeof(T));
  const std::size_t units = (n + line - 1) / line;
  const std::size_t threads =
      std::min({get_num_threads(), units, n * elements_per_index / min_elements_per_thread});
  if (threads > 1) {
#pragma omp parallel num_threads(static_cast<int>(threads))
    {
      const std::size_t t = static_cast<std::size_t>(omp_get_thread_num());
      const std::size_t begin = std::min(n, units * t / threads * line);
      const std::size_t end = std::min(n, units * (t + 1) / threads * line);
      if (begin < end) f(begin, end);
    }
    return;
  }
#endif
  f(std::size_t(0), n);
}

// About how many elements one index of a for_each kernel reads and writes, or their equivalent in
// work: what the kernel says (elements_per_index(): a row of pooling windows, of a padded plane,
// a recurrent cell's unit), else one.
template <class F>
constexpr std::size_t elements_per_index(const F& f) {
  if constexpr (requires { f.elements_per_index(); })
    return f.elements_per_index();
  else
    return 1;
}

// Whether work of `total` (multiply-adds or elements) goes over threads: at least two threads'
// minimum, and more than one thread. Callers test this first and run everything else in their
// own loop, where the compiler inlines the body.
inline bool worth_splitting(std::size_t total, std::size_t min_per_thread) {
  return total >= 2 * min_per_thread && get_num_threads() > 1;
}

// elements_per_index: as elements_per_index(f) above; one for a plain elementwise pass.
template <class T, class F>
void for_each_chunk(std::size_t n, const F& f, std::size_t elements_per_index = 1) {
  // Short passes straight to f: a recurrent cell at batch 1 (64 elements, 50 times a sequence)
  // took 3 to 7% longer through the split (gru_infer, lstm_infer).
  if (!worth_splitting(n * elements_per_index, min_elements_per_thread))
    return f(std::size_t(0), n);
  split_into_chunks<T>(n, elements_per_index, f);
}

}  // namespace cpu::detail

}  // namespace ctnn
