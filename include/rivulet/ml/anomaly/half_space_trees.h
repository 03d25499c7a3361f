#pragma once
/// Half-space trees, River 0.12.1's `anomaly.HalfSpaceTrees(n_trees=10, height=8,
/// window_size=250, limits=None, seed=None)` (Tan, Ting and Liu, 2011): an online isolation
/// forest. The trees are built at the first learn_one, over the features of that first sample
/// (in feature index order, which is column order for data read from a file): each branch picks
/// a feature with probability proportional to the width of its current range, and a threshold
/// uniformly in the middle 70% of it (padding 0.15); a tree of height h has 2^(h+1) - 1 nodes.
/// Every node counts the samples that reach it in the current window (l_mass); every
/// `window_size` samples the counts move to the reference profile (r_mass) and restart. The score
/// of x sums, over the trees and down x's path until a node whose reference mass is below
/// 0.1 * window_size, r_mass * 2^depth; it is normalised by its largest possible value
/// n_trees * window_size * (2^(height+1) - 1) and returned as 1 - that, so that it lies in [0, 1]
/// and higher means more anomalous. The score is 0 until the first window is complete. A split
/// feature absent from x sends x to the child with more mass in the current window (the left one
/// on ties), as River does.
///
/// Features are expected in [0, 1] (put a `preprocessing.MinMaxScaler` first otherwise) unless
/// `limits` gives their ranges, written `'name=lo..hi'` and separated by commas:
/// `anomaly.HalfSpaceTrees(limits='price=0..500, qty=0..20')` (River's dict
/// `{'price': (0, 500), 'qty': (0, 20)}`); the name is the feature's (`column`, or
/// `column=value` for a one-hot feature: the last '=' separates the range).
///
/// Randomness is CPython's `random.Random(seed)` (core/python_random.h), drawn in River's order,
/// so that the same seed builds the same trees as River and the scores are River's to the last
/// bit. Default seed: the model's `--seed`, else 42.
/// Thread safety: none.
/// Reference: S.C. Tan, K.M. Ting, T.F. Liu, "Fast anomaly detection for streaming data", IJCAI
/// 2011.
/// ```cpp example
/// // River's docstring: n_trees=5, height=3, window_size=3, seed=42.
/// auto hst = rivulet::ml::HalfSpaceTrees::create(
///     {.n_trees = 5, .height = 3, .window_size = 3, .seed = 42}).value();
/// const double xs[] = {0.5, 0.45, 0.43, 0.44, 0.445, 0.45, 0.0};
/// for (int i = 0; i < 3; ++i) hst->learn_one(rivulet::Features{{0, xs[i]}});  // warming up
/// std::vector<double> scores;
/// for (double v : xs) {
///   hst->learn_one(rivulet::Features{{0, v}});
///   scores.push_back(hst->score_one(rivulet::Features{{0, v}}));
/// }
/// EXPECT_NEAR(scores[0], 0.107, 5e-4);  // River prints 0.107, 0.071, ..., 0.853
/// EXPECT_NEAR(scores[1], 0.071, 5e-4);
/// EXPECT_NEAR(scores[6], 0.853, 5e-4);  // x = 0: the outlier
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class HalfSpaceTrees final : public AnomalyDetector {
 public:
  static constexpr int kMaxHeight = 20;
  struct Options {
    int n_trees = 10;       ///< Number of trees. REQUIRES: >= 1.
    int height = 8;         ///< Height of each tree. REQUIRES: in [0, kMaxHeight].
    int window_size = 250;  ///< Samples per mass window. REQUIRES: >= 1.
    std::string limits;     ///< Ranges 'name=lo..hi, ...'; else [0, 1]. REQUIRES: lo < hi, finite.
    uint64_t seed = 42;     ///< Seed of CPython's random.Random, as River's `seed`.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails or `limits` does not parse.
  static Result<std::unique_ptr<HalfSpaceTrees>> create(Options options);
  static Result<std::unique_ptr<HalfSpaceTrees>> from_params(Params& p);

  std::string_view name() const override { return "anomaly.HalfSpaceTrees"; }
  void learn_one(const Features& x) override;
  double score_one(const Features& x) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// The largest possible raw score: n_trees * window_size * (2^(height+1) - 1).
  double max_score() const;
  bool trees_built() const { return built_; }

  struct Range {
    std::string feature;
    double lo = 0.0, hi = 1.0;
  };
  HalfSpaceTrees(Options options, std::vector<Range> limits);

 private:
  void build_trees(const Features& x);
  void build_node(std::vector<uint32_t>& slot, std::vector<double>& threshold, size_t node,
                  int height);
  // Writes x's values of the tree features into values_ (NaN: absent).
  void gather(const Features& x) const;
  // The feature's name in the model's space ("#i" without one), as limits name them.
  std::string name_of(FeatureIndex i) const;
  size_t n_nodes() const { return (size_t{2} << options_.height) - 1; }
  size_t n_branches() const { return (size_t{1} << options_.height) - 1; }

  Options options_;
  std::vector<Range> limits_;
  PythonRandom rng_;
  bool built_ = false;
  // The features of the trees (those of the first sample, by index) and their ranges.
  std::vector<FeatureIndex> features_;
  std::vector<int32_t> slot_of_;  // feature index -> position in features_, or -1
  // Per tree, in heap order (children of node k: 2k+1, 2k+2): the split feature (a slot) and
  // threshold of each branch, and the masses of every node.
  std::vector<uint32_t> split_slot_;
  std::vector<double> split_at_;
  std::vector<uint32_t> l_mass_;
  std::vector<uint32_t> r_mass_;
  uint32_t counter_ = 0;
  bool first_window_ = true;
  // Scratch of build_trees and gather.
  std::vector<std::pair<double, double>> bounds_;
  std::vector<double> weights_, cumulative_;
  mutable std::vector<double> values_;
};

}  // namespace rivulet::ml
