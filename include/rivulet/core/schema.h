#pragma once
/// The layout of records: an ordered list of named, typed fields. A pipeline resolves names to
/// indices once, when it is built (`index_of`); operators then address fields by index. Unknown
/// names get "did you mean" suggestions for error messages.
/// Thread safety: immutable after construction; share it freely between threads.
/// ```cpp example
/// auto schema = rivulet::Schema::create({{"amount", rivulet::Type::kDouble},
///                                        {"country", rivulet::Type::kString, false}});
/// ASSERT_TRUE(schema.ok());
/// EXPECT_EQ(schema->index_of("country"), 1u);
/// EXPECT_FALSE(schema->index_of("amout").has_value());
/// EXPECT_EQ(schema->unknown_field_message("amout"),
///           "unknown field 'amout' (did you mean 'amount'?)");
/// ```

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/core/value.h"

namespace rivulet {

struct SchemaField {
  std::string name;
  Type type = Type::kString;  ///< REQUIRES: not kNull.
  bool nullable = true;       ///< whether the field may be NULL (missing)
  friend bool operator==(const SchemaField&, const SchemaField&) = default;
};

class Schema {
 public:
  /// The empty schema.
  Schema() = default;

  /// Returns kInvalidArgument for an empty or duplicate name or a field of type kNull.
  static Result<Schema> create(std::vector<SchemaField> fields);

  /// Appends a field; same failures as create().
  Status add(SchemaField field);

  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  /// REQUIRES: i < size().
  const SchemaField& field(size_t i) const { return fields_[i]; }
  const std::vector<SchemaField>& fields() const { return fields_; }

  /// The index of the field named exactly `name` (names are case-sensitive, as in Flink SQL).
  /// A linear scan: call it when a pipeline is built, never per event.
  std::optional<size_t> index_of(std::string_view name) const;

  /// Up to `max` field names closest to `name` (see suggest_names).
  std::vector<std::string_view> suggest(std::string_view name, size_t max = 3) const;

  /// "unknown field 'amout' (did you mean 'amount'?)", or, when no name is close,
  /// "unknown field 'x' (fields: a, b, c)"; "(the schema has no fields)" when empty.
  std::string unknown_field_message(std::string_view name) const;

  /// "amount double, country string NOT NULL".
  std::string to_string() const;

  friend bool operator==(const Schema&, const Schema&) = default;

 private:
  std::vector<SchemaField> fields_;
};

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), comparing ASCII
/// letters case-insensitively.
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidates closest to `name` by edit_distance, nearest first (ties in candidate order),
/// at most `max`, keeping only those within max(1, longer length / 3) edits: plausible typos,
/// not arbitrary names. When some candidates differ from `name` only in letter case, only they
/// are suggested.
std::vector<std::string_view> suggest_names(std::string_view name,
                                            const std::vector<std::string_view>& candidates,
                                            size_t max = 3);

/// " (did you mean 'a'?)", " (did you mean 'a' or 'b'?)", " (did you mean 'a', 'b' or 'c'?)",
/// or "" when `suggestions` is empty.
std::string did_you_mean(const std::vector<std::string_view>& suggestions);

}  // namespace rivulet
