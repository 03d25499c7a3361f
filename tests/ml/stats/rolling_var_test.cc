#include "rivulet/ml/stats/rolling_var.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(RollingVarTest, MatchesRiversRolling) {
  // Python: utils.Rolling(stats.Var(ddof=1), n) over [1, 4, 2, -4, -8, 0]; River 0.11's
  // RollingVar docstring printed the same values rounded (0, 4.5, 2, 18, 8, 32 and
  // 0, 4.5, 2.333333, 17.333333, 25.333333, 16).
  RollingVar two(2), three(3);
  const double expected2[] = {0.0, 4.5, 2.0, 18.0, 8.0, 32.0};
  const double expected3[] = {
      0.0, 4.5, 2.3333333333333335, 17.333333333333332, 25.33333333333333, 15.999999999999995};
  int i = 0;
  for (double x : {1.0, 4.0, 2.0, -4.0, -8.0, 0.0}) {
    two.update(x);
    three.update(x);
    EXPECT_EQ(two.get(), expected2[i]);
    EXPECT_EQ(three.get(), expected3[i]);
    ++i;
  }
  RollingVar long_run(50);
  for (double x : testing::stream(1000)) long_run.update(x);
  EXPECT_EQ(long_run.get(), 82057.98730996263);
  EXPECT_EQ(long_run.mean(), 528.8764199999996);
}

TEST(RollingVarTest, RejectsBadParameters) {
  EXPECT_FALSE(RollingVar::create(0).ok());
  EXPECT_FALSE(RollingVar::create(5, -1).ok());
  EXPECT_TRUE(RollingVar::create(5, 0).ok());
}

TEST(RollingVarTest, SaveLoadContinuesExactly) {
  const auto xs = testing::stream(100);
  RollingVar a(9, 0);
  for (int i = 0; i < 40; ++i) a.update(xs[i]);
  RollingVar b = testing::round_trip(a, RollingVar(1));
  for (int i = 40; i < 100; ++i) {
    a.update(xs[i]);
    b.update(xs[i]);
    ASSERT_EQ(a.get(), b.get());
  }
}

}  // namespace
}  // namespace rivulet::stats
