#include "rivulet/ml/stats/min.h"

#include <gtest/gtest.h>

#include <limits>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(MinTest, TracksTheSmallestValue) {
  Min m;
  EXPECT_EQ(m.get(), std::numeric_limits<double>::infinity());
  for (double x : {3.0, 5.0, -2.0, 4.0}) m.update(x);
  EXPECT_EQ(m.get(), -2.0);
  Min b = testing::round_trip(m, Min());
  EXPECT_EQ(b.get(), -2.0);
}

}  // namespace
}  // namespace rivulet::stats
