#pragma once
/// Running minimum, River's `stats.Min` (+inf before the first value).
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::Min m;
/// for (double x : {3.0, -1.0, 2.0}) m.update(x);
/// EXPECT_EQ(m.get(), -1.0);
/// ```

#include <limits>

#include "rivulet/core/state.h"

namespace rivulet::stats {

class Min {
 public:
  void update(double x) {
    if (x < min_) min_ = x;
  }
  double get() const { return min_; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(min_);
  }

 private:
  double min_ = std::numeric_limits<double>::infinity();
};

}  // namespace rivulet::stats
