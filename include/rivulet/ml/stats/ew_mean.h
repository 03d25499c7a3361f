#pragma once
/// Exponentially weighted mean, River's `stats.EWMean` (River 0.12 calls the factor `alpha`,
/// later versions `fading_factor`): mean = f * x + (1 - f) * mean, except that the mean takes
/// x as it is while it is exactly 0 (River's `... if self.mean else x`, so the first value
/// starts it).
/// A small value type: embed it by value; updates never allocate.
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::EWMean ewm(0.5);
/// std::vector<double> got;
/// for (double x : {1.0, 3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 11.0}) {
///   ewm.update(x);
///   got.push_back(ewm.get());
/// }
/// // River's docstring: 1, 2, 3.5, 3.75, 4.875, 6.4375, 6.71875, 7.859375, 9.4296875
/// EXPECT_EQ(got, (std::vector<double>{1,
/// 2, 3.5, 3.75, 4.875, 6.4375, 6.71875, 7.859375, 9.4296875}));
/// ```

#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"

namespace rivulet::stats {

class EWMean {
 public:
  /// REQUIRES: 0 <= fading_factor <= 1 (checked by create).
  explicit EWMean(double fading_factor = 0.5) : fading_factor_(fading_factor) {}
  /// Returns kInvalidArgument unless 0 <= fading_factor <= 1.
  static Result<EWMean> create(double fading_factor = 0.5) {
    if (!(fading_factor >= 0.0 && fading_factor <= 1.0)) {
      return Status::invalid_argument("stats.EWMean: fading_factor must be in [0, 1]");
    }
    return EWMean(fading_factor);
  }

  void update(double x) {
    mean_ = mean_ != 0.0 ? fading_factor_ * x + (1.0 - fading_factor_) * mean_ : x;
  }
  double get() const { return mean_; }
  double fading_factor() const { return fading_factor_; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(fading_factor_, mean_);
  }

 private:
  double fading_factor_;
  double mean_ = 0.0;
};

}  // namespace rivulet::stats
