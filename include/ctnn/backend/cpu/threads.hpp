// The CPU backend's thread count, as torch.set_num_threads / torch.get_num_threads. Large matrix
// products split their output over this many OpenMP threads; small ones (batch 1, the products of
// a small MLP) always run on the calling thread, where a fork would cost more than it saves.
// Without OpenMP (a build without -fopenmp) everything runs on the calling thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>

namespace ctnn {

namespace cpu::detail {
// 0 means "not set": one thread per hardware thread.
inline std::atomic<std::size_t> thread_setting{0};
}  // namespace cpu::detail

// n == 0 goes back to the default, one thread per hardware thread.
inline void set_num_threads(std::size_t n) { cpu::detail::thread_setting.store(n); }

inline std::size_t get_num_threads() {
#if defined(_OPENMP)
  const std::size_t n = cpu::detail::thread_setting.load();
  if (n != 0) return n;
  // Read once: glibc answers hardware_concurrency() by reading /sys at every call, which cost
  // every blocked GEMM about 8 us of system calls (an 8 x 25 x 64 product took 10.5 us).
  static const std::size_t hardware = std::max(1u, std::thread::hardware_concurrency());
  return hardware;
#else
  return 1;
#endif
}

}  // namespace ctnn
