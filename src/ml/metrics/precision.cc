#include "rivulet/ml/metrics/precision.h"

namespace rivulet::ml {

Result<std::unique_ptr<Precision>> Precision::create() { return std::make_unique<Precision>(); }

Result<std::unique_ptr<Precision>> Precision::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> Precision::clone_fresh() const {
  auto m = std::make_unique<Precision>();
  m->attach(labels_);
  return m;
}

double Precision::get() const {
  const auto pos = positive_class();
  if (!pos.has_value()) return 0.0;
  const double tp = cm_.count(*pos, *pos);
  const double fp = cm_.sum_col(*pos) - tp;
  return tp + fp != 0.0 ? tp / (tp + fp) : 0.0;
}

}  // namespace rivulet::ml
