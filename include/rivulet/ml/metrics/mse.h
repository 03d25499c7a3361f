#pragma once
/// Mean squared error, River's `metrics.MSE` (a running mean of (y_true - y_pred)^2).
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8].
/// auto mse = rivulet::ml::MSE::create().value();
/// const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
/// for (int i = 0; i < 4; ++i) mse->update(truth[i], pred[i]);
/// EXPECT_EQ(mse->get(), 0.375);
/// ```

#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/metrics/running_mean.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MSE final : public RegressionMetric {
 public:
  static Result<std::unique_ptr<MSE>> create();
  static Result<std::unique_ptr<MSE>> from_params(Params& p);
  std::string name() const override { return "MSE"; }
  bool bigger_is_better() const override { return false; }
  std::unique_ptr<Metric> clone_fresh() const override { return std::make_unique<MSE>(); }
  void update(double y_true, double y_pred) override;
  void revert(double y_true, double y_pred) override;
  double get() const override { return mean_.get(); }
  void save(StateWriter& out) const override { out(mean_); }
  void load(StateReader& in) override { in(mean_); }

 private:
  RunningMean mean_;
};

}  // namespace rivulet::ml
