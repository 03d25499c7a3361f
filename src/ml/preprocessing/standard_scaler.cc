#include "rivulet/ml/preprocessing/standard_scaler.h"

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<StandardScaler>> StandardScaler::create(const Options& options) {
  return std::make_unique<StandardScaler>(options);
}

Result<std::unique_ptr<StandardScaler>> StandardScaler::from_params(Params& p) {
  Options o;
  o.with_std = p.boolean("with_std", o.with_std, "divide by the standard deviation");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void StandardScaler::learn_one(const Features& x) {
  const FeatureIndex bound = x.index_bound();
  if (bound > counts_.size()) {
    counts_.resize(bound, 0.0);
    means_.resize(bound, 0.0);
    vars_.resize(bound, 0.0);
  }
  for (const auto& [i, xi] : x) {
    counts_[i] += 1.0;
    const double old_mean = means_[i];
    means_[i] += (xi - old_mean) / counts_[i];
    if (options_.with_std) vars_[i] += ((xi - old_mean) * (xi - means_[i]) - vars_[i]) / counts_[i];
  }
}

void StandardScaler::transform_one(const Features& x, Features& out) const {
  out.clear();
  for (const auto& [i, xi] : x) {
    const double mean = i < means_.size() ? means_[i] : 0.0;
    if (!options_.with_std) {
      out.push(i, xi - mean);
      continue;
    }
    const double sd = i < vars_.size() ? std::sqrt(vars_[i]) : 0.0;
    out.push(i, sd != 0.0 ? (xi - mean) / sd : 0.0);
  }
}

void StandardScaler::describe(Description& out) const {
  for (FeatureIndex i = 0; i < means_.size(); ++i) {
    if (counts_[i] == 0) continue;
    out.add("mean[" + feature_name(i) + "]", means_[i]);
    out.add("std[" + feature_name(i) + "]", std::sqrt(vars_[i]));
  }
}

}  // namespace rivulet::ml
