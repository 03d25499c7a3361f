#pragma once
/// Mean absolute error, River's `metrics.MAE` (a running mean of |y_true - y_pred|, updated as
/// River's stats.Mean is).
/// Thread safety: none.
/// ```cpp example
/// auto mae = rivulet::ml::MAE::create().value();
/// mae->update(3.0, 1.0);
/// mae->update(1.0, 2.0);
/// EXPECT_EQ(mae->get(), 1.5);
/// ```

#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/metrics/running_mean.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MAE final : public RegressionMetric {
 public:
  static Result<std::unique_ptr<MAE>> create();
  static Result<std::unique_ptr<MAE>> from_params(Params& p);
  std::string name() const override { return "MAE"; }
  bool bigger_is_better() const override { return false; }
  std::unique_ptr<Metric> clone_fresh() const override { return std::make_unique<MAE>(); }
  void update(double y_true, double y_pred) override;
  void revert(double y_true, double y_pred) override;
  double get() const override { return mean_.get(); }
  void save(StateWriter& out) const override { out(mean_); }
  void load(StateReader& in) override { in(mean_); }

 private:
  RunningMean mean_;
};

}  // namespace rivulet::ml
