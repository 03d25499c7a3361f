#include "rivulet/ml/tree/nominal_splitter.h"

#include <algorithm>

namespace rivulet::ml::tree {

NominalClassObserver::ClassEntry* NominalClassObserver::find_class(ClassId cls) {
  for (auto& e : classes_) {
    if (e.cls == cls) return &e;
  }
  return nullptr;
}

const NominalClassObserver::ClassEntry* NominalClassObserver::find_class(ClassId cls) const {
  for (const auto& e : classes_) {
    if (e.cls == cls) return &e;
  }
  return nullptr;
}

void NominalClassObserver::update(uint32_t category, ClassId cls, double w) {
  if (std::find(values_.begin(), values_.end(), category) == values_.end())
    values_.push_back(category);
  ClassEntry* e = find_class(cls);
  if (e == nullptr) {
    classes_.push_back({cls, {}});
    e = &classes_.back();
  }
  for (auto& [c, weight] : e->by_category) {
    if (c == category) {
      weight += w;
      total_ += w;
      return;
    }
  }
  e->by_category.emplace_back(category, w);
  total_ += w;
}

double NominalClassObserver::cond_proba(uint32_t category, ClassId cls) const {
  const ClassEntry* e = find_class(cls);
  if (e == nullptr) return 0.0;
  double value = 0.0, sum = 0.0;
  for (const auto& [c, weight] : e->by_category) {
    if (c == category) value = weight;
    sum += weight;
  }
  // River's class_dist[att_val] / sum(class_dist.values()), 0 on a zero sum.
  return sum != 0.0 ? value / sum : 0.0;
}

void NominalClassObserver::touch(uint32_t category, ClassId cls) {
  ClassEntry* e = find_class(cls);
  if (e == nullptr) {
    classes_.push_back({cls, {}});
    e = &classes_.back();
  }
  for (const auto& entry : e->by_category) {
    if (entry.first == category) return;
  }
  e->by_category.emplace_back(category, 0.0);
}

NominalClassObserver::Split NominalClassObserver::best_split(const SplitCriterion& criterion,
                                                             ClassDistView pre, bool binary_only,
                                                             const AttributeMap& attributes,
                                                             AttributeId attribute) const {
  Split best;
  auto less = [&](uint32_t a, uint32_t b) { return attributes.category_less(attribute, a, b); };
  std::vector<ClassDistView> views;
  if (!binary_only) {
    // River's _class_dist_from_multiway_split: one dict per category met in the distributions
    // (sorted), each with its classes sorted.
    std::vector<uint32_t> categories;
    for (const auto& e : classes_) {
      for (const auto& entry : e.by_category) {
        if (std::find(categories.begin(), categories.end(), entry.first) == categories.end()) {
          categories.push_back(entry.first);
        }
      }
    }
    std::sort(categories.begin(), categories.end(), less);
    std::vector<std::vector<ClassWeight>> dists(categories.size());
    for (size_t k = 0; k < categories.size(); ++k) {
      for (const auto& e : classes_) {
        for (const auto& entry : e.by_category) {
          if (entry.first == categories[k]) dists[k].push_back({e.cls, entry.second});
        }
      }
      std::sort(dists[k].begin(), dists[k].end(),
                [](const ClassWeight& a, const ClassWeight& b) { return a.cls < b.cls; });
    }
    for (const auto& d : dists) views.emplace_back(d);
    best.merit = criterion.merit(pre, views);
    best.multiway = true;
    // River labels the branches with sorted(self._att_values), which are these categories as
    // long as every entry was updated (rivulet touches entries only right before updating).
    best.categories = std::move(categories);
    best.dists = std::move(dists);
  }
  const double pre_term = criterion.pre_term(pre);
  std::vector<uint32_t> sorted_values = values_;
  std::sort(sorted_values.begin(), sorted_values.end(), less);
  for (const uint32_t v : sorted_values) {
    std::vector<ClassWeight> equal, not_equal;
    for (const auto& e : classes_) {
      for (const auto& entry : e.by_category) {
        std::vector<ClassWeight>& side = entry.first == v ? equal : not_equal;
        auto it = std::find_if(side.begin(), side.end(),
                               [&](const ClassWeight& cw) { return cw.cls == e.cls; });
        if (it == side.end()) {
          side.push_back({e.cls, entry.second});
        } else {
          it->weight += entry.second;
        }
      }
    }
    const ClassDistView post[2] = {equal, not_equal};
    const double merit = criterion.merit_after(pre_term, post);
    if (merit > best.merit) {
      best.merit = merit;
      best.multiway = false;
      best.category = v;
      best.categories.clear();
      best.dists = {std::move(equal), std::move(not_equal)};
    }
  }
  return best;
}

size_t NominalClassObserver::bytes() const {
  size_t total = sizeof(*this) + values_.capacity() * sizeof(uint32_t) +
                 classes_.capacity() * sizeof(ClassEntry);
  for (const auto& e : classes_)
    total += e.by_category.capacity() * sizeof(std::pair<uint32_t, double>);
  return total;
}

}  // namespace rivulet::ml::tree
