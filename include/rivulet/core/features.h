#pragma once
/// Feature vectors and the feature space that names their indices.
///
/// A feature vector is a sparse list of (index, value). A `FeatureSpace` maps names to indices:
/// numeric fields get an index of their own (`nswprice` -> 3), categorical values are interned
/// as `name=value` with value 1.0 (one-hot, the way River's dict-based learners see them), and
/// hashing transformers reserve a contiguous block of indices (the hashing trick that keeps
/// Vowpal Wabbit's memory flat). Learners keep their parameters in vectors indexed by feature
/// index, so the hot path does no string work. The space is part of a model's state and is saved
/// with it.
/// Thread safety: none; a space belongs to one model.
/// ```cpp example
/// rivulet::FeatureSpace space;
/// rivulet::Features x;
/// x.push(space.intern("temperature"), 21.5);
/// x.push(space.intern("city=Paris"), 1.0);
/// EXPECT_EQ(x.size(), 2u);
/// EXPECT_EQ(space.name(x[1].index), "city=Paris");
/// EXPECT_EQ(space.find("temperature"), 0u);
/// ```

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rivulet/core/state.h"

namespace rivulet {

using FeatureIndex = uint32_t;

struct Feature {
  FeatureIndex index;
  double value;
  friend bool operator==(const Feature&, const Feature&) = default;
};

/// A reusable sparse feature vector. Indices are unique within one vector; order carries no
/// meaning. Owns its buffer; `clear()` keeps the capacity so that steady-state use allocates
/// nothing.
class Features {
 public:
  Features() = default;
  Features(std::initializer_list<Feature> items) : items_(items) {}

  void push(FeatureIndex index, double value) { items_.push_back({index, value}); }
  void clear() { items_.clear(); }
  void reserve(size_t n) { items_.reserve(n); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  const Feature& operator[](size_t i) const { return items_[i]; }
  Feature& operator[](size_t i) { return items_[i]; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  std::span<const Feature> view() const { return items_; }
  /// The largest index plus one, or 0 when empty.
  FeatureIndex index_bound() const {
    FeatureIndex bound = 0;
    for (const auto& f : items_) bound = f.index >= bound ? f.index + 1 : bound;
    return bound;
  }
  friend bool operator==(const Features&, const Features&) = default;

 private:
  std::vector<Feature> items_;
};

/// Names <-> indices. Indices are dense and never reused; a reserved block (for hashed features)
/// occupies `size` consecutive indices under one prefix (`hash[0]`, `hash[1]`, ...).
class FeatureSpace {
 public:
  /// Returns the index of `name`, adding it if new. Allocates only for new names.
  FeatureIndex intern(std::string_view name);
  /// Returns the index of `name`, if known.
  std::optional<FeatureIndex> find(std::string_view name) const;
  /// Reserves `size` consecutive indices named `prefix[i]` and returns the first. Reserving the
  /// same prefix and size again returns the same block; another size under the same prefix gets
  /// a block of its own, named `prefix/size[i]`. REQUIRES: size > 0.
  FeatureIndex reserve_block(std::string_view prefix, uint32_t size);
  /// The name of an index. REQUIRES: index < size().
  std::string name(FeatureIndex index) const;
  /// Number of indices in use (interned names plus reserved blocks).
  FeatureIndex size() const { return next_; }

  template <class Archive>
  void save(Archive& ar) const {
    ar(next_, names_, blocks_);
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(next_, names_, blocks_);
    rebuild_lookup();
  }

 private:
  struct Block {
    std::string prefix;
    FeatureIndex first = 0;
    uint32_t size = 0;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(prefix, first, size);
    }
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void rebuild_lookup();

  FeatureIndex next_ = 0;
  std::vector<std::pair<std::string, FeatureIndex>> names_;  // in interning order
  std::vector<Block> blocks_;
  std::unordered_map<std::string, FeatureIndex, StringHash, std::equal_to<>> lookup_;
  std::vector<uint32_t> name_of_;  // index -> position in names_, or kNoName
  static constexpr uint32_t kNoName = 0xffffffffu;
};

}  // namespace rivulet
