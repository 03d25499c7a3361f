#pragma once
/// Streaming random patches (Gomes, Read, Bifet 2019), River 0.12.1's `ensemble.SRPClassifier`:
/// `n_models` copies of any registered classifier (by default
/// tree.HoeffdingTreeClassifier(grace_period=50, delta=0.01)), each trained on a random subset of
/// the attributes (a subspace) and, with 'patches' (the default) or 'resampling', with
/// Poisson(`lam`) weights (a member learns a sample k times; 'subspaces': once).
///
/// Subspaces are made at the first sample, from its n attributes (River's `list(x.keys())`: in
/// column order, the order of their feature indices), of k attributes: k = round(n * subspace_size)
/// for a float in (0, 1] (+1 when that is under 2), k for an int > 2, round(sqrt(n)) + 1 for
/// 'sqrt', n - round(sqrt(n)) + 1 for 'rmsqrt'. When 0 < k < n: for n <= 20 the first `n_models`
/// combinations of k attributes (itertools.combinations order, cycling), else a random sample
/// per member; otherwise every member sees every attribute ('resampling'). The subspaces are
/// dealt to the members in a shuffled order. A member reads only the attributes of its subspace,
/// for learning and for predicting.
///
/// Each member, for each sample: predicts it (updating its `metric`, Accuracy, when it can);
/// learns it k times; trains its background learner; then, unless `disable_detector` is
/// 'drift', feeds its error (after learning) to its warning detector (unless 'warning'; a
/// warning starts a background learner on a new random subspace of the same size) and to its
/// drift detector (a drift swaps in the background learner, or without one starts a fresh
/// member on a new random subspace). Probabilities are the members' sums, each weighted by its
/// metric when positive (unless `disable_weighted_vote`), normalized.
///
/// Randomness: River's `random.Random(seed)` (rivulet::PythonRandom) makes the subspaces, the
/// shuffle and the Poisson weights, drawn in member order before the members learn; the new
/// subspaces of warnings and drifts come from each member's own generator (River draws them
/// from the shared one), so members learn in parallel on the model's threads with results that
/// do not depend on the thread count.
/// Thread safety: none; members learn in parallel when the model gives a ParallelFor.
/// Reference: H. M. Gomes, J. Read, A. Bifet, "Streaming random patches for evolving data
/// stream classification", ICDM 2019.
/// ```cpp example
/// auto model = rivulet::ml::Model::create(
///     "ensemble.SRPClassifier(model=naive_bayes.GaussianNB(), n_models=3, seed=42)").value();
/// const auto a = model.labels().intern("a"), b = model.labels().intern("b");
/// const auto f = model.space().intern("x"), g = model.space().intern("y"),
///            h = model.space().intern("z");
/// for (int i = 0; i < 100; ++i) {
///   const double s = i % 2 == 0 ? -1.0 : 1.0;
///   model.learn_one(rivulet::Features{{f, s * (1 + i % 3)}, {g, s}, {h, s * 2}}, s < 0 ? a : b);
/// }
/// EXPECT_EQ(model.predict_one(rivulet::Features{{f, 2.0}, {g, 1.0}, {h, 2.0}}), b);
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
#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class SRPClassifier final : public Classifier {
 public:
  enum class TrainingMethod : uint8_t { kPatches, kSubspaces, kResampling };
  /// River's `subspace_size`: a share (float in (0, 1]), a count (int > 2), 'sqrt' or 'rmsqrt'.
  struct SubspaceSize {
    enum class Kind : uint8_t { kFraction, kCount, kSqrt, kRmSqrt };
    Kind kind = Kind::kFraction;
    double value = 0.6;  ///< the share or the count
    /// The subspace size k for n attributes (before the adjustments for small k).
    int64_t resolve(size_t n) const;
  };

  struct Options {
    EstimatorMaker model;             ///< Builds a fresh member. REQUIRES: set; builds classifiers.
    int64_t n_models = 10;            ///< REQUIRES: >= 1.
    SubspaceSize subspace_size = {};  ///< REQUIRES: float in (0, 1], int > 2, sqrt or rmsqrt.
    TrainingMethod training_method = TrainingMethod::kPatches;
    double lam = 6.0;  ///< Poisson rate of the weights. REQUIRES: > 0.
    /// Drift detector of each member (cloned); null: none (River's disable_detector='drift').
    std::shared_ptr<const DriftDetector> drift_detector = default_drift_detector();
    /// Warning detector (cloned); null: no background learners (disable_detector='warning').
    std::shared_ptr<const DriftDetector> warning_detector = default_warning_detector();
    bool disable_weighted_vote = false;
    uint64_t seed = 0;  ///< Seeds the subspaces, the weights and unseeded members.
    /// Per-member metric of the weighted vote; null: metrics.Accuracy. REQUIRES: classification.
    std::shared_ptr<const Metric> metric = nullptr;
  };
  /// drift.ADWIN(delta=1e-5) and drift.ADWIN(delta=1e-4), River's defaults.
  static std::shared_ptr<const DriftDetector> default_drift_detector();
  static std::shared_ptr<const DriftDetector> default_warning_detector();

  /// Returns kInvalidArgument if a REQUIRES clause fails or the maker fails.
  static Result<std::unique_ptr<SRPClassifier>> create(Options options);
  /// River's signature: model, n_models, subspace_size, training_method ('patches',
  /// 'subspaces', 'resampling'), lam, drift_detector, warning_detector, disable_detector
  /// ('off', 'drift', 'warning'), disable_weighted_vote, seed, metric.
  static Result<std::unique_ptr<SRPClassifier>> from_params(Params& p);
  ~SRPClassifier() override;

  std::string_view name() const override { return "ensemble.SRPClassifier"; }
  void attach(const ModelContext& context) override;
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  /// The most probable class; of tied classes, the one River's class order puts first (the
  /// negative label of a binary task, else the lowest class id).
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;
  void feature_importances(std::vector<FeatureImportance>& out) const override;
  std::string draw(size_t max_depth) const override;

  size_t n_models() const { return members_.size(); }
  bool initialized() const { return initialized_; }
  /// The training method in use ('patches' or 'subspaces' become 'resampling' when the subspace
  /// would hold every attribute).
  TrainingMethod training_method() const { return training_method_; }
  /// The attributes of member i's subspace (empty: all of them).
  const std::vector<std::string>& subspace(size_t i) const { return members_[i].front.subspace; }
  const Classifier& member(size_t i) const { return *members_[i].front.model; }
  const Metric& member_metric(size_t i) const { return *members_[i].metric; }
  bool has_background(size_t i) const { return members_[i].back.model != nullptr; }
  int64_t n_drifts_detected(size_t i) const { return members_[i].n_drifts; }
  int64_t n_warnings_detected(size_t i) const { return members_[i].n_warnings; }

 private:
  // A model and the attributes it reads.
  struct Learner {
    std::unique_ptr<Classifier> model;
    uint64_t seed = 0;
    std::vector<std::string> subspace;  // attribute names; empty: all
    // Feature index -> 1 when its attribute is in the subspace, 0 when not, 2 unresolved
    // (resolved when the index first comes, also while predicting).
    mutable std::vector<uint8_t> reads;
    mutable Features x;  // the sample restricted to the subspace
  };
  struct Member {
    Learner front;
    Learner back;
    std::unique_ptr<DriftDetector> drift;
    std::unique_ptr<DriftDetector> warning;
    std::unique_ptr<ClassificationMetric> metric;
    PythonRandom rng;  // the member's new subspaces
    Random seeds;      // the seeds of the member's new models
    int64_t n_drifts = 0;
    int64_t n_warnings = 0;
    int k = 0;
    bool warned = false;   // this sample raised a warning
    bool drifted = false;  // this sample raised a drift
    std::vector<double> scratch;
    // The member's prediction of the sample of the ensemble's last predict_proba_one, reused as
    // its test-then-train prediction when learn_one gets the same sample.
    mutable std::optional<ClassId> predicted;
  };

  explicit SRPClassifier(Options options);
  void init(const Features& x);
  Status build(Learner& learner, uint64_t seed) const;
  const Features& restrict(const Learner& learner, const Features& x) const;
  std::vector<std::string> random_subspace(PythonRandom& rng, size_t k) const;
  void learn_member(Member& m);
  void handle_changes(Member& m);
  void learn_learner(Learner& l, int k);

  Options options_;
  TrainingMethod training_method_;
  std::vector<Member> members_;
  PythonRandom rng_;
  bool initialized_ = false;
  std::vector<std::string> all_features_;  // the attributes of the first sample, in its order
  ModelContext member_context_;
  const Features* x_ = nullptr;
  ClassId y_ = 0;
  bool reuse_predictions_ = false;
  mutable std::vector<double> member_proba_;
  mutable Features predicted_x_;
  mutable bool predictions_valid_ = false;
};

}  // namespace rivulet::ml
