#pragma once
/// Mean of the last window_size values, River 0.12's `utils.Rolling(stats.Mean(), window_size)`
/// (River 0.11's `stats.RollingMean`): once the window is full, each update first reverts the
/// oldest value from the running mean, then adds the new one.
/// A value type holding its window (one allocation, at construction); updates never allocate.
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::RollingMean rmean(2);
/// std::vector<double> got;
/// for (double x : {1.0, 2.0, 3.0, 4.0, 5.0, 6.0}) {
///   rmean.update(x);
///   got.push_back(rmean.get());
/// }
/// EXPECT_EQ(got, (std::vector<double>{1, 1.5, 2.5, 3.5, 4.5, 5.5}));  // River's docstring
/// ```

#include <cstddef>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/stats/mean.h"

namespace rivulet::stats {

class RollingMean {
 public:
  /// REQUIRES: window_size >= 1 (checked by create).
  explicit RollingMean(size_t window_size) : window_(window_size) {}
  /// Returns kInvalidArgument when window_size < 1.
  static Result<RollingMean> create(long long window_size) {
    if (window_size < 1)
      return Status::invalid_argument("stats.RollingMean: window_size must be >= 1");
    return RollingMean(static_cast<size_t>(window_size));
  }

  void update(double x) {
    if (count_ == window_.size()) mean_.revert(window_[head_]);
    mean_.update(x);
    push(x);
  }
  double get() const { return mean_.get(); }
  size_t window_size() const { return window_.size(); }
  /// Values in the window (< window_size until it fills).
  size_t size() const { return count_; }

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<uint64_t>(window_.size()), static_cast<uint64_t>(count_));
    for (size_t i = 0; i < count_; ++i) ar(window_[(head_ + i) % window_.size()]);
    ar(mean_);
  }
  template <class Archive>
  void load(Archive& ar) {
    uint64_t size = 0, count = 0;
    ar(size, count);
    if (size < 1 || count > size) throw cereal::Exception("stats.RollingMean: corrupt state");
    window_.assign(size, 0.0);
    head_ = 0;
    count_ = count;
    for (size_t i = 0; i < count_; ++i) ar(window_[i]);
    ar(mean_);
  }

 private:
  void push(double x) {
    if (count_ < window_.size()) {
      window_[(head_ + count_++) % window_.size()] = x;
    } else {
      window_[head_] = x;
      head_ = (head_ + 1) % window_.size();
    }
  }

  std::vector<double> window_;  // ring: oldest at head_
  size_t head_ = 0;
  size_t count_ = 0;
  Mean mean_;
};

}  // namespace rivulet::stats
