// The CPU backend's thread count, as torch.set_num_threads / torch.get_num_threads. Large matrix
// products split their output over this many OpenMP threads; small ones (batch 1, the products of
// a small MLP) always run on the calling thread, where a fork would cost more than it saves.
// Without OpenMP (a build without -fopenmp) everything runs on the calling thread.
#pragma once

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
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
#else
  return 1;
#endif
}

}  // namespace ctnn
