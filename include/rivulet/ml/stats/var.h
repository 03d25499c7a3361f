#pragma once
/// Running (weighted) variance, River's `stats.Var(ddof=1)`: Welford's update of the sum of
/// squared deviations S (S += w (x - old mean)(x - new mean)), divided by n - ddof, 0 while
/// n <= ddof. Reversible, so `RollingVar` is River's `utils.Rolling(stats.Var(ddof), n)`.
/// A small value type: embed it by value; updates never allocate.
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::Var var;  // ddof = 1
/// std::vector<double> got;
/// for (double x : {3.0, 5.0, 4.0, 7.0, 10.0, 12.0}) {
///   var.update(x);
///   got.push_back(var.get());
/// }
/// EXPECT_EQ(got[1], 2.0);  // River's docstring: 0, 2, 1, 2.916666, 7.7, 12.56666
/// EXPECT_NEAR(got[5], 12.566666666666666, 1e-12);
/// EXPECT_EQ(rivulet::stats::Var::create(-1).ok(), false);
/// ```

#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/stats/mean.h"

namespace rivulet::stats {

class Var {
 public:
  /// REQUIRES: ddof >= 0 (checked by create; the constructor trusts it).
  explicit Var(int ddof = 1) : ddof_(ddof) {}
  /// Returns kInvalidArgument when ddof < 0.
  static Result<Var> create(int ddof = 1) {
    if (ddof < 0) return Status::invalid_argument("stats.Var: ddof must be >= 0");
    return Var(ddof);
  }

  void update(double x, double w = 1.0) {
    const double mean_old = mean_.get();
    mean_.update(x, w);
    const double mean_new = mean_.get();
    s_ += w * (x - mean_old) * (x - mean_new);
  }
  void revert(double x, double w = 1.0) {
    const double mean_old = mean_.get();
    mean_.revert(x, w);
    const double mean_new = mean_.get();
    s_ -= w * (x - mean_old) * (x - mean_new);
  }
  double get() const { return mean_.n() > ddof_ ? s_ / (mean_.n() - ddof_) : 0.0; }
  /// The running mean of the same values.
  const Mean& mean() const { return mean_; }
  double n() const { return mean_.n(); }
  int ddof() const { return ddof_; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(ddof_, mean_, s_);
  }

 private:
  int ddof_;
  Mean mean_;
  double s_ = 0.0;  // sum of squared deviations from the mean
};

}  // namespace rivulet::stats
