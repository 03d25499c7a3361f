#include "rivulet/ml/metrics/recall.h"

namespace rivulet::ml {

Result<std::unique_ptr<Recall>> Recall::create() { return std::make_unique<Recall>(); }

Result<std::unique_ptr<Recall>> Recall::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> Recall::clone_fresh() const {
  auto m = std::make_unique<Recall>();
  m->attach(labels_);
  return m;
}

double Recall::get() const {
  const auto pos = positive_class();
  if (!pos.has_value()) return 0.0;
  const double tp = cm_.count(*pos, *pos);
  const double fn = cm_.sum_row(*pos) - tp;
  return tp + fn != 0.0 ? tp / (tp + fn) : 0.0;
}

}  // namespace rivulet::ml
