#include "rivulet/core/features.h"

#include <fmt/format.h>

namespace rivulet {

FeatureIndex FeatureSpace::intern(std::string_view name) {
  if (auto it = lookup_.find(name); it != lookup_.end()) return it->second;
  const FeatureIndex index = next_++;
  names_.emplace_back(std::string(name), index);
  lookup_.emplace(std::string(name), index);
  name_of_.resize(next_, kNoName);
  name_of_[index] = static_cast<uint32_t>(names_.size() - 1);
  return index;
}

std::optional<FeatureIndex> FeatureSpace::find(std::string_view name) const {
  if (auto it = lookup_.find(name); it != lookup_.end()) return it->second;
  return std::nullopt;
}

FeatureIndex FeatureSpace::reserve_block(std::string_view prefix, uint32_t size) {
  bool prefix_taken = false;
  for (const auto& b : blocks_) {
    if (b.prefix == prefix && b.size == size) return b.first;
    prefix_taken = prefix_taken || b.prefix == prefix;
  }
  // Another size under a taken prefix is another block: its names say its size.
  std::string name = prefix_taken ? fmt::format("{}/{}", prefix, size) : std::string(prefix);
  for (const auto& b : blocks_) {
    if (b.prefix == name) return b.first;
  }
  const FeatureIndex first = next_;
  blocks_.push_back({std::move(name), first, size});
  next_ += size;
  name_of_.resize(next_, kNoName);
  return first;
}

std::string FeatureSpace::name(FeatureIndex index) const {
  if (index < name_of_.size() && name_of_[index] != kNoName) return names_[name_of_[index]].first;
  for (const auto& b : blocks_) {
    if (index >= b.first && index < b.first + b.size) {
      return fmt::format("{}[{}]", b.prefix, index - b.first);
    }
  }
  return fmt::format("#{}", index);
}

void FeatureSpace::rebuild_lookup() {
  lookup_.clear();
  name_of_.assign(next_, kNoName);
  for (uint32_t i = 0; i < names_.size(); ++i) {
    lookup_.emplace(names_[i].first, names_[i].second);
    if (names_[i].second < next_) name_of_[names_[i].second] = i;
  }
}

}  // namespace rivulet
