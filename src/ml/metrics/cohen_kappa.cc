#include "rivulet/ml/metrics/cohen_kappa.h"

namespace rivulet::ml {

Result<std::unique_ptr<CohenKappa>> CohenKappa::create() { return std::make_unique<CohenKappa>(); }

Result<std::unique_ptr<CohenKappa>> CohenKappa::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> CohenKappa::clone_fresh() const {
  auto m = std::make_unique<CohenKappa>();
  m->attach(labels_);
  return m;
}

double CohenKappa::get() const {
  const double n = cm_.total();
  double tp = 0.0, pe = 0.0;
  cm_.for_each_class([&](ClassId c) {
    tp += cm_.count(c, c);
    pe += (cm_.sum_row(c) / n) * (cm_.sum_col(c) / n);
  });
  const double p0 = n != 0.0 ? tp / n : 0.0;
  return 1.0 - pe != 0.0 ? (p0 - pe) / (1.0 - pe) : 0.0;
}

}  // namespace rivulet::ml
