#pragma once
/// Balanced accuracy, River's `metrics.BalancedAccuracy`: the recall of each class averaged over
/// River's `classes` (those with a non-zero row or column in the confusion matrix, so a class
/// that was only ever predicted counts with recall 0).
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [0, 1, 0, 0, 1, 0], y_pred = [0, 1, 0, 0, 0, 1] gives 62.50%.
/// auto metric = rivulet::ml::BalancedAccuracy::create().value();
/// const unsigned truth[] = {0, 1, 0, 0, 1, 0}, pred[] = {0, 1, 0, 0, 0, 1};
/// for (int i = 0; i < 6; ++i) metric->update(truth[i], pred[i], {});
/// EXPECT_EQ(metric->get(), 0.625);
/// ```

#include <memory>

#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class BalancedAccuracy final : public ConfusionBasedMetric {
 public:
  static Result<std::unique_ptr<BalancedAccuracy>> create();
  static Result<std::unique_ptr<BalancedAccuracy>> from_params(Params& p);
  std::string name() const override { return "BalancedAccuracy"; }
  std::unique_ptr<Metric> clone_fresh() const override;
  double get() const override;
};

}  // namespace rivulet::ml
