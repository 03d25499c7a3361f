#pragma once
/// Exponentially weighted variance, River's `stats.EWVar`: the EW mean of x^2 minus the square
/// of the EW mean of x (two EWMean with the same fading factor).
/// A small value type: embed it by value; updates never allocate.
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::EWVar ewv(0.5);
/// std::vector<double> got;
/// for (double x : {1.0, 3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 11.0}) {
///   ewv.update(x);
///   got.push_back(ewv.get());
/// }
/// // River's docstring.
/// EXPECT_EQ(got, (std::vector<double>{0, 1, 2.75, 1.4375, 1.984375, 3.43359375, 1.7958984375,
///                                     2.198974609375, 3.56536865234375}));
/// ```

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/stats/ew_mean.h"

namespace rivulet::stats {

class EWVar {
 public:
  /// REQUIRES: 0 <= fading_factor <= 1 (checked by create).
  explicit EWVar(double fading_factor = 0.5) : mean_(fading_factor), sq_mean_(fading_factor) {}
  /// Returns kInvalidArgument unless 0 <= fading_factor <= 1.
  static Result<EWVar> create(double fading_factor = 0.5) {
    if (!(fading_factor >= 0.0 && fading_factor <= 1.0)) {
      return Status::invalid_argument("stats.EWVar: fading_factor must be in [0, 1]");
    }
    return EWVar(fading_factor);
  }

  void update(double x) {
    mean_.update(x);
    sq_mean_.update(x * x);
  }
  double get() const { return sq_mean_.get() - mean_.get() * mean_.get(); }
  const EWMean& mean() const { return mean_; }
  double fading_factor() const { return mean_.fading_factor(); }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(mean_, sq_mean_);
  }

 private:
  EWMean mean_;
  EWMean sq_mean_;
};

}  // namespace rivulet::stats
