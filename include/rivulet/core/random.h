#pragma once
/// The seeded random source that every stochastic component takes: xoshiro256** seeded through
/// SplitMix64 (Blackman and Vigna, "Scrambled linear pseudorandom number generators", 2021).
/// Small (32 bytes), fast, and its whole state is saved with the model, so a restored learner
/// draws exactly the numbers the original would have.
/// Thread safety: none; give each thread (or each learner) its own instance.
/// ```cpp example
/// rivulet::Random a(42), b(42);
/// EXPECT_EQ(a.next_u64(), b.next_u64());
/// double u = a.uniform();
/// EXPECT_GE(u, 0.0);
/// EXPECT_LT(u, 1.0);
/// ```

#include <array>
#include <cmath>
#include <cstdint>

#include "rivulet/core/state.h"

namespace rivulet {

class Random {
 public:
  explicit Random(uint64_t seed = 0) { reseed(seed); }

  void reseed(uint64_t seed) {
    for (auto& word : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      word = z ^ (z >> 31);
    }
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 bits of precision.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  /// Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t below(uint64_t n) { return next_u64() % n; }
  /// Standard normal (Box-Muller; one of each pair is discarded to keep the state simple).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0.0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  /// Poisson(lambda) by inversion (Knuth), as online bagging draws it. REQUIRES: lambda > 0.
  int poisson(double lambda) {
    const double l = std::exp(-lambda);
    int k = 0;
    double p = 1.0;
    do {
      ++k;
      p *= uniform();
    } while (p > l);
    return k - 1;
  }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(s_);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

}  // namespace rivulet
