#pragma once
// Pieces shared by the forests and SRP: River's view of a sample's attributes, and the sums of
// the members' feature importances.
// Thread safety: none needed (functions).

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/ml/estimator.h"

namespace rivulet::ml::internal {

// River's attribute of a feature: the column of a one-hot `column=value` feature, else the
// feature's own name (`#index` without a feature space).
inline std::string attribute_name(FeatureIndex f, const FeatureSpace* space) {
  std::string name;
  if (space == nullptr || f >= space->size()) {
    name = std::to_string(f);
    name.insert(name.begin(), '#');
    return name;
  }
  name = space->name(f);
  const size_t eq = name.find('=');
  if (eq != std::string::npos) name.resize(eq);
  return name;
}

// len(x) as River counts it: the number of distinct attributes of x.
inline size_t count_attributes(const Features& x, const FeatureSpace* space) {
  std::vector<std::string> names;
  names.reserve(x.size());
  for (const Feature& f : x) names.push_back(attribute_name(f.index, space));
  std::sort(names.begin(), names.end());
  return static_cast<size_t>(std::unique(names.begin(), names.end()) - names.begin());
}

// The class of highest probability (the lowest id, i.e. the first seen, on ties), as
// Classifier::predict_one picks it; kNoClass for an empty vector.
inline ClassId most_probable(const std::vector<double>& proba) {
  ClassId best = kNoClass;
  double best_p = -1.0;
  for (ClassId c = 0; c < proba.size(); ++c) {
    if (proba[c] > best_p) {
      best_p = proba[c];
      best = c;
    }
  }
  return best;
}

// Adds `add` into `out`, merging entries of the same feature (entries of `out` before `first`
// are left alone).
inline void merge_importances(const std::vector<FeatureImportance>& add, size_t first,
                              std::vector<FeatureImportance>& out) {
  for (const FeatureImportance& f : add) {
    bool merged = false;
    for (size_t j = first; j < out.size(); ++j) {
      if (out[j].feature == f.feature) {
        out[j].splits += f.splits;
        out[j].impurity_reduction += f.impurity_reduction;
        merged = true;
        break;
      }
    }
    if (!merged) out.push_back(f);
  }
}

}  // namespace rivulet::ml::internal
