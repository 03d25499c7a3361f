#pragma once
/// River 0.12.1's `anomaly.ThresholdFilter(anomaly_detector, threshold,
/// protect_anomaly_detector=True)`: a score is anomalous when it is >= threshold. See
/// anomaly_filter.h for what protection does. River has no default for `anomaly_detector` and
/// `threshold`; rivulet's are anomaly.HalfSpaceTrees and 0.5 (the middle of the [0, 1] scores of
/// HalfSpaceTrees and GaussianScorer), so that every registry entry builds from its name alone.
/// Thread safety: none.
/// ```cpp example
/// auto detector = rivulet::ml::GaussianScorer::create({.grace_period = 3}).value();
/// auto filter =
///     rivulet::ml::ThresholdFilter::create(std::move(detector), {.threshold = 0.9}).value();
/// for (double v : {1.0, 2.0, 3.0, 2.0}) filter->learn_one(rivulet::Features{{0, v}});
/// EXPECT_FALSE(filter->classify(filter->score_one(rivulet::Features{{0, 2.1}})));
/// EXPECT_TRUE(filter->classify(filter->score_one(rivulet::Features{{0, 50.0}})));
/// filter->learn_one(rivulet::Features{{0, 50.0}});  // anomalous: not learned (protected)
/// EXPECT_TRUE(filter->classify(filter->score_one(rivulet::Features{{0, 50.0}})));
/// ```

#include <memory>

#include "rivulet/ml/anomaly/anomaly_filter.h"

namespace rivulet::ml {

class ThresholdFilter final : public AnomalyFilter {
 public:
  struct Options {
    double threshold = 0.5;                ///< Scores >= this are anomalous. REQUIRES: not NaN.
    bool protect_anomaly_detector = true;  ///< Do not learn anomalous samples.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails or `detector` is null.
  static Result<std::unique_ptr<ThresholdFilter>> create(std::unique_ptr<AnomalyDetector> detector,
                                                         const Options& options);
  static Result<std::unique_ptr<ThresholdFilter>> from_params(Params& p);

  std::string_view name() const override { return "anomaly.ThresholdFilter"; }
  bool classify(double score) const override { return score >= options_.threshold; }
  void describe(Description& out) const override;

  ThresholdFilter(std::unique_ptr<AnomalyDetector> detector, const Options& options);

 private:
  Options options_;
};

}  // namespace rivulet::ml
