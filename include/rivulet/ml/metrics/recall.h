#pragma once
/// Binary recall, River's `metrics.Recall`: tp / (tp + fn) for the positive class (the label
/// encoder's positive(), River's `pos_val`); 0 while no positive sample was seen.
/// Thread safety: none.
/// ```cpp example
/// auto metric = rivulet::ml::Recall::create().value();  // no encoder: class 1 is positive
/// for (auto [t, p] : {std::pair{1u, 1u}, {0u, 1u}, {1u, 0u}, {1u, 1u}, {1u, 1u}}) {
///   metric->update(t, p, {});
/// }
/// EXPECT_EQ(metric->get(), 0.75);
/// ```

#include <memory>

#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class Recall final : public ConfusionBasedMetric {
 public:
  static Result<std::unique_ptr<Recall>> create();
  static Result<std::unique_ptr<Recall>> from_params(Params& p);
  std::string name() const override { return "Recall"; }
  std::unique_ptr<Metric> clone_fresh() const override;
  double get() const override;
};

}  // namespace rivulet::ml
