#pragma once
/// numpy's legacy `np.random.RandomState(seed)`, bit for bit, for the methods River's synthetic
/// streams call: `rand()`, `randint(n)`, `normal(loc, scale)`. The generator is MT19937 seeded by
/// `init_genrand(seed)` (PythonRandom::reseed_mt19937); `rand()` takes two 32-bit words as
/// CPython's `random()` does; `randint(n)` draws 32-bit words masked to the smallest all-ones
/// mask covering n - 1 and rejects those above it (numpy's default "masked" bounded integers);
/// `normal` is the polar Box-Muller method with the second deviate cached (`legacy_gauss`).
/// River 0.12.1's Hyperplane, Agrawal and RandomRBF(Drift) draw from it, so the same seed gives
/// the same stream as River. The whole state is saved with the generator.
/// Thread safety: none.
/// ```cpp example
/// rivulet::io::NumpyRandomState rng(42);  // numpy: np.random.RandomState(42)
/// EXPECT_EQ(rng.rand(), 0.3745401188473625);
/// EXPECT_EQ(rng.rand(), 0.9507143064099162);
/// EXPECT_EQ(rng.randint(61), 42);
/// ```

#include <cmath>
#include <cstdint>

#include "rivulet/core/python_random.h"

namespace rivulet::io {

class NumpyRandomState {
 public:
  /// REQUIRES: seed < 2^32 (numpy rejects larger seeds).
  explicit NumpyRandomState(uint32_t seed = 0) { reseed(seed); }

  void reseed(uint32_t seed) {
    mt_.reseed_mt19937(seed);
    has_gauss_ = false;
    gauss_ = 0.0;
  }

  /// `rand()`: uniform in [0, 1) with 53 random bits.
  double rand() { return mt_.random(); }

  /// `randint(n)`: uniform in [0, n). REQUIRES: 1 <= n <= 2^32.
  int64_t randint(int64_t n) {
    const auto rng = static_cast<uint32_t>(n - 1);
    if (rng == 0) return 0;
    uint32_t mask = rng;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    while ((v = (mt_.next_u32() & mask)) > rng) {
    }
    return v;
  }

  /// `standard_normal()` of the legacy RandomState (polar method, cached second deviate).
  double gauss() {
    if (has_gauss_) {
      has_gauss_ = false;
      return gauss_;
    }
    double x1, x2, r2;
    do {
      x1 = 2.0 * rand() - 1.0;
      x2 = 2.0 * rand() - 1.0;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = std::sqrt(-2.0 * std::log(r2) / r2);
    gauss_ = f * x1;
    has_gauss_ = true;
    return f * x2;
  }

  /// `normal(loc, scale)`.
  double normal(double loc = 0.0, double scale = 1.0) { return loc + scale * gauss(); }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(mt_, has_gauss_, gauss_);
  }

  friend bool operator==(const NumpyRandomState&, const NumpyRandomState&) = default;

 private:
  PythonRandom mt_;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

}  // namespace rivulet::io
