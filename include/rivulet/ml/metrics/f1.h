#pragma once
/// Binary F1 score, River's `metrics.F1`: the harmonic mean of Precision and Recall of the
/// positive class (the label encoder's positive(), River's `pos_val`); 0 when both are 0.
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [F, F, F, T, T, T], y_pred = [F, F, T, T, F, F] gives 40%.
/// auto metric = rivulet::ml::F1::create().value();  // no encoder: class 1 is positive
/// const unsigned truth[] = {0, 0, 0, 1, 1, 1}, pred[] = {0, 0, 1, 1, 0, 0};
/// for (int i = 0; i < 6; ++i) metric->update(truth[i], pred[i], {});
/// EXPECT_DOUBLE_EQ(metric->get(), 0.4);
/// ```

#include <memory>

#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class F1 final : public ConfusionBasedMetric {
 public:
  static Result<std::unique_ptr<F1>> create();
  static Result<std::unique_ptr<F1>> from_params(Params& p);
  std::string name() const override { return "F1"; }
  std::unique_ptr<Metric> clone_fresh() const override;
  double get() const override;
};

}  // namespace rivulet::ml
