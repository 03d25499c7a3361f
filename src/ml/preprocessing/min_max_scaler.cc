#include "rivulet/ml/preprocessing/min_max_scaler.h"

#include <cmath>
#include <limits>

namespace rivulet::ml {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
}

Result<std::unique_ptr<MinMaxScaler>> MinMaxScaler::create(const Options&) {
  return std::make_unique<MinMaxScaler>();
}

Result<std::unique_ptr<MinMaxScaler>> MinMaxScaler::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create({});
}

void MinMaxScaler::learn_one(const Features& x) {
  const FeatureIndex bound = x.index_bound();
  if (bound > min_.size()) {
    min_.resize(bound, kInf);
    max_.resize(bound, -kInf);
  }
  for (const auto& [i, xi] : x) {
    if (xi < min_[i]) min_[i] = xi;
    if (xi > max_[i]) max_[i] = xi;
  }
}

void MinMaxScaler::transform_one(const Features& x, Features& out) const {
  out.clear();
  for (const auto& [i, xi] : x) {
    if (i >= min_.size() || min_[i] > max_[i]) {  // never learned
      out.push(i, 0.0);
      continue;
    }
    const double range = max_[i] - min_[i];
    out.push(i, range != 0.0 ? (xi - min_[i]) / range : 0.0);
  }
}

void MinMaxScaler::describe(Description& out) const {
  for (FeatureIndex i = 0; i < min_.size(); ++i) {
    if (min_[i] > max_[i]) continue;
    out.add("min[" + feature_name(i) + "]", min_[i]);
    out.add("max[" + feature_name(i) + "]", max_[i]);
  }
}

}  // namespace rivulet::ml
