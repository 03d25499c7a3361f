#pragma once
/// Mean absolute error, River's `metrics.MAE`.
/// Thread safety: none.
/// ```cpp example
/// auto mae = rivulet::ml::MAE::create().value();
/// mae->update(3.0, 1.0);
/// mae->update(1.0, 2.0);
/// EXPECT_EQ(mae->get(), 1.5);
/// ```

#include <cmath>
#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MAE final : public RegressionMetric {
 public:
  static Result<std::unique_ptr<MAE>> create() { return std::make_unique<MAE>(); }
  static Result<std::unique_ptr<MAE>> from_params(Params& p) {
    RIVULET_RETURN_IF_ERROR(p.finish());
    return create();
  }
  std::string name() const override { return "MAE"; }
  bool bigger_is_better() const override { return false; }
  std::unique_ptr<Metric> clone_fresh() const override { return std::make_unique<MAE>(); }
  void update(double y_true, double y_pred) override {
    n_ += 1;
    sum_ += std::abs(y_true - y_pred);
  }
  void revert(double y_true, double y_pred) override {
    n_ -= 1;
    sum_ -= std::abs(y_true - y_pred);
  }
  double get() const override { return n_ > 0 ? sum_ / n_ : 0.0; }
  void save(StateWriter& out) const override { out(n_, sum_); }
  void load(StateReader& in) override { in(n_, sum_); }

 private:
  double n_ = 0, sum_ = 0;
};

}  // namespace rivulet::ml
