#pragma once
/// A decoded row: a list of present fields, each naming its column by index into the reader's
/// column list. Missing values (an empty CSV cell, ARFF's `?`, a JSON null) are simply absent,
/// the way River's dicts leave a missing key out. Text is a view into the reader's buffer and is
/// valid until the reader's next call.
/// Thread safety: none.

#include <cstdint>
#include <string_view>
#include <vector>

namespace rivulet {

using ColumnId = uint32_t;

struct Field {
  enum class Kind : uint8_t { kNumber, kText };
  ColumnId column;
  Kind kind;
  double number;          ///< valid when kind == kNumber
  std::string_view text;  ///< the raw text; for kNumber, the text the number was parsed from
};

class Record {
 public:
  void clear() { fields_.clear(); }
  void add_number(ColumnId column, double value, std::string_view text) {
    fields_.push_back({column, Field::Kind::kNumber, value, text});
  }
  void add_text(ColumnId column, std::string_view text) {
    fields_.push_back({column, Field::Kind::kText, 0.0, text});
  }
  const std::vector<Field>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  /// The field of `column`, or nullptr when absent (missing).
  const Field* find(ColumnId column) const {
    for (const auto& f : fields_) {
      if (f.column == column) return &f;
    }
    return nullptr;
  }

 private:
  std::vector<Field> fields_;
};

}  // namespace rivulet
