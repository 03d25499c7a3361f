#pragma once
/// A running mean that can take values back, River's `stats.Mean` (West's incremental update,
/// the same floating-point steps), the state of River's `MeanMetric`s (MAE, MSE, LogLoss, ...).
/// Thread safety: none.
/// ```cpp example
/// rivulet::ml::RunningMean mean;
/// for (double x : {-5.0, -3.0, -1.0}) mean.update(x);
/// EXPECT_EQ(mean.get(), -3.0);
/// mean.revert(-1.0);
/// EXPECT_EQ(mean.get(), -4.0);
/// ```

#include "rivulet/core/state.h"

namespace rivulet::ml {

class RunningMean {
 public:
  void update(double x, double w = 1.0) {
    n_ += w;
    if (n_ > 0) mean_ += w * (x - mean_) / n_;
  }
  /// Takes back an update; the mean resets to 0 when no weight is left.
  void revert(double x, double w = 1.0) {
    n_ -= w;
    if (n_ <= 0) {
      n_ = 0;
      mean_ = 0.0;
    } else {
      mean_ -= w * (x - mean_) / n_;
    }
  }
  double get() const { return mean_; }
  double n() const { return n_; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(n_, mean_);
  }

 private:
  double n_ = 0.0;
  double mean_ = 0.0;
};

}  // namespace rivulet::ml
