#include "rivulet/ml/metrics/balanced_accuracy.h"

namespace rivulet::ml {

Result<std::unique_ptr<BalancedAccuracy>> BalancedAccuracy::create() {
  return std::make_unique<BalancedAccuracy>();
}

Result<std::unique_ptr<BalancedAccuracy>> BalancedAccuracy::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> BalancedAccuracy::clone_fresh() const {
  auto m = std::make_unique<BalancedAccuracy>();
  m->attach(labels_);
  return m;
}

double BalancedAccuracy::get() const {
  double total = 0.0;
  size_t n = 0;
  cm_.for_each_class([&](ClassId c) {
    ++n;
    const double row = cm_.sum_row(c);
    if (row != 0.0) total += cm_.count(c, c) / row;
  });
  return n > 0 ? total / static_cast<double>(n) : 0.0;
}

}  // namespace rivulet::ml
