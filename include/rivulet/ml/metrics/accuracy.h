#pragma once
/// Share of correct predictions, River's `metrics.Accuracy`.
/// Thread safety: none.
/// ```cpp example
/// auto acc = rivulet::ml::Accuracy::create().value();
/// acc->update(0, 0, {});
/// acc->update(1, 0, {});
/// EXPECT_EQ(acc->get(), 0.5);
/// acc->revert(1, 0, {});
/// EXPECT_EQ(acc->get(), 1.0);
/// ```

#include <memory>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class Accuracy final : public ClassificationMetric {
 public:
  static Result<std::unique_ptr<Accuracy>> create() { return std::make_unique<Accuracy>(); }
  static Result<std::unique_ptr<Accuracy>> from_params(Params& p) {
    RIVULET_RETURN_IF_ERROR(p.finish());
    return create();
  }
  std::string name() const override { return "Accuracy"; }
  bool bigger_is_better() const override { return true; }
  std::unique_ptr<Metric> clone_fresh() const override { return std::make_unique<Accuracy>(); }
  void update(ClassId y_true, ClassId y_pred, std::span<const double>) override {
    n_ += 1;
    correct_ += y_true == y_pred ? 1 : 0;
  }
  void revert(ClassId y_true, ClassId y_pred, std::span<const double>) override {
    n_ -= 1;
    correct_ -= y_true == y_pred ? 1 : 0;
  }
  double get() const override { return n_ > 0 ? correct_ / n_ : 0.0; }
  void save(StateWriter& out) const override { out(n_, correct_); }
  void load(StateReader& in) override { in(n_, correct_); }

 private:
  double n_ = 0, correct_ = 0;
};

}  // namespace rivulet::ml
