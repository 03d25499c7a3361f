#include "rivulet/ml/preprocessing/max_abs_scaler.h"

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<MaxAbsScaler>> MaxAbsScaler::create(const Options&) {
  return std::make_unique<MaxAbsScaler>();
}

Result<std::unique_ptr<MaxAbsScaler>> MaxAbsScaler::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create({});
}

void MaxAbsScaler::learn_one(const Features& x) {
  const FeatureIndex bound = x.index_bound();
  if (bound > abs_max_.size()) abs_max_.resize(bound, 0.0);
  for (const auto& [i, xi] : x) {
    const double a = std::abs(xi);
    if (a > abs_max_[i]) abs_max_[i] = a;
  }
}

void MaxAbsScaler::transform_one(const Features& x, Features& out) const {
  out.clear();
  for (const auto& [i, xi] : x) {
    const double m = i < abs_max_.size() ? abs_max_[i] : 0.0;
    out.push(i, m != 0.0 ? xi / m : 0.0);
  }
}

void MaxAbsScaler::describe(Description& out) const {
  for (FeatureIndex i = 0; i < abs_max_.size(); ++i) {
    if (abs_max_[i] != 0.0) out.add("abs_max[" + feature_name(i) + "]", abs_max_[i]);
  }
}

}  // namespace rivulet::ml
