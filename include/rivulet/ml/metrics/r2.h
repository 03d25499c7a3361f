#pragma once
/// Coefficient of determination, River's `metrics.R2`: 1 - RSS / TSS, where TSS comes from a
/// running variance of y_true (River's stats.Var, Welford's update with weight -1 to revert).
/// As in River, get() is 0 while fewer than 2 samples were seen, and 0 when all the y_true seen
/// are equal (TSS = 0).
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8].
/// auto r2 = rivulet::ml::R2::create().value();
/// const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
/// const double expected[] = {0.0, 0.9183, 0.9230, 0.9486};
/// for (int i = 0; i < 4; ++i) {
///   r2->update(truth[i], pred[i]);
///   EXPECT_NEAR(r2->get(), expected[i], 1e-4);
/// }
/// ```

#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class R2 final : public RegressionMetric {
 public:
  static Result<std::unique_ptr<R2>> create();
  static Result<std::unique_ptr<R2>> from_params(Params& p);
  std::string name() const override { return "R2"; }
  bool bigger_is_better() const override { return true; }
  std::unique_ptr<Metric> clone_fresh() const override { return std::make_unique<R2>(); }
  void update(double y_true, double y_pred) override;
  void revert(double y_true, double y_pred) override;
  double get() const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

 private:
  void update_var(double x, double w);

  // River's stats.Var(ddof=1): its Mean's weight and value, and the variance.
  double n_ = 0.0, mean_ = 0.0, var_ = 0.0;
  double rss_ = 0.0;
};

}  // namespace rivulet::ml
