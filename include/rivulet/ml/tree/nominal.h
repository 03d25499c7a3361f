#pragma once
/// How a tree sees a sample: as River's attributes, not rivulet's feature indices. A numeric
/// feature is one attribute; the one-hot features `column=value` that the FeatureExtractor makes
/// of a text column are ONE nominal attribute `column` whose categories are the values, split
/// multiway (or binary) as River splits a categorical feature. Features named in River's
/// `nominal_attributes` are nominal too, with their numeric values as categories.
///
/// `AttributeMap` resolves each new feature index once (through the FeatureSpace name) and keeps
/// the answer in a vector indexed by feature index; `resolve(x)` then fills an `AttributeView`:
/// a dense, allocation-free lookup of the sample by attribute id (present or not, numeric value,
/// category), which every tree operation reads. Attribute ids are dense and follow the order in
/// which the tree first met the attributes (features of one sample in index order), which is the
/// column order of a dense data set, the order in which River's dict-based trees meet them.
/// Thread safety: none; a map and its views belong to one tree.
/// ```cpp example
/// rivulet::FeatureSpace space;
/// const auto price = space.intern("price");
/// const auto red = space.intern("color=red");
/// const auto blue = space.intern("color=blue");
/// rivulet::ml::tree::AttributeMap map;
/// rivulet::ml::tree::AttributeView view;
/// map.resolve(rivulet::Features{{price, 2.5}, {blue, 1.0}}, &space, view);
/// EXPECT_EQ(map.size(), 2u);  // price, color
/// const auto color = map.find("color").value();
/// EXPECT_TRUE(map.is_nominal(color));
/// EXPECT_EQ(map.category_name(color, view.category(color)), "blue");
/// map.resolve(rivulet::Features{{red, 1.0}}, &space, view);
/// EXPECT_FALSE(view.has(map.find("price").value()));
/// EXPECT_EQ(map.category_name(color, view.category(color)), "red");
/// ```

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/state.h"

namespace rivulet::ml::tree {

using AttributeId = uint32_t;
inline constexpr uint32_t kNone = 0xffffffffu;

/// One attribute of a sample.
struct AttributeValue {
  AttributeId attribute = 0;
  double value = 0.0;         ///< numeric attributes (for nominal ones: the feature's value)
  uint32_t category = kNone;  ///< nominal attributes: the category id; kNone for numeric ones
};

/// A sample by attribute id. Filled by AttributeMap::resolve; reused across samples (an epoch
/// stamp marks what the current sample has, so nothing is cleared or allocated per sample).
class AttributeView {
 public:
  bool has(AttributeId a) const { return a < stamp_.size() && stamp_[a] == epoch_; }
  /// REQUIRES: has(a).
  double value(AttributeId a) const { return slots_[a].value; }
  /// REQUIRES: has(a). kNone for a numeric attribute.
  uint32_t category(AttributeId a) const { return slots_[a].category; }
  /// The present attributes in increasing attribute id.
  std::span<const AttributeValue> entries() const { return entries_; }
  size_t size() const { return entries_.size(); }

 private:
  friend class AttributeMap;
  std::vector<uint32_t> stamp_;
  std::vector<AttributeValue> slots_;
  std::vector<AttributeValue> entries_;
  uint32_t epoch_ = 0;
};

class AttributeMap {
 public:
  /// Names of attributes that are nominal although their values are numbers (River's
  /// `nominal_attributes`). Takes effect for features not resolved yet.
  void set_nominal_names(std::vector<std::string> names) { nominal_names_ = std::move(names); }
  const std::vector<std::string>& nominal_names() const { return nominal_names_; }

  /// Fills `view` with x by attribute. New feature indices (and new categories of numeric
  /// nominal attributes) are resolved here, through `space` (null: every feature is numeric,
  /// named `#index`); this is the only place that allocates, once per new index or category.
  void resolve(const Features& x, const FeatureSpace* space, AttributeView& view);

  /// Number of attributes met so far.
  size_t size() const { return attributes_.size(); }
  bool is_nominal(AttributeId a) const { return attributes_[a].nominal; }
  /// The attribute's name: the feature name, or the column of `column=value` features.
  const std::string& name(AttributeId a) const { return attributes_[a].name; }
  std::optional<AttributeId> find(std::string_view name) const;
  /// Number of categories of a nominal attribute met so far.
  size_t n_categories(AttributeId a) const { return attributes_[a].categories.size(); }
  /// A category's text: the value after `column=`, or the number of a numeric nominal value.
  const std::string& category_name(AttributeId a, uint32_t category) const {
    return attributes_[a].categories[category].name;
  }
  /// Orders categories as River sorts a nominal feature's values (as text, or as numbers for
  /// numeric nominal attributes). True when a sorts before b.
  bool category_less(AttributeId a, uint32_t ca, uint32_t cb) const;
  /// The feature index that stands for the attribute in FeatureImportance: the numeric feature,
  /// or the one-hot feature of the given category (the first category met when kNone).
  FeatureIndex feature_of(AttributeId a, uint32_t category = kNone) const;

  /// Bytes held (memory accounting).
  size_t bytes() const;

  template <class Archive>
  void save(Archive& ar) const {
    ar(nominal_names_, attributes_, by_feature_);
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(nominal_names_, attributes_, by_feature_);
    rebuild();
  }

 private:
  struct Category {
    std::string name;
    double number = 0.0;       ///< numeric nominal: the value
    FeatureIndex feature = 0;  ///< one-hot: the feature index
    template <class Archive>
    void serialize(Archive& ar) {
      ar(name, number, feature);
    }
  };
  struct Attribute {
    std::string name;
    bool nominal = false;
    bool numeric_values = false;  ///< nominal by `nominal_attributes`: categories are numbers
    FeatureIndex feature = 0;     ///< numeric: its feature index
    std::vector<Category> categories;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(name, nominal, numeric_values, feature, categories);
    }
  };
  struct Ref {
    AttributeId attribute = kNone;  ///< kNone: not resolved yet
    uint32_t category = kNone;      ///< one-hot features: their category
    template <class Archive>
    void serialize(Archive& ar) {
      ar(attribute, category);
    }
  };
  void resolve_new(const Features& x, const FeatureSpace* space);
  AttributeId attribute_named(const std::string& name, bool nominal, bool numeric_values,
                              FeatureIndex feature);
  uint32_t numeric_category(AttributeId a, double value);
  void rebuild();

  std::vector<std::string> nominal_names_;
  std::vector<Attribute> attributes_;
  std::vector<Ref> by_feature_;
  std::unordered_map<std::string, AttributeId> by_name_;
  // Numeric nominal attributes: value -> category, per attribute.
  std::vector<std::unordered_map<double, uint32_t>> numeric_categories_;
};

}  // namespace rivulet::ml::tree
