#pragma once
/// Cohen's kappa, River's `metrics.CohenKappa`: (p0 - pe) / (1 - pe), where p0 is the accuracy
/// and pe the agreement expected by chance, sum over classes of (row share x column share);
/// 0 when pe is 1 (or nothing was seen).
/// Thread safety: none.
/// Reference: J. Cohen (1960). "A coefficient of agreement for nominal scales". Educational and
/// Psychological Measurement 20(1):37-46.
/// ```cpp example
/// // River's docstring: cat ant cat cat ant bird against ant ant cat cat ant cat: 0.428571.
/// auto metric = rivulet::ml::CohenKappa::create().value();
/// const unsigned cat = 0, ant = 1, bird = 2;
/// const unsigned truth[] = {cat, ant, cat, cat, ant, bird}, pred[] = {ant, ant, cat, cat, ant,
/// cat}; for (int i = 0; i < 6; ++i) metric->update(truth[i], pred[i], {});
/// EXPECT_DOUBLE_EQ(metric->get(), 3.0 / 7.0);
/// ```

#include <memory>

#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class CohenKappa final : public ConfusionBasedMetric {
 public:
  static Result<std::unique_ptr<CohenKappa>> create();
  static Result<std::unique_ptr<CohenKappa>> from_params(Params& p);
  std::string name() const override { return "CohenKappa"; }
  std::unique_ptr<Metric> clone_fresh() const override;
  double get() const override;
};

}  // namespace rivulet::ml
