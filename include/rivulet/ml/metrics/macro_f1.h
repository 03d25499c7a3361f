#pragma once
/// Macro-averaged F1, River's `metrics.MacroF1`: the F1 score of each class (0 where precision
/// and recall are both 0), averaged over River's `classes` (those with a non-zero row or column
/// in the confusion matrix).
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].
/// auto metric = rivulet::ml::MacroF1::create().value();
/// const unsigned truth[] = {0, 1, 2, 2, 2}, pred[] = {0, 0, 2, 2, 1};
/// for (int i = 0; i < 5; ++i) metric->update(truth[i], pred[i], {});
/// EXPECT_NEAR(metric->get(), 0.4889, 1e-4);
/// ```

#include <memory>

#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MacroF1 final : public ConfusionBasedMetric {
 public:
  static Result<std::unique_ptr<MacroF1>> create();
  static Result<std::unique_ptr<MacroF1>> from_params(Params& p);
  std::string name() const override { return "MacroF1"; }
  std::unique_ptr<Metric> clone_fresh() const override;
  double get() const override;
};

}  // namespace rivulet::ml
