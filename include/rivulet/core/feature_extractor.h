#pragma once
/// Turns decoded records into feature vectors in a model's feature space: a numeric field
/// becomes the feature named after its column; a text field becomes the one-hot feature
/// `column=value` with value 1. Missing fields are left out. Each column's index is resolved once
/// and text values are looked up without allocating, so steady-state extraction allocates
/// nothing (new values allocate once, when first seen).
/// Thread safety: none.
/// ```cpp example
/// rivulet::FeatureSpace space;
/// rivulet::FeatureExtractor extract(space);
/// extract.set_columns({"temp", "city", "label"});
/// extract.exclude(2);
/// rivulet::Record r;
/// r.add_number(0, 21.5, "21.5");
/// r.add_text(1, "Paris");
/// r.add_text(2, "hot");
/// rivulet::Features x;
/// extract.extract(r, x);
/// EXPECT_EQ(x.size(), 2u);
/// EXPECT_EQ(space.name(x[1].index), "city=Paris");
/// ```

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/record.h"

namespace rivulet {

class FeatureExtractor {
 public:
  /// `space` outlives the extractor.
  explicit FeatureExtractor(FeatureSpace& space) : space_(&space) {}

  /// Sets (or extends: readers that discover columns call it again) the column names.
  void set_columns(const std::vector<std::string>& columns);
  /// Leaves a column out of the features (the target, an id).
  void exclude(ColumnId column);
  void extract(const Record& record, Features& out);

 private:
  struct Column {
    std::string name;
    bool excluded = false;
    bool has_index = false;
    FeatureIndex numeric_index = 0;
    struct Hash {
      using is_transparent = void;
      size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    std::unordered_map<std::string, FeatureIndex, Hash, std::equal_to<>> text_index;
  };
  FeatureSpace* space_;
  std::vector<Column> columns_;
};

}  // namespace rivulet
