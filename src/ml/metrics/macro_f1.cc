#include "rivulet/ml/metrics/macro_f1.h"

namespace rivulet::ml {

Result<std::unique_ptr<MacroF1>> MacroF1::create() { return std::make_unique<MacroF1>(); }

Result<std::unique_ptr<MacroF1>> MacroF1::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> MacroF1::clone_fresh() const {
  auto m = std::make_unique<MacroF1>();
  m->attach(labels_);
  return m;
}

double MacroF1::get() const {
  const double b2 = 1.0;
  double total = 0.0;
  size_t n = 0;
  cm_.for_each_class([&](ClassId c) {
    ++n;
    const double tp = cm_.count(c, c);
    const double col = cm_.sum_col(c), row = cm_.sum_row(c);
    const double p = col != 0.0 ? tp / col : 0.0;
    const double r = row != 0.0 ? tp / row : 0.0;
    const double den = b2 * p + r;
    if (den != 0.0) total += (1.0 + b2) * p * r / den;
  });
  return n > 0 ? total / static_cast<double>(n) : 0.0;
}

}  // namespace rivulet::ml
