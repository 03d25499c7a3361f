#pragma once
/// Adaptive random forest regressor (Gomes et al. 2018), River 0.12.1's
/// `ensemble.AdaptiveRandomForestRegressor` (`forest.ARFRegressor` from River 0.15 on), with
/// its parameters and defaults.
///
/// As ARFClassifier, over tree.HoeffdingTreeRegressor (ARF's defaults: grace period 50, delta
/// 0.01, max_size 500): each tree predicts the sample and updates its `metric` (MSE), draws
/// k ~ Poisson(`lambda_value`) and, when k > 0, learns the sample with weight k (its background
/// tree too), then feeds its detectors the error of the tree that has just learned the sample,
/// normalized as River does for ADWIN: e = y - prediction, kept in a running variance; the
/// detectors read 0.5 for the first error (or while the deviation is 0), else
/// (e + 3 sd) / (6 sd), which maps mean +- 3 sd onto [0, 1]. A warning starts a background tree;
/// a drift swaps it in (or starts a new tree), with fresh detectors, metric and error variance.
/// Predictions aggregate the trees' predictions by `aggregation_method`: 'median' (the default),
/// or 'mean', weighted (unless `disable_weighted_vote`, the default) as River 0.12.1 weights
/// them: w_i = sum_j m_j - m_i over the trees' metrics m, normalized to sum 1, and the weighted
/// predictions are then averaged (summed and divided by the number of trees, as River's code
/// does).
///
/// Randomness as in ARFClassifier, River's draw for draw: one Python-compatible generator
/// (River's `random.Random(seed)`, shared with the trees) gives, tree after tree, the Poisson
/// weight, then the attribute subsets of the leaves that choose theirs while the tree (then its
/// background tree) learns the sample; drawn in that order before the trees learn (in parallel
/// with `--threads`, results independent of the thread count; HoeffdingTreeRegressor::
/// draw_subset).
/// Thread safety: none; trees learn in parallel when the model gives a ParallelFor.
/// Reference: H. M. Gomes, J. P. Barddal, L. E. Boiko, A. Bifet, "Adaptive random forests for
/// data stream regression", ESANN 2018.
/// ```cpp example
/// auto model = rivulet::ml::Model::create("forest.ARFRegressor(n_models=3, seed=42)").value();
/// const auto f = model.space().intern("x");
/// for (int i = 0; i < 600; ++i) {
///   const double v = (i * 37 % 100) / 100.0;
///   model.learn_value(rivulet::Features{{f, v}}, v < 0.5 ? 1.0 : 5.0);
/// }
/// EXPECT_NEAR(model.predict_value(rivulet::Features{{f, 0.1}}), 1.0, 0.5);
/// EXPECT_NEAR(model.predict_value(rivulet::Features{{f, 0.9}}), 5.0, 0.5);
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/forest/max_features.h"
#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/tree/hoeffding_tree_regressor.h"

namespace rivulet::ml {

class ARFRegressor final : public Regressor {
 public:
  enum class Aggregation : uint8_t { kMedian, kMean };

  /// River's ARF tree options: grace_period=50, delta=0.01, max_size=500,
  /// memory_estimate_period=2e6; the rest as HoeffdingTreeRegressor's (its splitter, River
  /// 0.12's default, TEBSTSplitter(digits=1), included).
  static HoeffdingTreeRegressor::Options default_tree_options();

  struct Options {
    int64_t n_models = 10;                           ///< Number of trees. REQUIRES: >= 1.
    MaxFeatures max_features = MaxFeatures::sqrt();  ///< Attributes watched per leaf.
    Aggregation aggregation_method = Aggregation::kMedian;
    double lambda_value = 6.0;  ///< Poisson rate of the weights. REQUIRES: > 0.
    /// Per-tree metric, for the weighted mean; null: metrics.MSE. REQUIRES: regression.
    std::shared_ptr<const Metric> metric = nullptr;
    bool disable_weighted_vote = true;  ///< Unweighted aggregation (River's default).
    /// Drift detector of each tree (cloned); null: no drift detection (and no warnings).
    std::shared_ptr<const DriftDetector> drift_detector = default_drift_detector();
    /// Warning detector of each tree (cloned); null: no background trees.
    std::shared_ptr<const DriftDetector> warning_detector = default_warning_detector();
    /// The trees' options (their max_features and caller_draws_subsets are set by the forest).
    HoeffdingTreeRegressor::Options tree = default_tree_options();
    uint64_t seed = 0;  ///< Seeds the Poisson weights and the leaves' attribute subsets.
  };
  /// drift.ADWIN(delta=0.001) and drift.ADWIN(delta=0.01), River's defaults.
  static std::shared_ptr<const DriftDetector> default_drift_detector();
  static std::shared_ptr<const DriftDetector> default_warning_detector();

  /// Returns kInvalidArgument if a REQUIRES clause fails or the tree options are invalid.
  static Result<std::unique_ptr<ARFRegressor>> create(Options options);
  /// River's signature: n_models, max_features, aggregation_method, lambda_value, metric,
  /// disable_weighted_vote, drift_detector, warning_detector, grace_period, max_depth, delta,
  /// tau, leaf_prediction, leaf_model, model_selector_decay, nominal_attributes
  /// (comma-separated names), splitter, min_samples_split, binary_split, max_size,
  /// memory_estimate_period, stop_mem_management, remove_poor_attrs, merit_preprune, seed.
  static Result<std::unique_ptr<ARFRegressor>> from_params(Params& p);
  ~ARFRegressor() override;

  std::string_view name() const override { return "forest.ARFRegressor"; }
  void attach(const ModelContext& context) override;
  void learn_one(const Features& x, double y) override;
  double predict_one(const Features& x) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;
  /// The trees' importances (foreground trees only), summed by feature.
  void feature_importances(std::vector<FeatureImportance>& out) const override;
  /// Each foreground tree drawn under a "tree i" heading (1-based).
  std::string draw(size_t max_depth) const override;

  const Options& options() const { return options_; }
  size_t n_models() const { return members_.size(); }
  bool initialized() const { return initialized_; }
  size_t max_features() const { return max_features_; }
  const HoeffdingTreeRegressor& tree(size_t i) const { return *members_[i].model; }
  const HoeffdingTreeRegressor* background(size_t i) const { return members_[i].background.get(); }
  const Metric& tree_metric(size_t i) const { return *members_[i].metric; }
  int64_t n_drifts_detected(size_t i) const { return members_[i].n_drifts; }
  int64_t n_warnings_detected(size_t i) const { return members_[i].n_warnings; }
  int64_t n_drifts_detected() const;
  int64_t n_warnings_detected() const;
  /// Structural changes since construction or load: leaves created in the foreground and
  /// background trees (splits), background trees started and trees replaced. Steps that leave
  /// it unchanged allocate nothing. For diagnostics; not saved.
  uint64_t n_structure_changes() const;

 private:
  // River's stats.Var (ddof 1) of the errors, as ForestMemberRegressor keeps it.
  struct ErrorVariance {
    double n = 0.0, mean = 0.0, s = 0.0;
    // Adds e and returns River's normalized drift input.
    double normalized(double e);
    template <class Archive>
    void serialize(Archive& ar) {
      ar(n, mean, s);
    }
  };
  struct Member {
    std::unique_ptr<HoeffdingTreeRegressor> model;
    std::unique_ptr<HoeffdingTreeRegressor> background;
    std::unique_ptr<DriftDetector> drift;
    std::unique_ptr<DriftDetector> warning;
    std::unique_ptr<RegressionMetric> metric;
    ErrorVariance errors;
    int64_t n_drifts = 0;
    int64_t n_warnings = 0;
    uint64_t n_changes = 0;  // n_structure_changes() of this slot
    int k = 0;  // this sample's Poisson weight
  };

  explicit ARFRegressor(Options options);
  void init(const Features& x);
  std::unique_ptr<HoeffdingTreeRegressor> new_tree() const;
  void set_tree_options();
  void learn_member(Member& m);

  Options options_;
  HoeffdingTreeRegressor::Options tree_options_;  // with the resolved max_features
  std::vector<Member> members_;
  PythonRandom rng_;
  bool initialized_ = false;
  size_t max_features_ = 0;
  ModelContext member_context_;
  const Features* x_ = nullptr;
  double y_ = 0.0;
  mutable std::vector<double> predictions_;
  mutable std::vector<double> weights_;
};

}  // namespace rivulet::ml
