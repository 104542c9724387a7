// The CPU backend's thread count, as torch.set_num_threads / torch.get_num_threads. Large matrix
// products split their output over this many OpenMP threads; small ones (batch 1, the products of
// a small MLP) always run on the calling thread, where a fork would cost more than it saves.
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

}  // namespace ctnn
