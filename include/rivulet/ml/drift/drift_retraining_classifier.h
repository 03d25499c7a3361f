#pragma once
/// A classifier that retrains when its error drifts, River's `drift.DriftRetrainingClassifier(
/// model, drift_detector=drift.binary.DDM(), train_in_background=True)` (added to River after
/// 0.12). Learning a sample: the current model predicts it first; when it can, the detector reads
/// its 0/1 error. With `train_in_background`, a background model learns every sample on which
/// the detector is in its warning zone, and on a drift it becomes the model (a fresh background
/// model is made; a drift without a warning before it thus swaps in a fresh model). Without,
/// a drift resets the model to a fresh one. Then the model learns the sample. Predictions are
/// the model's. Fresh models are new copies of the base learner's spec, built with the model's
/// seed (River clones the model). `describe()` reports the drifts and warnings seen.
/// Thread safety: none.
/// ```cpp example
/// auto model = rivulet::ml::Model::create(
///     "drift.DriftRetrainingClassifier(model=naive_bayes.GaussianNB(), "
///     "drift_detector=drift.ADWIN(), train_in_background=False)").value();
/// const auto a = model.labels().intern("a"), b = model.labels().intern("b");
/// const auto f = model.space().intern("x");
/// for (int i = 0; i < 3000; ++i) {  // the labels swap sides after 1,500 samples
///   const bool swapped = i >= 1500;
///   model.learn_one(rivulet::Features{{f, -1.0 - i % 3}}, swapped ? b : a);
///   model.learn_one(rivulet::Features{{f, 1.0 + i % 3}}, swapped ? a : b);
/// }
/// EXPECT_EQ(model.predict_one(rivulet::Features{{f, 2.0}}), a);  // it retrained
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class DriftRetrainingClassifier final : public Classifier {
 public:
  struct Options {
    EstimatorMaker model = {};  ///< Builds a fresh model. REQUIRES: set; builds classifiers.
    /// Reads the model's 0/1 error. REQUIRES: set. River's default: drift.binary.DDM().
    std::unique_ptr<DriftDetector> drift_detector = nullptr;
    bool train_in_background = true;  ///< Train a background model from the warning on.
    std::optional<uint64_t> seed =
        std::nullopt;  ///< Seed given to the fresh models (the model's seed).
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails or the maker fails.
  static Result<std::unique_ptr<DriftRetrainingClassifier>> create(Options options);
  static Result<std::unique_ptr<DriftRetrainingClassifier>> from_params(Params& p);
  ~DriftRetrainingClassifier() override;

  std::string_view name() const override { return "drift.DriftRetrainingClassifier"; }
  void attach(const ModelContext& context) override;
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;
  void feature_importances(std::vector<FeatureImportance>& out) const override;
  std::string draw(size_t max_depth) const override;

  const Classifier& model() const { return *model_; }
  /// The background model, nullptr without train_in_background.
  const Classifier* background() const { return background_.get(); }
  const DriftDetector& drift_detector() const { return *detector_; }
  int64_t n_drifts() const { return n_drifts_; }
  /// Samples the background model learned (in the warning zone), since the last drift.
  int64_t n_background_samples() const { return n_background_samples_; }

 private:
  DriftRetrainingClassifier() = default;
  Result<std::unique_ptr<Classifier>> make() const;

  EstimatorMaker maker_;
  std::optional<uint64_t> seed_;
  bool train_in_background_ = true;
  std::unique_ptr<Classifier> model_;
  std::unique_ptr<Classifier> background_;
  std::unique_ptr<DriftDetector> detector_;
  int64_t n_drifts_ = 0;
  int64_t n_warnings_ = 0;  // samples seen in the warning zone
  int64_t n_background_samples_ = 0;
  std::vector<double> scratch_;
};

}  // namespace rivulet::ml
