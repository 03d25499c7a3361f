#include "rivulet/ml/metrics/f1.h"

namespace rivulet::ml {

Result<std::unique_ptr<F1>> F1::create() { return std::make_unique<F1>(); }

Result<std::unique_ptr<F1>> F1::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> F1::clone_fresh() const {
  auto m = std::make_unique<F1>();
  m->attach(labels_);
  return m;
}

double F1::get() const {
  const auto pos = positive_class();
  if (!pos.has_value()) return 0.0;
  const double tp = cm_.count(*pos, *pos);
  const double fp = cm_.sum_col(*pos) - tp;
  const double fn = cm_.sum_row(*pos) - tp;
  const double p = tp + fp != 0.0 ? tp / (tp + fp) : 0.0;
  const double r = tp + fn != 0.0 ? tp / (tp + fn) : 0.0;
  // River's FBeta with beta = 1, written as River evaluates it.
  const double b2 = 1.0;
  const double den = b2 * p + r;
  return den != 0.0 ? (1.0 + b2) * p * r / den : 0.0;
}

}  // namespace rivulet::ml
