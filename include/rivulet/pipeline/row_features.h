#pragma once
/// Turns rows of a batch into feature vectors in a model's feature space, the way `rivulet eval`'s
/// FeatureExtractor turns decoded records into them, so that a model spec behaves the same in a
/// pipeline as on a file: a numeric field (bigint, double, boolean as 0/1) is the feature named
/// after the field; a string field is the one-hot feature `field=value` with value 1; NULL, NaN
/// and infinities are absent features. Features come out in schema order.
///
/// The fields are resolved by name once (`create`); per row the work is index arithmetic and, for
/// a string field, one hash lookup of `field=value` in the space. A Binding caches one model's
/// numeric indices: a numeric field is interned into the space the first time the field holds a
/// value, a category the first time it is seen, in row order, exactly as the FeatureExtractor
/// interns them, so feature indices (and thus every learner's tie-breaking) match `rivulet eval`.
/// Steady state allocates nothing (a new category allocates once, when first seen).
///
/// Rows waiting for a label can be captured (`capture`: the feature fields' values, strings
/// copied) and extracted later for whichever model learns them (`extract_captured`).
/// Thread safety: none; one instance per operator instance.
/// ```cpp example
/// auto schema = rivulet::Schema::create({{"temp", rivulet::Type::kDouble},
///                                        {"city", rivulet::Type::kString},
///                                        {"label", rivulet::Type::kString}}).value();
/// auto features = rivulet::pipeline::RowFeatures::create(schema, {.exclude = {"label"}}).value();
/// rivulet::FeatureSpace space;
/// auto binding = features.bind(space);
/// const rivulet::Value row[] = {rivulet::Value::of_double(21.5),
///                               rivulet::Value::of_string("Paris"),
///                               rivulet::Value::of_string("hot")};
/// rivulet::Features x;
/// features.extract(row, binding, x);
/// ASSERT_EQ(x.size(), 2u);
/// EXPECT_EQ(space.name(x[0].index), "temp");
/// EXPECT_EQ(space.name(x[1].index), "city=Paris");
/// EXPECT_EQ(x[1].value, 1.0);
/// ```

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/schema.h"
#include "rivulet/core/status.h"
#include "rivulet/core/value.h"

namespace rivulet::pipeline {

class RowFeatures {
 public:
  struct Options {
    /// The feature fields, in this order of preference: this list (each must exist); when empty,
    /// every field of the schema except those in `exclude`. Default: empty (all fields).
    std::vector<std::string> fields = {};
    /// Fields left out when `fields` is empty: the target, the id, the key, the event-time
    /// field. Names not in the schema are ignored. Default: none.
    std::vector<std::string> exclude = {};
  };

  /// One model's view of the feature fields: the index of each numeric field in that model's
  /// space, cached once interned. Bind again when the model is replaced (a reset, a restore).
  class Binding {
   public:
    FeatureSpace& space() const { return *space_; }

   private:
    friend class RowFeatures;
    static constexpr FeatureIndex kUnbound = std::numeric_limits<FeatureIndex>::max();
    FeatureSpace* space_ = nullptr;
    std::vector<FeatureIndex> numeric_;  // by feature field; kUnbound until it holds a number
  };

  /// Resolves the feature fields in `schema`. Errors: kInvalidArgument for a listed field that
  /// is not in the schema (with suggestions), a field listed twice, or no feature field at all.
  static Result<RowFeatures> create(const Schema& schema, const Options& options);

  /// A binding to `space` (which outlives it): numeric fields already named in the space (a
  /// loaded model's) are bound at once, the others when first seen.
  Binding bind(FeatureSpace& space) const;

  /// Writes the features of `row` (the schema's n values) into `out` (cleared first).
  void extract(const Value* row, Binding& binding, Features& out);

  /// Copies the feature fields of `row` into `values` (one per feature field, in order) and
  /// their strings into `text`; the string values point into `text`'s buffer, so keep `text` in
  /// place (a moved short string moves its bytes) and unchanged while they are used. Reuses
  /// both buffers' capacity.
  void capture(const Value* row, std::vector<Value>& values, std::string& text) const;
  /// extract() for values captured by capture().
  void extract_captured(std::span<const Value> values, Binding& binding, Features& out);

  /// The schema indices of the feature fields, in feature order.
  const std::vector<size_t>& fields() const { return fields_; }
  /// The feature fields' names, in feature order.
  std::vector<std::string> field_names() const;

 private:
  // A feature field. What a value becomes follows its runtime type, as the FeatureExtractor
  // decides by the decoded value: numbers (and booleans) are numeric features, strings one-hot.
  struct Slot {
    size_t field = 0;    // schema index
    std::string name;    // the field's name (the numeric feature's name)
    std::string prefix;  // "name=" (one-hot features)
  };
  template <typename Get>
  void extract_impl(Get&& get, Binding& binding, Features& out);

  std::vector<Slot> slots_;
  std::vector<size_t> fields_;
  std::string scratch_;  // "field=value", reused
};

}  // namespace rivulet::pipeline
