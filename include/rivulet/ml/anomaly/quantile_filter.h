#pragma once
/// River 0.12.1's `anomaly.QuantileFilter(anomaly_detector, q, protect_anomaly_detector=True)`: a
/// score is anomalous when it is >= the running q-quantile of the scores learned so far (River's
/// `stats.Quantile(q)`, the P² estimator: stats/quantile.h). As in River, no score is anomalous
/// before the first one is learned, nor while the quantile is exactly 0 (River's
/// `score >= (quantile.get() or math.inf)`; e.g. during HalfSpaceTrees' first window). Learning a
/// sample learns it in the detector unless it is anomalous and protected (see anomaly_filter.h),
/// then adds its score to the quantile in any case. River has no default for `anomaly_detector`
/// and `q`; rivulet's are anomaly.HalfSpaceTrees and 0.95 (River's docstring value).
/// Thread safety: none.
/// ```cpp example
/// auto detector = rivulet::ml::StandardAbsoluteDeviation::create({}).value();
/// auto filter = rivulet::ml::QuantileFilter::create(std::move(detector), {.q = 0.9}).value();
/// for (int i = 0; i < 100; ++i) filter->learn_one(rivulet::Features{{0, (i * 37) % 100 / 10.0}});
/// EXPECT_FALSE(filter->classify(filter->score_one(rivulet::Features{{0, 5.0}})));
/// EXPECT_TRUE(filter->classify(filter->score_one(rivulet::Features{{0, 30.0}})));
/// ```

#include <memory>

#include "rivulet/ml/anomaly/anomaly_filter.h"
#include "rivulet/ml/stats/quantile.h"

namespace rivulet::ml {

class QuantileFilter final : public AnomalyFilter {
 public:
  struct Options {
    double q = 0.95;  ///< Quantile level of the threshold. REQUIRES: 0 < q < 1.
    bool protect_anomaly_detector = true;  ///< Do not learn anomalous samples.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails or `detector` is null.
  static Result<std::unique_ptr<QuantileFilter>> create(std::unique_ptr<AnomalyDetector> detector,
                                                        const Options& options);
  static Result<std::unique_ptr<QuantileFilter>> from_params(Params& p);

  std::string_view name() const override { return "anomaly.QuantileFilter"; }
  bool classify(double score) const override;
  void learn_scored(const Features& x, double score) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// The current threshold: the quantile of the scores learned (+inf while it is 0 or unknown).
  double threshold() const;

  QuantileFilter(std::unique_ptr<AnomalyDetector> detector, const Options& options);

 private:
  Options options_;
  stats::Quantile quantile_;
};

}  // namespace rivulet::ml
