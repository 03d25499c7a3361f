#pragma once
/// The base of the anomaly detectors that score one number: River's supervised anomaly
/// detectors (`GaussianScorer`, `StandardAbsoluteDeviation`) score the target y
/// (`learn_one(None, y)`); rivulet's score one numeric feature of x instead, named by the
/// `feature` parameter, so that they are ordinary anomaly detectors of a model spec and `rivulet
/// eval --target` can keep the label away from them. Without a name the feature is the first one
/// of x (the lowest feature index, i.e. the first numeric column of a file), fixed at the first
/// sample learned. A sample without the feature is not learned and scores 0.
/// Thread safety: none.

#include <optional>
#include <string>

#include "rivulet/ml/estimator.h"

namespace rivulet::ml {

class UnivariateAnomalyDetector : public AnomalyDetector {
 public:
  /// The feature scored: the name given, else the one fixed by the first sample ("" before).
  std::string feature() const;

 protected:
  explicit UnivariateAnomalyDetector(std::string feature) : feature_(std::move(feature)) {}
  /// x's value of the scored feature, or nullopt when x does not have it.
  std::optional<double> value_of(const Features& x) const;
  /// The same, fixing the feature when it is not fixed yet (learn_one calls this).
  std::optional<double> learn_value_of(const Features& x);
  void save_feature(StateWriter& out) const { out(resolved_, index_); }
  void load_feature(StateReader& in) { in(resolved_, index_); }

 private:
  std::optional<FeatureIndex> find(const Features& x) const;
  static std::optional<double> lookup(const Features& x, FeatureIndex i);

  std::string feature_;
  bool resolved_ = false;
  FeatureIndex index_ = 0;
};

}  // namespace rivulet::ml
