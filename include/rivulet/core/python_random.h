#pragma once
/// CPython's `random.Random`, bit for bit: the Mersenne Twister MT19937 seeded from an integer as
/// CPython seeds it (`init_by_array` over the seed's 32-bit words), `random()` with 53 bits, and
/// `uniform`, `gauss` (with CPython's cached second deviate) and weighted `choices` (one draw,
/// bisected in the cumulative weights). Learners whose River counterpart draws from
/// `random.Random(seed)` (anomaly.HalfSpaceTrees, cluster.KMeans, cluster.STREAMKMeans) use it so
/// that the same seed builds the same trees and centers as River. The whole state (624 words,
/// the position, the cached deviate) is saved with the model. rivulet::Random stays the source
/// for learners whose River code draws from numpy or whose draws cannot be matched anyway.
/// Thread safety: none.
/// ```cpp example
/// rivulet::PythonRandom rng(42);  // Python: random.Random(42)
/// EXPECT_EQ(rng.random(), 0.6394267984578837);
/// EXPECT_EQ(rng.random(), 0.025010755222666936);
/// rivulet::PythonRandom g(42);
/// EXPECT_EQ(g.gauss(0.0, 1.0), -0.14409032957792836);  // random.Random(42).gauss(0, 1)
/// ```

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>

#include "rivulet/core/state.h"

namespace rivulet {

class PythonRandom {
 public:
  explicit PythonRandom(uint64_t seed = 0) { reseed(seed); }

  /// As CPython's `random.seed(n)` for a non-negative integer n.
  void reseed(uint64_t seed) {
    uint32_t key[2] = {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
    init_by_array(key, (seed >> 32) != 0 ? 2 : 1);
    has_gauss_next_ = false;
    gauss_next_ = 0.0;
  }

  /// Seeds the generator as the reference MT19937's `init_genrand(seed)`, which is how numpy's
  /// legacy `np.random.RandomState(seed)` seeds it for an integer seed (CPython instead seeds
  /// through `init_by_array`, see reseed()). `random()` then draws what RandomState's `rand()`
  /// draws and next_u32() its raw 32-bit words.
  void reseed_mt19937(uint32_t seed) {
    init_genrand(seed);
    has_gauss_next_ = false;
    gauss_next_ = 0.0;
  }

  /// CPython's genrand_uint32.
  uint32_t next_u32() {
    if (index_ >= kN) generate();
    uint32_t y = mt_[index_++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= (y >> 18);
    return y;
  }

  /// `random()`: uniform in [0, 1) with 53 random bits.
  double random() {
    const uint32_t a = next_u32() >> 5, b = next_u32() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
  }

  /// `uniform(a, b)`: a + (b - a) * random().
  double uniform(double a, double b) { return a + (b - a) * random(); }

  /// `gauss(mu, sigma)`: Box-Muller, the second deviate of each pair kept for the next call.
  double gauss(double mu, double sigma) {
    double z;
    if (has_gauss_next_) {
      z = gauss_next_;
      has_gauss_next_ = false;
    } else {
      constexpr double kTwoPi = 2.0 * 3.141592653589793;
      const double x2pi = random() * kTwoPi;
      const double g2rad = std::sqrt(-2.0 * std::log(1.0 - random()));
      z = std::cos(x2pi) * g2rad;
      gauss_next_ = std::sin(x2pi) * g2rad;
      has_gauss_next_ = true;
    }
    return mu + z * sigma;
  }

  /// `choices(range(len(weights)), weights)[0]`: the index picked by one draw, bisected (right)
  /// in the running sums of the weights. `cumulative` is scratch space of weights.size().
  /// REQUIRES: weights non-empty, their sum > 0 and finite.
  size_t choice(std::span<const double> weights, std::span<double> cumulative) {
    double sum = 0.0;
    for (size_t i = 0; i < weights.size(); ++i) cumulative[i] = sum += weights[i];
    const double u = random() * sum;
    // bisect_right(cumulative, u, 0, n - 1)
    size_t lo = 0, hi = weights.size() - 1;
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if (u < cumulative[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(mt_, index_, has_gauss_next_, gauss_next_);
  }

  friend bool operator==(const PythonRandom&, const PythonRandom&) = default;

 private:
  static constexpr uint32_t kN = 624, kM = 397;

  void init_genrand(uint32_t s) {
    mt_[0] = s;
    for (uint32_t i = 1; i < kN; ++i) mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + i;
    index_ = kN;
  }

  void init_by_array(const uint32_t* key, uint32_t length) {
    init_genrand(19650218u);
    uint32_t i = 1, j = 0;
    for (uint32_t k = kN > length ? kN : length; k != 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] + j;
      ++i;
      ++j;
      if (i >= kN) {
        mt_[0] = mt_[kN - 1];
        i = 1;
      }
      if (j >= length) j = 0;
    }
    for (uint32_t k = kN - 1; k != 0; --k) {
      mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) - i;
      ++i;
      if (i >= kN) {
        mt_[0] = mt_[kN - 1];
        i = 1;
      }
    }
    mt_[0] = 0x80000000u;
  }

  void generate() {
    constexpr uint32_t kUpper = 0x80000000u, kLower = 0x7fffffffu, kMatrixA = 0x9908b0dfu;
    uint32_t k = 0;
    for (; k < kN - kM; ++k) {
      const uint32_t y = (mt_[k] & kUpper) | (mt_[k + 1] & kLower);
      mt_[k] = mt_[k + kM] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    for (; k < kN - 1; ++k) {
      const uint32_t y = (mt_[k] & kUpper) | (mt_[k + 1] & kLower);
      mt_[k] = mt_[k + kM - kN] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    const uint32_t y = (mt_[kN - 1] & kUpper) | (mt_[0] & kLower);
    mt_[kN - 1] = mt_[kM - 1] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    index_ = 0;
  }

  std::array<uint32_t, kN> mt_{};
  uint32_t index_ = kN;
  bool has_gauss_next_ = false;
  double gauss_next_ = 0.0;
};

}  // namespace rivulet
