#pragma once
/// River 0.12.1's `datasets.synth.Hyperplane` (Hulten, Spencer and Domingos, "Mining
/// time-changing data streams", KDD 2001): features uniform in [0, 1); the label is 1 when
/// `sum(w_i x_i) >= sum(w_i) / 2`; `noise_percentage` flips labels; after each sample the first
/// `n_drift_features` weights move by `mag_change` in their direction, which reverses with
/// probability `sigma` (a smoothly rotating hyperplane: gradual drift).
/// Draws from numpy's legacy `RandomState(seed)` as River 0.12.1 does (numpy_random.h) and sums
/// the weights as `np.sum` does, so the same seed gives River's samples. (River later moved to
/// Python's `random`; its newer docstrings show other numbers for the same seed.)
/// Emits `{"x0": float, ..., "x<n-1>": float, "y": 0|1}`.
/// Thread safety: none.
/// ```cpp example
/// auto hp = rivulet::io::HyperplaneGenerator::create({.seed = 42, .n_features = 2}).value();
/// std::string line;
/// hp->next(line);  // River's docstring: {0: 0.7319, 1: 0.5986} 1
/// EXPECT_EQ(line, "{\"x0\":0.7319939418114051,\"x1\":0.5986584841970366,\"y\":1}\n");
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/io/generators/generator.h"
#include "rivulet/io/generators/numpy_random.h"

namespace rivulet::io {

class HyperplaneGenerator final : public Generator {
 public:
  struct Options {
    uint64_t seed = 42;              ///< Seed of RandomState. REQUIRES: < 2^32.
    int64_t n_features = 10;         ///< REQUIRES: in [1, 100000].
    int64_t n_drift_features = 2;    ///< Weights that drift. REQUIRES: in [0, n_features].
    double mag_change = 0.0;         ///< Weight change per sample. REQUIRES: in [0, 1].
    double noise_percentage = 0.05;  ///< Share of labels flipped (roughly). REQUIRES: in [0, 1].
    double sigma = 0.1;  ///< Probability of reversing a drift direction. REQUIRES: in [0, 1].
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<HyperplaneGenerator>> create(const Options& options);
  /// Reads River's signature `Hyperplane(seed=None, n_features=10, n_drift_features=2,
  /// mag_change=0.0, noise_percentage=0.05, sigma=0.1)`.
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "hyperplane"; }
  std::string spec() const override;

 private:
  explicit HyperplaneGenerator(const Options& options);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  Options options_;
  NumpyRandomState rng_;
  std::vector<double> weights_, direction_, x_;
  std::vector<std::string> keys_;  // "\"x0\":", ...
};

}  // namespace rivulet::io
