#pragma once
/// Binary logarithmic loss, River's `metrics.LogLoss`: the mean of -log(p) over positive samples
/// and -log(1 - p) over negative ones, where p is the predicted probability of the positive
/// class (the label encoder's positive(); 0 when the model gave it none), clamped to
/// [1e-15, 1 - 1e-15] as River clamps it. Reads probabilities (needs_proba()).
/// The positive class is read at each update: revert assumes it has not changed since.
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [T, F, F, T], p(True) = [0.9, 0.1, 0.2, 0.65]: 0.216162.
/// auto metric = rivulet::ml::LogLoss::create().value();  // no encoder: class 1 is positive
/// const unsigned truth[] = {1, 0, 0, 1};
/// const double p[] = {0.9, 0.1, 0.2, 0.65};
/// for (int i = 0; i < 4; ++i) {
///   const double proba[] = {1.0 - p[i], p[i]};
///   metric->update(truth[i], p[i] > 0.5 ? 1 : 0, proba);
/// }
/// EXPECT_NEAR(metric->get(), 0.216162, 1e-6);
/// ```

#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/metrics/running_mean.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class LogLoss final : public ClassificationMetric {
 public:
  static Result<std::unique_ptr<LogLoss>> create();
  static Result<std::unique_ptr<LogLoss>> from_params(Params& p);
  std::string name() const override { return "LogLoss"; }
  bool bigger_is_better() const override { return false; }
  bool needs_proba() const override { return true; }
  std::unique_ptr<Metric> clone_fresh() const override;
  void update(ClassId y_true, ClassId y_pred, std::span<const double> proba) override;
  void revert(ClassId y_true, ClassId y_pred, std::span<const double> proba) override;
  double get() const override { return mean_.get(); }
  void save(StateWriter& out) const override { out(mean_); }
  void load(StateReader& in) override { in(mean_); }

 private:
  double loss(ClassId y_true, std::span<const double> proba) const;

  RunningMean mean_;
};

}  // namespace rivulet::ml
