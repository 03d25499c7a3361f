#pragma once
// The predictions a learner stage keeps while their labels are on the way: found by the event's
// id (an open-addressing table, linear probing, deletion by backward shift, so that steady state
// allocates nothing), and kept in arrival order (an intrusive list) for expiry, oldest first.
// Entries are recycled with their buffers; their addresses never change (string values of a
// captured row point into the entry's own text).
// Thread safety: none.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/labels.h"
#include "rivulet/core/value.h"

namespace rivulet::pipeline::internal {

struct Pending {
  std::string id;
  uint64_t hash = 0;
  std::string key;               // the model's key (per-key stages), else empty
  std::vector<Value> values;     // the feature fields, captured (RowFeatures::capture)
  std::string text;              // their strings
  bool can_score = false;        // the model could predict
  bool learned = false;          // already learned (anomaly detectors learn when they score)
  ClassId predicted = kNoClass;  // the stage's class id
  double predicted_value = 0.0;  // regression: the value; anomaly: the score
  bool decision = false;         // anomaly filters: the decision
  std::vector<double> proba;     // by the stage's class id (metrics that read probabilities)
  int64_t deadline_ms = 0;
  int64_t event_time = 0;
  uint32_t prev = 0, next = 0;  // arrival order
};

class PendingTable {
 public:
  static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

  static uint64_t hash_of(std::string_view id);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// The entry with `id`, or kNone.
  uint32_t find(std::string_view id, uint64_t hash) const;
  /// A new entry for `id` (not present), newest in arrival order; its other fields are stale
  /// (the caller fills them).
  uint32_t insert(std::string_view id, uint64_t hash);
  /// Removes an entry (its buffers are kept for reuse).
  void erase(uint32_t e);
  Pending& at(uint32_t e) { return *entries_[e]; }
  const Pending& at(uint32_t e) const { return *entries_[e]; }
  /// The oldest entry, or kNone.
  uint32_t oldest() const { return head_; }
  /// The entry after `e` in arrival order, or kNone.
  uint32_t newer(uint32_t e) const { return entries_[e]->next; }
  void clear();

 private:
  void grow();
  size_t home(uint64_t hash) const { return static_cast<size_t>(hash) & mask_; }

  std::vector<std::unique_ptr<Pending>> entries_;
  std::vector<uint32_t> free_;
  std::vector<uint32_t> buckets_;  // entry index or kNone
  size_t mask_ = 0;
  size_t size_ = 0;
  uint32_t head_ = kNone, tail_ = kNone;
};

}  // namespace rivulet::pipeline::internal
