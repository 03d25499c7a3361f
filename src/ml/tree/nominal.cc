#include "rivulet/ml/tree/nominal.h"

#include <fmt/format.h>

#include <algorithm>

namespace rivulet::ml::tree {

void AttributeMap::resolve(const Features& x, const FeatureSpace* space, AttributeView& view) {
  // Resolve new feature indices first, in index order, so that attribute ids do not depend on
  // the order of the features within a sample.
  for (const auto& f : x) {
    if (f.index >= by_feature_.size() || by_feature_[f.index].attribute == kNone) {
      resolve_new(x, space);
      break;
    }
  }
  const size_t n_attr = attributes_.size();
  if (view.stamp_.size() < n_attr) {
    view.stamp_.resize(n_attr, 0);
    view.slots_.resize(n_attr);
  }
  if (++view.epoch_ == 0) {  // wrapped: forget every stamp
    std::fill(view.stamp_.begin(), view.stamp_.end(), 0);
    view.epoch_ = 1;
  }
  view.entries_.clear();
  for (const auto& f : x) {
    const Ref& r = by_feature_[f.index];
    const AttributeId a = r.attribute;
    uint32_t category = r.category;
    if (category == kNone && attributes_[a].nominal) category = numeric_category(a, f.value);
    AttributeValue v{a, f.value, category};
    if (view.stamp_[a] == view.epoch_) {
      // A second feature of the same attribute (two values of one column): the last one wins.
      view.slots_[a] = v;
      for (auto& e : view.entries_) {
        if (e.attribute == a) e = v;
      }
      continue;
    }
    view.stamp_[a] = view.epoch_;
    view.slots_[a] = v;
    // Keep entries sorted by attribute id (insertion sort: samples usually come sorted).
    view.entries_.push_back(v);
    size_t i = view.entries_.size() - 1;
    while (i > 0 && view.entries_[i - 1].attribute > a) {
      view.entries_[i] = view.entries_[i - 1];
      --i;
    }
    view.entries_[i] = v;
  }
}

void AttributeMap::resolve_new(const Features& x, const FeatureSpace* space) {
  std::vector<FeatureIndex> fresh;
  for (const auto& f : x) {
    if (f.index >= by_feature_.size() || by_feature_[f.index].attribute == kNone)
      fresh.push_back(f.index);
  }
  std::sort(fresh.begin(), fresh.end());
  fresh.erase(std::unique(fresh.begin(), fresh.end()), fresh.end());
  for (const FeatureIndex i : fresh) {
    if (i >= by_feature_.size()) by_feature_.resize(static_cast<size_t>(i) + 1);
    const std::string name =
        space != nullptr && i < space->size() ? space->name(i) : fmt::format("#{}", i);
    const auto declared = [&](const std::string& n) {
      return std::find(nominal_names_.begin(), nominal_names_.end(), n) != nominal_names_.end();
    };
    const size_t eq = space != nullptr ? name.find('=') : std::string::npos;
    if (eq != std::string::npos && eq > 0 && !declared(name)) {
      const std::string column = name.substr(0, eq);
      const AttributeId a = attribute_named(column, true, false, i);
      Attribute& attr = attributes_[a];
      attr.categories.push_back({name.substr(eq + 1), 0.0, i});
      by_feature_[i] = {a, static_cast<uint32_t>(attr.categories.size() - 1)};
    } else {
      const bool nominal = declared(name);
      const AttributeId a = attribute_named(name, nominal, nominal, i);
      by_feature_[i] = {a, kNone};
    }
  }
}

AttributeId AttributeMap::attribute_named(const std::string& name, bool nominal,
                                          bool numeric_values, FeatureIndex feature) {
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    const Attribute& existing = attributes_[it->second];
    if (existing.nominal == nominal && existing.numeric_values == numeric_values && nominal &&
        !numeric_values) {
      return it->second;  // another value of a one-hot column
    }
  }
  Attribute attr;
  attr.name = name;
  attr.nominal = nominal;
  attr.numeric_values = numeric_values;
  attr.feature = feature;
  attributes_.push_back(std::move(attr));
  numeric_categories_.emplace_back();
  const auto id = static_cast<AttributeId>(attributes_.size() - 1);
  by_name_.emplace(name, id);
  return id;
}

uint32_t AttributeMap::numeric_category(AttributeId a, double value) {
  auto& map = numeric_categories_[a];
  if (auto it = map.find(value); it != map.end()) return it->second;
  Attribute& attr = attributes_[a];
  attr.categories.push_back({fmt::format("{}", value), value, attr.feature});
  const auto c = static_cast<uint32_t>(attr.categories.size() - 1);
  map.emplace(value, c);
  return c;
}

std::optional<AttributeId> AttributeMap::find(std::string_view name) const {
  if (auto it = by_name_.find(std::string(name)); it != by_name_.end()) return it->second;
  return std::nullopt;
}

bool AttributeMap::category_less(AttributeId a, uint32_t ca, uint32_t cb) const {
  const Attribute& attr = attributes_[a];
  if (attr.numeric_values) return attr.categories[ca].number < attr.categories[cb].number;
  return attr.categories[ca].name < attr.categories[cb].name;
}

FeatureIndex AttributeMap::feature_of(AttributeId a, uint32_t category) const {
  const Attribute& attr = attributes_[a];
  if (!attr.nominal || attr.numeric_values || attr.categories.empty()) return attr.feature;
  if (category != kNone && category < attr.categories.size())
    return attr.categories[category].feature;
  return attr.categories.front().feature;
}

size_t AttributeMap::bytes() const {
  size_t total = sizeof(*this) + by_feature_.capacity() * sizeof(Ref);
  for (const auto& a : attributes_) {
    total += sizeof(Attribute) + a.name.capacity() + a.categories.capacity() * sizeof(Category);
    for (const auto& c : a.categories) total += c.name.capacity();
  }
  return total;
}

void AttributeMap::rebuild() {
  by_name_.clear();
  numeric_categories_.assign(attributes_.size(), {});
  for (AttributeId a = 0; a < attributes_.size(); ++a) {
    by_name_.emplace(attributes_[a].name, a);  // the first attribute of a name keeps it
    if (attributes_[a].numeric_values) {
      for (uint32_t c = 0; c < attributes_[a].categories.size(); ++c) {
        numeric_categories_[a].emplace(attributes_[a].categories[c].number, c);
      }
    }
  }
}

}  // namespace rivulet::ml::tree
