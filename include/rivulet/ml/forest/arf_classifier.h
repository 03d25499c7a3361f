#pragma once
/// Adaptive random forest classifier (Gomes et al. 2017), River 0.12.1's
/// `ensemble.AdaptiveRandomForestClassifier` (`forest.ARFClassifier` from River 0.15 on), with
/// its parameters and defaults.
///
/// `n_models` Hoeffding trees (tree.HoeffdingTreeClassifier with ARF's defaults: grace period
/// 50, delta 0.01) whose leaves each watch a random subset of `max_features` attributes
/// (resolved on the first sample, see MaxFeatures). For each sample, each tree in turn: predicts
/// it and updates its own `metric` (Accuracy); draws k ~ Poisson(`lambda_value`) and, when
/// k > 0, learns it with weight k (its background tree too, if it has one), then feeds its
/// error on the sample (1 when the tree, having learned it, predicts another class) to its
/// warning detector (a warning starts a new background tree and resets the detector) and to its
/// drift detector (a drift swaps the background tree in, or, without one, starts a new tree; the
/// detectors and the metric start afresh). Predictions add up the trees' probabilities, each
/// weighted by its metric when that is positive (unless `disable_weighted_vote`), normalized.
///
/// Randomness: River's, draw for draw. One Python-compatible generator seeded by `seed` (River's
/// `random.Random(seed)`, which the forest shares with its trees) gives, tree after tree, the
/// tree's Poisson weight, then, when the tree (and then its background tree) learns the sample
/// with a leaf that has no attribute subset yet, that leaf's subset
/// (`rng.sample(sorted(x.keys()), k=max_features)`). These draws are made in this order before
/// the trees learn (HoeffdingTreeClassifier::draw_subset), so the trees of one sample learn in
/// parallel on the model's threads (`--threads`) with results that do not depend on the thread
/// count, and a seed gives River's run of that seed. Ties between equally probable classes go
/// as in River: for a binary task to the negative class (River's `False`), else to the first
/// class seen (River's order there is that of a Python set of the labels, which for strings
/// depends on the hash seed).
/// Memory: a tree allocates when it splits; a warning or a drift builds a new tree.
/// Thread safety: none; trees learn in parallel when the model gives a ParallelFor.
/// Reference: H. M. Gomes, A. Bifet, J. Read, J. P. Barddal, F. Enembreck, B. Pfharinger,
/// G. Holmes, T. Abdessalem, "Adaptive random forests for evolving data stream classification",
/// Machine Learning 106, 2017.
/// ```cpp example
/// auto model = rivulet::ml::Model::create("forest.ARFClassifier(n_models=3, seed=42)").value();
/// const auto a = model.labels().intern("a"), b = model.labels().intern("b");
/// const auto f = model.space().intern("x"), g = model.space().intern("noise");
/// for (int i = 0; i < 400; ++i) {
///   const double v = (i * 37 % 100) / 100.0;
///   model.learn_one(rivulet::Features{{f, v}, {g, (i * 53 % 17) / 17.0}}, v < 0.5 ? a : b);
/// }
/// EXPECT_EQ(model.predict_one(rivulet::Features{{f, 0.1}, {g, 0.5}}), a);
/// EXPECT_EQ(model.predict_one(rivulet::Features{{f, 0.9}, {g, 0.5}}), b);
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/forest/max_features.h"
#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/tree/hoeffding_tree_classifier.h"

namespace rivulet::ml {

class ARFClassifier final : public Classifier {
 public:
  /// The tree options of River's ARF (grace_period=50, delta=0.01, memory_estimate_period=2e6;
  /// the rest as HoeffdingTreeClassifier's).
  static HoeffdingTreeClassifier::Options default_tree_options();

  struct Options {
    int64_t n_models = 10;                           ///< Number of trees. REQUIRES: >= 1.
    MaxFeatures max_features = MaxFeatures::sqrt();  ///< Attributes watched per leaf.
    double lambda_value = 6.0;  ///< Poisson rate of the weights. REQUIRES: > 0.
    /// Per-tree metric, for the weighted vote; null: metrics.Accuracy. REQUIRES: classification.
    std::shared_ptr<const Metric> metric = nullptr;
    bool disable_weighted_vote = false;  ///< Plain sum of the trees' probabilities.
    /// Drift detector of each tree (cloned); null: no drift detection (and no warnings).
    std::shared_ptr<const DriftDetector> drift_detector = default_drift_detector();
    /// Warning detector of each tree (cloned); null: no background trees.
    std::shared_ptr<const DriftDetector> warning_detector = default_warning_detector();
    /// The trees' options (their max_features and caller_draws_subsets are set by the forest).
    HoeffdingTreeClassifier::Options tree = default_tree_options();
    uint64_t seed = 0;  ///< Seeds the Poisson weights and the leaves' attribute subsets.
  };
  /// drift.ADWIN(delta=0.001) and drift.ADWIN(delta=0.01), River's defaults.
  static std::shared_ptr<const DriftDetector> default_drift_detector();
  static std::shared_ptr<const DriftDetector> default_warning_detector();

  /// Returns kInvalidArgument if a REQUIRES clause fails or the tree options are invalid.
  static Result<std::unique_ptr<ARFClassifier>> create(Options options);
  /// River's signature: n_models, max_features, lambda_value, metric, disable_weighted_vote,
  /// drift_detector, warning_detector, grace_period, max_depth, split_criterion, delta, tau,
  /// leaf_prediction, nb_threshold, nominal_attributes (comma-separated names), splitter,
  /// binary_split, max_size, memory_estimate_period, stop_mem_management, remove_poor_attrs,
  /// merit_preprune, seed.
  static Result<std::unique_ptr<ARFClassifier>> from_params(Params& p);
  ~ARFClassifier() override;

  std::string_view name() const override { return "forest.ARFClassifier"; }
  void attach(const ModelContext& context) override;
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  /// The most probable class; ties as River breaks them (for a binary task, the negative class).
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;
  /// The trees' importances (foreground trees only), summed by feature.
  void feature_importances(std::vector<FeatureImportance>& out) const override;
  /// Each foreground tree drawn under a "tree i" heading (1-based).
  std::string draw(size_t max_depth) const override;

  const Options& options() const { return options_; }
  size_t n_models() const { return members_.size(); }
  /// False until the first sample has been learned (River builds the trees then).
  bool initialized() const { return initialized_; }
  /// The resolved number of attributes per leaf (0 before the first sample).
  size_t max_features() const { return max_features_; }
  const HoeffdingTreeClassifier& tree(size_t i) const { return *members_[i].model; }
  /// The background tree of slot i, or null.
  const HoeffdingTreeClassifier* background(size_t i) const { return members_[i].background.get(); }
  const Metric& tree_metric(size_t i) const { return *members_[i].metric; }
  int64_t n_drifts_detected(size_t i) const { return members_[i].n_drifts; }
  int64_t n_warnings_detected(size_t i) const { return members_[i].n_warnings; }
  int64_t n_drifts_detected() const;
  int64_t n_warnings_detected() const;

 private:
  struct Member {
    std::unique_ptr<HoeffdingTreeClassifier> model;
    std::unique_ptr<HoeffdingTreeClassifier> background;
    std::unique_ptr<DriftDetector> drift;
    std::unique_ptr<DriftDetector> warning;
    std::unique_ptr<ClassificationMetric> metric;
    int64_t n_drifts = 0;
    int64_t n_warnings = 0;
    int k = 0;                    // this sample's Poisson weight
    std::vector<double> scratch;  // predictions while learning (trees learn in parallel)
    // The tree's prediction of the sample made by the forest's last predict_proba_one, reused
    // as the tree's test-then-train prediction when learn_one gets the same sample.
    mutable std::optional<ClassId> predicted;
  };

  explicit ARFClassifier(Options options);
  void init(const Features& x);
  std::unique_ptr<HoeffdingTreeClassifier> new_tree() const;
  void set_tree_options();
  void learn_member(Member& m);
  void reset_member_state(Member& m);

  Options options_;
  HoeffdingTreeClassifier::Options tree_options_;  // with the resolved max_features
  std::vector<Member> members_;
  PythonRandom rng_;
  bool initialized_ = false;
  size_t max_features_ = 0;
  ModelContext member_context_;
  // The sample being learned (read by the parallel tasks).
  const Features* x_ = nullptr;
  ClassId y_ = 0;
  bool reuse_predictions_ = false;
  mutable std::vector<double> member_proba_;
  // Scratch of predict_proba_one: the trees whose leaves are found together.
  mutable std::vector<HoeffdingTreeClassifier*> walking_;
  mutable std::vector<uint32_t> walk_cursor_;
  // The sample of the last predict_proba_one, whose trees' predictions Member::predicted holds
  // (valid until the forest learns).
  mutable Features predicted_x_;
  mutable bool predictions_valid_ = false;
};

}  // namespace rivulet::ml
