#include "rivulet/ml/stats/max.h"

#include <gtest/gtest.h>

#include <limits>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(MaxTest, TracksTheLargestValue) {
  Max m;
  EXPECT_EQ(m.get(), -std::numeric_limits<double>::infinity());
  for (double x : {3.0, 5.0, -2.0, 4.0}) m.update(x);
  EXPECT_EQ(m.get(), 5.0);
  Max b = testing::round_trip(m, Max());
  EXPECT_EQ(b.get(), 5.0);
}

}  // namespace
}  // namespace rivulet::stats
