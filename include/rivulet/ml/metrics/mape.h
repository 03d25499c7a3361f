#pragma once
/// Mean absolute percentage error, River's `metrics.MAPE`, in percent (River returns 100 x the
/// mean): each sample adds |y_true - y_pred| / |y_true|, and a sample with y_true == 0 adds 0
/// while still counting in the mean, as River's does.
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8]: 32.738095.
/// auto mape = rivulet::ml::MAPE::create().value();
/// const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
/// for (int i = 0; i < 4; ++i) mape->update(truth[i], pred[i]);
/// EXPECT_NEAR(mape->get(), 32.738095, 1e-6);
/// ```

#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/metrics/running_mean.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MAPE final : public RegressionMetric {
 public:
  static Result<std::unique_ptr<MAPE>> create();
  static Result<std::unique_ptr<MAPE>> from_params(Params& p);
  std::string name() const override { return "MAPE"; }
  bool bigger_is_better() const override { return false; }
  std::unique_ptr<Metric> clone_fresh() const override { return std::make_unique<MAPE>(); }
  void update(double y_true, double y_pred) override;
  void revert(double y_true, double y_pred) override;
  double get() const override { return 100.0 * mean_.get(); }
  void save(StateWriter& out) const override { out(mean_); }
  void load(StateReader& in) override { in(mean_); }

 private:
  RunningMean mean_;  // of the fractions
};

}  // namespace rivulet::ml
