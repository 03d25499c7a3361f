#pragma once
// Pieces shared by the forests and SRP: River's view of a sample's attributes, and the sums of
// the members' feature importances.
// Thread safety: none needed (functions).

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/state.h"
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

// The class of highest probability; on ties `first` if it is among them, else the lowest id
// (the first seen), as Classifier::predict_one picks it; kNoClass for an empty vector.
inline ClassId most_probable(const std::vector<double>& proba, ClassId first = kNoClass) {
  ClassId best = kNoClass;
  double best_p = -1.0;
  for (ClassId c = 0; c < proba.size(); ++c) {
    if (proba[c] > best_p || (proba[c] == best_p && c == first)) {
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


// The parts of an adaptive random forest's member that ARFClassifier and ARFRegressor share: a
// Member has `model` and `background` (trees with save, load, n_nodes, height, draw,
// feature_importances), `drift` and `warning` detectors (either may be null), a `metric` and the
// counters `n_drifts` and `n_warnings`.

// A member's trees, detectors and metric, written after the member's own fields: the tree's
// state, whether a background tree runs (then its state), the detectors, the metric.
template <class Member>
void save_member_trees(const Member& m, StateWriter& out) {
  m.model->save(out);
  const bool has_background = m.background != nullptr;
  out(has_background);
  if (has_background) m.background->save(out);
  if (m.drift) m.drift->save(out);
  if (m.warning) m.warning->save(out);
  m.metric->save(out);
}

// Reads what save_member_trees wrote; `make_tree()` builds an empty tree of the forest's options.
template <class Member, class MakeTree>
void load_member_trees(Member& m, StateReader& in, const MakeTree& make_tree) {
  m.model = make_tree();
  m.model->load(in);
  bool has_background = false;
  in(has_background);
  m.background.reset();
  if (has_background) {
    m.background = make_tree();
    m.background->load(in);
  }
  if (m.drift) m.drift->load(in);
  if (m.warning) m.warning->load(in);
  m.metric->load(in);
}

// `rivulet inspect`'s account of a forest: sizes, drift counts, and each tree's size and metric.
template <class Member>
void describe_forest(const std::vector<Member>& members, bool initialized, size_t max_features,
                     Description& out) {
  int64_t drifts = 0, warnings = 0;
  for (const Member& m : members) {
    drifts += m.n_drifts;
    warnings += m.n_warnings;
  }
  out.add("n_models", static_cast<double>(members.size()));
  out.add("max_features", static_cast<double>(max_features));
  out.add("n_drifts_detected", static_cast<double>(drifts));
  out.add("n_warnings_detected", static_cast<double>(warnings));
  if (!initialized) return;
  for (size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    out.add(fmt::format("tree[{}].n_nodes", i), static_cast<double>(m.model->n_nodes()));
    out.add(fmt::format("tree[{}].height", i), static_cast<double>(m.model->height()));
    out.add(fmt::format("tree[{}].{}", i, m.metric->name()), m.metric->get());
    out.add(fmt::format("tree[{}].background", i), m.background ? "yes" : "no");
  }
}

// The forest's importances: the sum over its (foreground) trees.
template <class Member>
void forest_importances(const std::vector<Member>& members, std::vector<FeatureImportance>& out) {
  const size_t first = out.size();
  std::vector<FeatureImportance> mine;
  for (const Member& m : members) {
    if (!m.model) continue;
    mine.clear();
    m.model->feature_importances(mine);
    merge_importances(mine, first, out);
  }
}

// Each tree drawn under a "tree N" heading.
template <class Member>
std::string draw_forest(const std::vector<Member>& members, size_t max_depth) {
  std::string text;
  for (size_t i = 0; i < members.size(); ++i) {
    if (!members[i].model) continue;
    text += fmt::format("tree {}\n", i + 1);
    text += members[i].model->draw(max_depth);
    if (!text.empty() && text.back() != '\n') text += '\n';
  }
  return text;
}

}  // namespace rivulet::ml::internal
