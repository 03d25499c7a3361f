#pragma once
/// Binary precision, River's `metrics.Precision`: tp / (tp + fp) for the positive class (the
/// label encoder's positive(), River's `pos_val`); 0 while nothing was predicted positive.
/// Thread safety: none.
/// ```cpp example
/// // Without an attached encoder, class 1 is the positive one (True), 0 the negative (False).
/// auto metric = rivulet::ml::Precision::create().value();
/// for (auto [t, p] : {std::pair{1u, 1u}, {0u, 1u}, {1u, 0u}, {1u, 1u}, {1u, 1u}}) {
///   metric->update(t, p, {});
/// }
/// EXPECT_EQ(metric->get(), 0.75);
/// ```

#include <memory>

#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class Precision final : public ConfusionBasedMetric {
 public:
  static Result<std::unique_ptr<Precision>> create();
  static Result<std::unique_ptr<Precision>> from_params(Params& p);
  std::string name() const override { return "Precision"; }
  std::unique_ptr<Metric> clone_fresh() const override;
  double get() const override;
};

}  // namespace rivulet::ml
