// A seeded generator whose sequence is the same with every standard library: std::mt19937_64 is
// specified exactly, but std::uniform_real_distribution is not, so the conversion to [0, 1) is
// ours.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace ctnn {

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
