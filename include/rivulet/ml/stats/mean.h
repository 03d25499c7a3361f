#pragma once
/// Running (weighted) mean, River's `stats.Mean`: West's incremental update, with the same
/// floating-point steps as River (it wraps ml::RunningMean, the state of the mean metrics).
/// A small value type: embed it by value; updates never allocate.
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::Mean mean;
/// for (double x : {-5.0, -3.0, -1.0, 1.0, 3.0, 5.0}) mean.update(x);
/// EXPECT_EQ(mean.get(), 0.0);  // River's docstring: -5, -4, -3, -2, -1, 0
/// mean.update(10.0, 4.0);      // weight 4
/// EXPECT_EQ(mean.get(), 4.0);
/// mean.revert(10.0, 4.0);
/// EXPECT_EQ(mean.n(), 6.0);
/// ```

#include "rivulet/core/state.h"
#include "rivulet/ml/metrics/running_mean.h"

namespace rivulet::stats {

class Mean {
 public:
  /// Adds x with weight w (River's `update(x, w=1.0)`).
  void update(double x, double w = 1.0) { mean_.update(x, w); }
  /// Takes back an update; the mean resets to 0 when no weight is left.
  void revert(double x, double w = 1.0) { mean_.revert(x, w); }
  double get() const { return mean_.get(); }
  /// Sum of the weights (the count when every weight is 1).
  double n() const { return mean_.n(); }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(mean_);
  }

 private:
  ml::RunningMean mean_;
};

}  // namespace rivulet::stats
