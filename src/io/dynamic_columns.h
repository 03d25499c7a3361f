#pragma once
// Columns discovered row by row, for the formats without a header (libsvm, JSON Lines): finds
// a column by name (trying first the column the previous row had at the same position, since
// rows of a stream mostly repeat their keys in the same order, so steady state does no hashing),
// adds it when new, tells when a row names a column twice, and forgets the columns a rejected row
// added. The names live in the reader's column list, which this class appends to.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rivulet/core/record.h"

namespace rivulet::io::internal {

class DynamicColumns {
 public:
  /// `columns` (the reader's list) outlives this object; it is only appended to and truncated
  /// through this object.
  explicit DynamicColumns(std::vector<std::string>& columns) : columns_(&columns) {}

  /// Starts a new row: positions count from 0 again and no column is marked.
  void begin_row() {
    ++row_;
    position_ = 0;
  }
  /// The column of `name` at the next position of the row, added if new.
  ColumnId resolve(std::string_view name) {
    const size_t position = position_++;
    if (position < hints_.size() && hints_[position] < columns_->size() &&
        (*columns_)[hints_[position]] == name) {
      return hints_[position];
    }
    const ColumnId column = find_or_add(name);
    if (position < hints_.size()) {
      hints_[position] = column;
    } else {
      hints_.push_back(column);
    }
    return column;
  }
  /// The column of `name`, added if new (no position hint).
  ColumnId find_or_add(std::string_view name) {
    if (auto it = index_.find(name); it != index_.end()) return it->second;
    const auto column = static_cast<ColumnId>(columns_->size());
    columns_->emplace_back(name);
    index_.emplace(columns_->back(), column);
    seen_in_row_.push_back(0);
    return column;
  }
  /// Marks `column` as named by the current row; false when the row named it already.
  bool mark(ColumnId column) {
    if (seen_in_row_[column] == row_) return false;
    seen_in_row_[column] = row_;
    return true;
  }
  /// Drops the columns after the first `count` (those a rejected row added).
  void forget_from(size_t count) {
    while (columns_->size() > count) {
      index_.erase(columns_->back());
      columns_->pop_back();
      seen_in_row_.pop_back();
    }
  }

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<std::string>* columns_;
  std::unordered_map<std::string, ColumnId, StringHash, std::equal_to<>> index_;
  std::vector<uint64_t> seen_in_row_;  // per column, the last row that named it
  std::vector<ColumnId> hints_;        // per position in a row, the column last seen there
  size_t position_ = 0;
  uint64_t row_ = 0;
};

}  // namespace rivulet::io::internal
