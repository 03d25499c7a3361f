#pragma once
/// A batch of records of one schema, the unit that moves between stages: n_rows x n_fields values
/// stored row by row, each row's event time (epoch milliseconds), and an arena that holds the
/// batch's strings. clear() keeps every buffer's capacity, so a batch refilled with records like
/// the previous ones allocates nothing.
/// Ownership: the batch owns its values and arena and shares its schema. Movable, not copyable
/// (string values point into its own arena; use append_row to copy rows between batches).
/// Thread safety: none; a batch is handed from one thread to the next, never shared.
/// ```cpp example
/// using rivulet::Value;
/// auto schema = std::make_shared<const rivulet::Schema>(
///     *rivulet::Schema::create({{"amount", rivulet::Type::kDouble},
///                               {"country", rivulet::Type::kString}}));
/// rivulet::stream::Batch batch(schema);
/// const size_t r = batch.add_row(/*event_time_ms=*/1700000000000);
/// batch.set(r, 0, Value::of_double(12.5));
/// batch.set_string(r, 1, "FR");  // copied into the batch's arena
/// EXPECT_EQ(batch.size(), 1u);
/// EXPECT_EQ(batch.get(0, 1), Value::of_string("FR"));
/// EXPECT_EQ(batch.event_time(0), 1700000000000);
/// batch.clear();  // keeps the capacity for the next records
/// EXPECT_TRUE(batch.empty());
/// ```

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "rivulet/core/schema.h"
#include "rivulet/core/value.h"
#include "rivulet/stream/arena.h"

namespace rivulet::stream {

/// The event time of a record that has none.
inline constexpr int64_t kNoEventTime = std::numeric_limits<int64_t>::min();

class Batch {
 public:
  /// An empty batch of `schema`. REQUIRES: schema != nullptr.
  explicit Batch(std::shared_ptr<const Schema> schema);
  Batch(Batch&&) noexcept = default;
  Batch& operator=(Batch&&) noexcept = default;
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  const Schema& schema() const { return *schema_; }
  const std::shared_ptr<const Schema>& shared_schema() const { return schema_; }
  size_t n_fields() const { return n_fields_; }
  /// Number of rows.
  size_t size() const { return event_times_.size(); }
  bool empty() const { return event_times_.empty(); }

  /// Reserves room for `rows` rows (allocation happens here, not in add_row).
  void reserve(size_t rows);

  /// Appends a row of NULLs and returns its index.
  size_t add_row(int64_t event_time_ms = kNoEventTime) {
    values_.resize(values_.size() + n_fields_);
    event_times_.push_back(event_time_ms);
    return event_times_.size() - 1;
  }

  /// REQUIRES: row < size(), field < n_fields().
  Value get(size_t row, size_t field) const { return values_[row * n_fields_ + field]; }
  /// Stores `v` as is: a string value must point into this batch's arena or into memory that
  /// outlives the batch. REQUIRES: row < size(), field < n_fields().
  void set(size_t row, size_t field, Value v) { values_[row * n_fields_ + field] = v; }
  /// Copies `s` into the arena and stores it. REQUIRES: s.size() <= Value::kMaxStringLength.
  void set_string(size_t row, size_t field, std::string_view s) {
    values_[row * n_fields_ + field] = Value::of_string(arena_.copy(s));
  }

  /// The n_fields() values of row `r`, contiguous; rows are n_fields() apart.
  const Value* row(size_t r) const { return values_.data() + r * n_fields_; }
  Value* mutable_row(size_t r) { return values_.data() + r * n_fields_; }
  /// All values, row after row (size() * n_fields()).
  std::span<const Value> values() const { return values_; }

  int64_t event_time(size_t r) const { return event_times_[r]; }
  void set_event_time(size_t r, int64_t ms) { event_times_[r] = ms; }
  std::span<const int64_t> event_times() const { return event_times_; }

  Arena& arena() { return arena_; }
  const Arena& arena() const { return arena_; }

  /// Removes every row and forgets the strings; capacity is kept.
  void clear() {
    values_.clear();
    event_times_.clear();
    arena_.clear();
  }

  /// Removes every row and makes this an empty batch of `schema`, keeping every buffer's
  /// capacity: an operator that changes the schema recycles the batch it received as its next
  /// output. REQUIRES: schema != nullptr.
  void reset(std::shared_ptr<const Schema> schema) {
    clear();
    schema_ = std::move(schema);
    n_fields_ = schema_->size();
  }

  /// Keeps the rows whose `keep` entry is non-zero, in order, and returns how many remain.
  /// Strings stay in the arena. REQUIRES: keep.size() == size().
  size_t retain(std::span<const uint8_t> keep);

  /// Appends a copy of row `r` of `other` (strings copied into this arena) and returns its
  /// index. REQUIRES: other.n_fields() == n_fields(), r < other.size().
  size_t append_row(const Batch& other, size_t r);

 private:
  std::shared_ptr<const Schema> schema_;
  size_t n_fields_;
  std::vector<Value> values_;
  std::vector<int64_t> event_times_;
  Arena arena_;
};

}  // namespace rivulet::stream
