// A seeded generator whose sequence is the same with every standard library: std::mt19937_64 is
// specified exactly, but std::uniform_real_distribution is not, so the conversion to [0, 1) is
// ours.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

#include "ctnn/config.hpp"

namespace ctnn {

// splitmix64: a well-mixed 64-bit value from a counter.
CTNN_HOST_DEVICE constexpr std::uint64_t mix64(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// A uniform number in [0, 1) that depends only on (seed, index): every backend, thread and
// order of evaluation draws the same value for the same element (counter-based randomness).
CTNN_HOST_DEVICE constexpr double hash_uniform(std::uint64_t seed, std::uint64_t index) {
  return static_cast<double>(mix64(seed ^ mix64(index)) >> 11) * 0x1.0p-53;
}

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : engine_(seed) {}

  // Uniform in [low, high).
  double uniform(double low, double high) {
    const double unit = static_cast<double>(engine_() >> 11) * 0x1.0p-53;
    return low + (high - low) * unit;
  }

  // Normal by Box-Muller; 1 - u keeps the logarithm finite.
  double normal(double mean, double stddev) {
    const double u = uniform(0.0, 1.0);
    const double v = uniform(0.0, 1.0);
    const double two_pi = 6.283185307179586;
    return mean + stddev * std::sqrt(-2.0 * std::log(1.0 - u)) * std::cos(two_pi * v);
  }

  std::uint64_t next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace ctnn
