#include "rivulet/ml/metrics/micro_f1.h"

namespace rivulet::ml {

Result<std::unique_ptr<MicroF1>> MicroF1::create() { return std::make_unique<MicroF1>(); }

Result<std::unique_ptr<MicroF1>> MicroF1::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

std::unique_ptr<Metric> MicroF1::clone_fresh() const {
  auto m = std::make_unique<MicroF1>();
  m->attach(labels_);
  return m;
}

double MicroF1::get() const {
  // River's MicroPrecision and MicroRecall pool the counts over `classes`; every prediction,
  // kNoClass ones too, is a prediction of some class there.
  double tp = 0.0, actual = 0.0;
  cm_.for_each_class([&](ClassId c) {
    tp += cm_.count(c, c);
    actual += cm_.sum_row(c);
  });
  const double predicted = actual;
  const double p = predicted != 0.0 ? tp / predicted : 0.0;
  const double r = actual != 0.0 ? tp / actual : 0.0;
  const double b2 = 1.0;
  const double den = b2 * p + r;
  return den != 0.0 ? (1.0 + b2) * p * r / den : 0.0;
}

}  // namespace rivulet::ml
