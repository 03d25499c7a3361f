#pragma once
/// Root mean squared error, River's `metrics.RMSE`: the square root of the running MSE.
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8]: 0.612372.
/// auto rmse = rivulet::ml::RMSE::create().value();
/// const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
/// for (int i = 0; i < 4; ++i) rmse->update(truth[i], pred[i]);
/// EXPECT_NEAR(rmse->get(), 0.612372, 1e-6);
/// ```

#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/metrics/running_mean.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class RMSE final : public RegressionMetric {
 public:
  static Result<std::unique_ptr<RMSE>> create();
  static Result<std::unique_ptr<RMSE>> from_params(Params& p);
  std::string name() const override { return "RMSE"; }
  bool bigger_is_better() const override { return false; }
  std::unique_ptr<Metric> clone_fresh() const override { return std::make_unique<RMSE>(); }
  void update(double y_true, double y_pred) override;
  void revert(double y_true, double y_pred) override;
  double get() const override;
  void save(StateWriter& out) const override { out(mean_); }
  void load(StateReader& in) override { in(mean_); }

 private:
  RunningMean mean_;  // of the squared errors
};

}  // namespace rivulet::ml
