#pragma once
/// The base of River 0.12.1's anomaly filters (`anomaly.base.AnomalyFilter`): a filter wraps an
/// anomaly detector, scores as it does (`score_one` is the detector's score) and turns a score
/// into a decision with `classify(score)`. With `protect_anomaly_detector` (the default), a
/// sample classified as anomalous is not learned, so that sporadic anomalies do not teach the
/// detector that they are normal. Without it every sample is learned: that is what River's
/// documentation says; River's code (`if protect and not classify: learn`) learns nothing at all
/// in that case, which we take for a bug and do not reproduce.
///
/// A filter is an anomaly detector itself, so it is the last step of a model spec:
/// `preprocessing.MinMaxScaler | anomaly.QuantileFilter(anomaly.HalfSpaceTrees(seed=42), q=0.95)`;
/// the wrapped detector is given as a spec call (`anomaly_detector=`).
/// Thread safety: none.

#include <memory>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class AnomalyFilter : public AnomalyDetector {
 public:
  /// True when `score` is anomalous.
  virtual bool classify(double score) const = 0;

  double score_one(const Features& x) const final { return detector_->score_one(x); }
  void learn_one(const Features& x) final { learn_scored(x, detector_->score_one(x)); }
  /// learn_one(x) for an x whose score (score_one(x), in the current state) is known already:
  /// what a model's score-then-learn step uses to score once.
  virtual void learn_scored(const Features& x, double score);

  void attach(const ModelContext& context) override;
  void save(StateWriter& out) const override { detector_->save(out); }
  void load(StateReader& in) override { detector_->load(in); }
  void describe(Description& out) const override;

  const AnomalyDetector& detector() const { return *detector_; }
  bool protect_anomaly_detector() const { return protect_; }

 protected:
  AnomalyFilter(std::unique_ptr<AnomalyDetector> detector, bool protect)
      : detector_(std::move(detector)), protect_(protect) {}
  /// Reads `anomaly_detector` (an anomaly detector spec; rivulet's default, where River has
  /// none: anomaly.HalfSpaceTrees). Returns nullptr after recording an error in `p`.
  static std::unique_ptr<AnomalyDetector> read_detector(Params& p);

  std::unique_ptr<AnomalyDetector> detector_;
  bool protect_ = true;
};

}  // namespace rivulet::ml
