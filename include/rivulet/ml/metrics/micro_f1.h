#pragma once
/// Micro-averaged F1, River's `metrics.MicroF1`: F1 of the pooled counts of all classes, which
/// for single-label classification equals the accuracy.
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [0, 1, 2, 2, 0], y_pred = [0, 1, 1, 2, 1] gives 60%.
/// auto metric = rivulet::ml::MicroF1::create().value();
/// const unsigned truth[] = {0, 1, 2, 2, 0}, pred[] = {0, 1, 1, 2, 1};
/// for (int i = 0; i < 5; ++i) metric->update(truth[i], pred[i], {});
/// EXPECT_DOUBLE_EQ(metric->get(), 0.6);
/// ```

#include <memory>

#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MicroF1 final : public ConfusionBasedMetric {
 public:
  static Result<std::unique_ptr<MicroF1>> create();
  static Result<std::unique_ptr<MicroF1>> from_params(Params& p);
  std::string name() const override { return "MicroF1"; }
  std::unique_ptr<Metric> clone_fresh() const override;
  double get() const override;
};

}  // namespace rivulet::ml
