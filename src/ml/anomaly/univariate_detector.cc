#include "rivulet/ml/anomaly/univariate_detector.h"

#include <cmath>

namespace rivulet::ml {

std::string UnivariateAnomalyDetector::feature() const {
  if (!feature_.empty()) return feature_;
  return resolved_ ? feature_name(index_) : "";
}

std::optional<double> UnivariateAnomalyDetector::lookup(const Features& x, FeatureIndex i) {
  for (const auto& f : x) {
    if (f.index == i) return std::isnan(f.value) ? std::nullopt : std::optional<double>(f.value);
  }
  return std::nullopt;
}

std::optional<FeatureIndex> UnivariateAnomalyDetector::find(const Features& x) const {
  if (resolved_) return index_;
  if (!feature_.empty()) {
    return context_.space != nullptr ? context_.space->find(feature_) : std::nullopt;
  }
  if (x.empty()) return std::nullopt;
  FeatureIndex lowest = x[0].index;
  for (const auto& f : x) lowest = f.index < lowest ? f.index : lowest;
  return lowest;
}

std::optional<double> UnivariateAnomalyDetector::value_of(const Features& x) const {
  const auto i = find(x);
  return i ? lookup(x, *i) : std::nullopt;
}

std::optional<double> UnivariateAnomalyDetector::learn_value_of(const Features& x) {
  const auto i = find(x);
  if (!i) return std::nullopt;
  resolved_ = true;
  index_ = *i;
  return lookup(x, *i);
}

}  // namespace rivulet::ml
