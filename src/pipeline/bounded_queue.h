#pragma once
// A bounded blocking queue between the engine's threads: push waits while the queue is full (so
// a slow consumer slows its producers and memory stays bounded: backpressure), pop waits up to
// a deadline. close() wakes everyone: pushes then fail, pops drain what is left, then report the
// end. Items are batches (hundreds to thousands of records), so a mutex and two condition
// variables cost nothing measurable per record.
// Thread safety: any number of producers and consumers.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

namespace rivulet::pipeline::internal {

template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  /// Waits for room, then appends. False when the queue is closed (the item is dropped).
  bool push(T item) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  enum class Pop { kItem, kTimeout, kClosed };
  /// Takes the oldest item, waiting until `deadline` at most. kClosed once closed and drained.
  Pop pop(T& out, std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    if (!not_empty_.wait_until(lock, deadline, [&] { return closed_ || !items_.empty(); })) {
      return Pop::kTimeout;
    }
    if (items_.empty()) return Pop::kClosed;
    out = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return Pop::kItem;
  }

  /// Waits until an item is there (kItem, not taken), the deadline passes, or the queue is
  /// closed and drained.
  Pop wait(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    if (!not_empty_.wait_until(lock, deadline, [&] { return closed_ || !items_.empty(); })) {
      return Pop::kTimeout;
    }
    return items_.empty() ? Pop::kClosed : Pop::kItem;
  }

  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t size() const {
    std::lock_guard lock(mu_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace rivulet::pipeline::internal
