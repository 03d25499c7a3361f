#include "rivulet/ml/estimator.h"

#include <fmt/format.h>

namespace rivulet::ml {

void Description::add(std::string key, double value) {
  items_.emplace_back(std::move(key), fmt::format("{:.6g}", value));
}

std::optional<ClassId> Classifier::predict_one(const Features& x, std::vector<double>& scratch) const {
  if (!predict_proba_one(x, scratch)) return std::nullopt;
  ClassId best = kNoClass;
  double best_p = -1.0;
  for (ClassId c = 0; c < scratch.size(); ++c) {
    if (scratch[c] > best_p) {
      best_p = scratch[c];
      best = c;
    }
  }
  return best;
}

bool BinaryClassifier::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  const LabelEncoder* labels = context_.labels;
  proba.assign(labels != nullptr ? labels->size() : 0, 0.0);
  const double p = predict_positive(x);
  if (labels == nullptr) return true;
  if (auto pos = labels->positive()) proba[*pos] = p;
  if (auto neg = labels->negative()) proba[*neg] = 1.0 - p;
  return true;
}

std::optional<ClassId> BinaryClassifier::predict_one(const Features& x, std::vector<double>&) const {
  const double p = predict_positive(x);
  const LabelEncoder* labels = context_.labels;
  std::optional<ClassId> chosen = labels == nullptr ? std::nullopt
                                  : p > 0.5          ? labels->positive()
                                                     : labels->negative();
  return chosen.value_or(kNoClass);
}

}  // namespace rivulet::ml
