#pragma once
/// Running maximum, River's `stats.Max` (-inf before the first value).
/// Thread safety: none.
/// ```cpp example
/// rivulet::stats::Max m;
/// for (double x : {3.0, -1.0, 5.0, 2.0}) m.update(x);
/// EXPECT_EQ(m.get(), 5.0);
/// ```

#include <limits>

#include "rivulet/core/state.h"

namespace rivulet::stats {

class Max {
 public:
  void update(double x) {
    if (x > max_) max_ = x;
  }
  double get() const { return max_; }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(max_);
  }

 private:
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace rivulet::stats
