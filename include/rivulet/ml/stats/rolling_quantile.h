#pragma once
/// Exact quantile of the last window_size values, River's `stats.RollingQuantile(q,
/// window_size)` as it was in Python up to River 0.12: the window is kept sorted (River's
/// `utils.SortedWindow`) and get() returns the sorted value at index
/// round(q * n + 0.5) - 1, with n = window_size once full (Python's round: halves to even; an
/// index of -1, for q = 0, is Python's last element, as in River).
/// A value type holding its window (allocated at construction); updates never allocate and
/// cost O(window_size) (a binary search and one shift).
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::RollingQuantile rq(0.5, 100);
/// std::vector<double> got;
/// for (int i = 0; i <= 1000; ++i) {
///   rq.update(i);
///   if (i % 100 == 0) got.push_back(rq.get());
/// }
/// // River's docstring.
/// EXPECT_EQ(got, (std::vector<double>{0, 50, 150, 250, 350, 450, 550, 650, 750, 850, 950}));
/// ```

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"

namespace rivulet::stats {

class RollingQuantile {
 public:
  /// REQUIRES: 0 <= q <= 1, window_size >= 1 (checked by create).
  RollingQuantile(double q, size_t window_size) : q_(q), window_(window_size) {
    sorted_.reserve(window_size);
  }
  /// Returns kInvalidArgument unless 0 <= q <= 1 and window_size >= 1.
  static Result<RollingQuantile> create(double q, long long window_size) {
    if (!(q >= 0.0 && q <= 1.0))
      return Status::invalid_argument("stats.RollingQuantile: q must be in [0, 1]");
    if (window_size < 1) {
      return Status::invalid_argument("stats.RollingQuantile: window_size must be >= 1");
    }
    return RollingQuantile(q, static_cast<size_t>(window_size));
  }

  void update(double x) {
    if (count_ == window_.size()) {
      const auto oldest = std::lower_bound(sorted_.begin(), sorted_.end(), window_[head_]);
      if (oldest != sorted_.end()) sorted_.erase(oldest);
      window_[head_] = x;
      head_ = (head_ + 1) % window_.size();
    } else {
      window_[(head_ + count_++) % window_.size()] = x;
    }
    sorted_.insert(std::lower_bound(sorted_.begin(), sorted_.end(), x), x);
  }

  /// The quantile of the window; 0 while it is empty.
  double get() const {
    if (sorted_.empty()) return 0.0;
    // Python's round() rounds halves to even, as nearbyint does in the default rounding mode.
    const auto n = static_cast<long long>(sorted_.size());
    auto idx = static_cast<long long>(std::nearbyint(q_ * static_cast<double>(n) + 0.5)) - 1;
    if (idx < 0) idx += n;      // Python's list[-1] (q = 0): the largest value, as River returns
    if (idx >= n) idx = n - 1;  // q = 1 with n odd: River raises IndexError; the largest here
    return sorted_[static_cast<size_t>(idx)];
  }
  double q() const { return q_; }
  size_t window_size() const { return window_.size(); }
  size_t size() const { return count_; }

  template <class Archive>
  void save(Archive& ar) const {
    ar(q_, static_cast<uint64_t>(window_.size()), static_cast<uint64_t>(count_));
    for (size_t i = 0; i < count_; ++i) ar(window_[(head_ + i) % window_.size()]);
  }
  template <class Archive>
  void load(Archive& ar) {
    uint64_t size = 0, count = 0;
    ar(q_, size, count);
    if (size < 1 || count > size) throw cereal::Exception("stats.RollingQuantile: corrupt state");
    window_.assign(size, 0.0);
    head_ = 0;
    count_ = 0;
    sorted_.clear();
    sorted_.reserve(size);
    for (uint64_t i = 0; i < count; ++i) {
      double x = 0.0;
      ar(x);
      update(x);
    }
  }

 private:
  double q_;
  std::vector<double> window_;  // ring in arrival order: oldest at head_
  size_t head_ = 0;
  size_t count_ = 0;
  std::vector<double> sorted_;
};

}  // namespace rivulet::stats
