#pragma once
/// Variance of the last window_size values, River 0.12's
/// `utils.Rolling(stats.Var(ddof), window_size)`: once the window is full, each update first
/// reverts the oldest value from the running variance, then adds the new one.
/// A value type holding its window (one allocation, at construction); updates never allocate.
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::RollingVar rvar(3);  // ddof = 1
/// std::vector<double> got;
/// for (double x : {1.0, 4.0, 2.0, -4.0, -8.0, 0.0}) {
///   rvar.update(x);
///   got.push_back(rvar.get());
/// }
/// // River 0.11's docstring: 0, 4.5, 2.333333, 17.333333, 25.333333, 16
/// EXPECT_EQ(got[1], 4.5);
/// EXPECT_NEAR(got[4], 25.333333333333332, 1e-12);
/// EXPECT_NEAR(got[5], 16.0, 1e-12);
/// ```

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/stats/var.h"

namespace rivulet::stats {

class RollingVar {
 public:
  /// REQUIRES: window_size >= 1, ddof >= 0 (checked by create).
  explicit RollingVar(size_t window_size, int ddof = 1) : window_(window_size), var_(ddof) {}
  /// Returns kInvalidArgument when window_size < 1 or ddof < 0.
  static Result<RollingVar> create(long long window_size, int ddof = 1) {
    if (window_size < 1)
      return Status::invalid_argument("stats.RollingVar: window_size must be >= 1");
    if (ddof < 0) return Status::invalid_argument("stats.RollingVar: ddof must be >= 0");
    return RollingVar(static_cast<size_t>(window_size), ddof);
  }

  void update(double x) {
    if (count_ == window_.size()) var_.revert(window_[head_]);
    var_.update(x);
    if (count_ < window_.size()) {
      window_[(head_ + count_++) % window_.size()] = x;
    } else {
      window_[head_] = x;
      head_ = (head_ + 1) % window_.size();
    }
  }
  double get() const { return var_.get(); }
  /// The mean of the window.
  double mean() const { return var_.mean().get(); }
  size_t window_size() const { return window_.size(); }
  size_t size() const { return count_; }

  template <class Archive>
  void save(Archive& ar) const {
    ar(static_cast<uint64_t>(window_.size()), static_cast<uint64_t>(count_));
    for (size_t i = 0; i < count_; ++i) ar(window_[(head_ + i) % window_.size()]);
    ar(var_);
  }
  template <class Archive>
  void load(Archive& ar) {
    uint64_t size = 0, count = 0;
    ar(size, count);
    if (size < 1 || count > size) throw cereal::Exception("stats.RollingVar: corrupt state");
    window_.assign(size, 0.0);
    head_ = 0;
    count_ = count;
    for (size_t i = 0; i < count_; ++i) ar(window_[i]);
    ar(var_);
  }

 private:
  std::vector<double> window_;  // ring: oldest at head_
  size_t head_ = 0;
  size_t count_ = 0;
  Var var_;
};

}  // namespace rivulet::stats
