#include "pipeline/learner_pending.h"

#include <algorithm>
#include <functional>

namespace rivulet::pipeline::internal {

uint64_t PendingTable::hash_of(std::string_view id) {
  // Mixed so that ids that differ only in their last characters spread over the low bits.
  uint64_t h = std::hash<std::string_view>{}(id);
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

uint32_t PendingTable::find(std::string_view id, uint64_t hash) const {
  if (size_ == 0) return kNone;
  for (size_t i = home(hash);; i = (i + 1) & mask_) {
    const uint32_t e = buckets_[i];
    if (e == kNone) return kNone;
    const Pending& p = *entries_[e];
    if (p.hash == hash && p.id == id) return e;
  }
}

uint32_t PendingTable::insert(std::string_view id, uint64_t hash) {
  if ((size_ + 1) * 2 > buckets_.size()) grow();
  uint32_t e;
  if (!free_.empty()) {
    e = free_.back();
    free_.pop_back();
  } else {
    e = static_cast<uint32_t>(entries_.size());
    entries_.push_back(std::make_unique<Pending>());
  }
  Pending& p = *entries_[e];
  p.id.assign(id);
  p.hash = hash;
  size_t i = home(hash);
  while (buckets_[i] != kNone) i = (i + 1) & mask_;
  buckets_[i] = e;
  ++size_;
  p.prev = tail_;
  p.next = kNone;
  if (tail_ != kNone) {
    entries_[tail_]->next = e;
  } else {
    head_ = e;
  }
  tail_ = e;
  return e;
}

void PendingTable::erase(uint32_t e) {
  Pending& p = *entries_[e];
  size_t i = home(p.hash);
  while (buckets_[i] != e) i = (i + 1) & mask_;
  // Backward-shift deletion: move later entries of the probe run into the hole when their home
  // does not lie cyclically in (hole, their position].
  buckets_[i] = kNone;
  size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    const uint32_t b = buckets_[j];
    if (b == kNone) break;
    const size_t k = home(entries_[b]->hash);
    const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
    if (stays) continue;
    buckets_[i] = b;
    buckets_[j] = kNone;
    i = j;
  }
  --size_;
  if (p.prev != kNone) {
    entries_[p.prev]->next = p.next;
  } else {
    head_ = p.next;
  }
  if (p.next != kNone) {
    entries_[p.next]->prev = p.prev;
  } else {
    tail_ = p.prev;
  }
  free_.push_back(e);
}

void PendingTable::grow() {
  const size_t n = buckets_.empty() ? 64 : buckets_.size() * 2;
  buckets_.assign(n, kNone);
  mask_ = n - 1;
  for (uint32_t e = head_; e != kNone; e = entries_[e]->next) {
    size_t i = home(entries_[e]->hash);
    while (buckets_[i] != kNone) i = (i + 1) & mask_;
    buckets_[i] = e;
  }
  free_.reserve(n / 2);  // never more entries than half the buckets: push_back never allocates
}

void PendingTable::clear() {
  for (uint32_t e = head_; e != kNone;) {
    const uint32_t next = entries_[e]->next;
    free_.push_back(e);
    e = next;
  }
  std::fill(buckets_.begin(), buckets_.end(), kNone);
  size_ = 0;
  head_ = tail_ = kNone;
}

}  // namespace rivulet::pipeline::internal
