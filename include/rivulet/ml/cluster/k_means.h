#pragma once
/// Incremental k-means, River 0.12.1's `cluster.KMeans(n_clusters=5, halflife=0.5, mu=0,
/// sigma=1, p=2, seed=None)`: x belongs to the center at the smallest Minkowski distance
/// sum_k |center_k - x_k|^p (no p-th root; a feature absent from x counts as 0; the first center
/// wins ties), and learning x moves that center toward it: center_k += halflife * (x_k -
/// center_k) for the features of x. A center's coordinate for a feature is drawn from
/// N(mu, sigma) the first time the feature is seen, for every center at once (River's
/// defaultdicts, filled when predict_one first reads them): center by center, in feature index
/// order.
///
/// Randomness is CPython's `random.Random(seed)` (core/python_random.h) drawn in River's order,
/// so that with the same seed and integer-named features in order (River's
/// `stream.iter_array`) the centers are River's to the last bit. River's predict_one draws a new
/// feature's coordinates itself; here predict_one is const and computes the draws the next
/// learn_one will make (the same ones, unless another new feature is learned in between).
/// Default seed: the model's `--seed`, else 42.
/// Thread safety: none.
/// Reference: D. Sculley, "Web-scale k-means clustering", WWW 2010.
/// ```cpp example
/// // River's docstring: two clusters of three points each.
/// auto k_means = rivulet::ml::KMeans::create(
///     {.n_clusters = 2, .halflife = 0.1, .sigma = 3, .seed = 42}).value();
/// const double points[6][2] = {{1, 2}, {1, 4}, {1, 0}, {-4, 2}, {-4, 4}, {-4, 0}};
/// std::vector<int> assigned;
/// for (const auto& p : points) {
///   const rivulet::Features x{{0, p[0]}, {1, p[1]}};
///   k_means->learn_one(x);
///   assigned.push_back(k_means->predict_one(x));
/// }
/// EXPECT_EQ(assigned, (std::vector<int>{1, 1, 0, 1, 1, 0}));
/// EXPECT_EQ(k_means->predict_one(rivulet::Features{{0, 0.0}, {1, 0.0}}), 0);
/// EXPECT_EQ(k_means->predict_one(rivulet::Features{{0, 4.0}, {1, 4.0}}), 1);
/// ```

#include <cstdint>
#include <memory>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class KMeans final : public Clusterer {
 public:
  static constexpr int kMaxClusters = 1 << 16;
  struct Options {
    int n_clusters = 5;     ///< Number of centers. REQUIRES: in [1, kMaxClusters].
    double halflife = 0.5;  ///< Share of the distance a center moves toward x. REQUIRES: finite.
    double mu = 0.0;        ///< Mean of the initial coordinates. REQUIRES: finite.
    double sigma = 1.0;     ///< Deviation of the initial coordinates. REQUIRES: finite, >= 0.
    double p = 2.0;         ///< Power of the Minkowski distance. REQUIRES: finite, > 0.
    uint64_t seed = 42;     ///< Seed of CPython's random.Random, as River's `seed`.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<KMeans>> create(const Options& options);
  static Result<std::unique_ptr<KMeans>> from_params(Params& p);

  std::string_view name() const override { return "cluster.KMeans"; }
  void learn_one(const Features& x) override;
  int predict_one(const Features& x) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// Forgets everything: centers and random stream as created.
  void reset();
  int n_clusters() const { return options_.n_clusters; }
  /// The features the centers have a coordinate for, in index order.
  const std::vector<FeatureIndex>& features() const { return features_; }
  /// A center's coordinate. REQUIRES: f is in features().
  double center(int c, FeatureIndex f) const {
    return centers_[static_cast<size_t>(f) * options_.n_clusters + static_cast<size_t>(c)];
  }
  /// Center c as a feature vector (its features in index order).
  void center(int c, Features& out) const;

  explicit KMeans(const Options& options);

 private:
  // x's features that have no coordinate yet, in index order, into new_.
  void collect_new(const Features& x) const;
  // The closest center to x; the coordinates of new_ are read from `drawn` (center-major).
  int closest(const Features& x, const double* drawn) const;

  Options options_;
  PythonRandom rng_;
  std::vector<uint8_t> known_;          // by feature index: has a coordinate
  std::vector<FeatureIndex> features_;  // the known features, in index order
  std::vector<double> centers_;         // [feature * n_clusters + cluster]
  // Scratch: x scattered by feature index, the new features of x, their drawn coordinates.
  mutable std::vector<double> x_dense_;
  mutable std::vector<uint8_t> x_has_;
  mutable std::vector<FeatureIndex> new_;
  mutable std::vector<double> drawn_;
  mutable PythonRandom peek_;
};

}  // namespace rivulet::ml
