#include "rivulet/ml/metrics/log_loss.h"

#include <algorithm>
#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<LogLoss>> LogLoss::create() { return std::make_unique<LogLoss>(); }

Result<std::unique_ptr<LogLoss>> LogLoss::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> LogLoss::clone_fresh() const {
  auto m = std::make_unique<LogLoss>();
  m->attach(labels_);
  return m;
}

double LogLoss::loss(ClassId y_true, std::span<const double> proba) const {
  const auto pos = positive_class();
  // River's ClassificationMetric._clamp_proba.
  const double p = std::max(std::min(proba_of(proba, pos), 1.0 - 1e-15), 1e-15);
  if (pos.has_value() && y_true == *pos) return -std::log(p);
  return -std::log(1.0 - p);
}

void LogLoss::update(ClassId y_true, ClassId, std::span<const double> proba) {
  mean_.update(loss(y_true, proba));
}

void LogLoss::revert(ClassId y_true, ClassId, std::span<const double> proba) {
  mean_.revert(loss(y_true, proba));
}

}  // namespace rivulet::ml
