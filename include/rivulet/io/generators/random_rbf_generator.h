#pragma once
/// River 0.12.1's `datasets.synth.RandomRBF` and `RandomRBFDrift`: `n_centroids` centroids, each
/// with a random centre in [0, 1)^n, a class, a standard deviation and a weight; a sample picks a
/// centroid by weight and offsets its centre in a random direction by a normal length times the
/// centroid's deviation. With `change_speed > 0` the first `n_drift_centroids` centres move by
/// that much per sample along a random unit direction, bouncing off the unit cube (gradual
/// drift). With change_speed = 0 the stream is RandomRBF's.
/// Draws as River 0.12.1 does, from numpy's legacy `RandomState`: centroids from
/// `seed_model` (the drift directions from a second RandomState of the same seed, as River does),
/// samples from `seed_sample`; so the same seeds give River's samples.
/// Emits `{"x0": float, ..., "x<n-1>": float, "y": int}` (the class, 0 to n_classes - 1).
/// Thread safety: none.
/// ```cpp example
/// auto rbf = rivulet::io::RandomRbfGenerator::create({.seed_model = 42, .seed_sample = 42,
///                                                     .n_classes = 4, .n_features = 4,
///                                                     .n_centroids = 20})
///                .value();
/// std::string line;
/// rbf->next(line);  // River's docstring: {0: 0.9518, 1: 0.5263, 2: 0.2509, 3: 0.4177} 0
/// EXPECT_EQ(line, "{\"x0\":0.9518843224515854,\"x1\":0.5263111393537324,"
///                 "\"x2\":0.2509592736814733,\"x3\":0.41771569778128864,\"y\":0}\n");
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/io/generators/generator.h"
#include "rivulet/io/generators/numpy_random.h"

namespace rivulet::io {

class RandomRbfGenerator final : public Generator {
 public:
  struct Options {
    uint64_t seed_model = 42;        ///< Seed of the centroids. REQUIRES: < 2^32.
    uint64_t seed_sample = 42;       ///< Seed of the samples. REQUIRES: < 2^32.
    int64_t n_classes = 2;           ///< REQUIRES: in [1, 2^31).
    int64_t n_features = 10;         ///< REQUIRES: in [1, 100000].
    int64_t n_centroids = 50;        ///< REQUIRES: in [1, 1000000].
    double change_speed = 0.0;       ///< Centre movement per sample. REQUIRES: >= 0, finite.
    int64_t n_drift_centroids = 50;  ///< Centroids that move; more than n_centroids means all
                                     ///< (River warns and does the same). REQUIRES: >= 0.
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<RandomRbfGenerator>> create(const Options& options);
  /// Reads River's signature `RandomRBFDrift(seed_model=None, seed_sample=None, n_classes=2,
  /// n_features=10, n_centroids=50, change_speed=0.0, n_drift_centroids=50)`.
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "rbf"; }
  std::string spec() const override;

 private:
  explicit RandomRbfGenerator(const Options& options);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  Options options_;
  size_t n_drift_ = 0;
  NumpyRandomState rng_sample_;
  // Centroid i: centre at [i * n_features, (i + 1) * n_features) of centres_.
  std::vector<double> centres_, speeds_, std_devs_, weights_;
  std::vector<int64_t> classes_;
  std::vector<double> offset_;
  std::vector<std::string> keys_;
};

}  // namespace rivulet::io
