// A number that names the contents of a network's parameters, so a backend may keep what it
// derives from a weight (the CPU backend: W^T for products at batch 1 to 4) until they change.
// The network draws a new number from one process-wide counter whenever its parameters may change
// (every non-const access), so no two contents ever share a number, in one network or across
// networks, and a copy of a network shares its number only while the contents are equal.
// 0 means unknown: nothing may be reused.
#pragma once

#include <atomic>
#include <cstdint>

namespace ctnn {

inline std::uint64_t next_parameter_version() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed) + 1;
}

}  // namespace ctnn
