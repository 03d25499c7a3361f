#include "rivulet/ml/stats/rolling_mean.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(RollingMeanTest, MatchesRiversDocstring) {
  // River 0.11 stats.RollingMean / 0.12 utils.Rolling(stats.Mean(), n).
  RollingMean two(2), three(3);
  const double expected2[] = {1.0, 1.5, 2.5, 3.5, 4.5, 5.5};
  const double expected3[] = {1.0, 1.5, 2.0, 3.0, 4.0, 5.0};
  for (int i = 0; i < 6; ++i) {
    two.update(i + 1);
    three.update(i + 1);
    EXPECT_EQ(two.get(), expected2[i]);
    EXPECT_EQ(three.get(), expected3[i]);
  }
}

TEST(RollingMeanTest, RevertsLikeRiversRolling) {
  // Python: utils.Rolling(stats.Mean(), 3) over [1, 4, 2, -4, -8, 0].
  RollingMean r(3);
  const double expected[] = {1.0, 2.5, 2.3333333333333335, 0.6666666666666665, -3.333333333333334,
                             -4.0};
  int i = 0;
  for (double x : {1.0, 4.0, 2.0, -4.0, -8.0, 0.0}) {
    r.update(x);
    EXPECT_EQ(r.get(), expected[i++]);
  }
  RollingMean long_run(50);
  for (double x : testing::stream(1000)) long_run.update(x);
  EXPECT_EQ(long_run.get(), 528.8764199999996);
  EXPECT_EQ(long_run.size(), 50u);
}

TEST(RollingMeanTest, RejectsEmptyWindow) { EXPECT_FALSE(RollingMean::create(0).ok()); }

TEST(RollingMeanTest, SaveLoadContinuesExactly) {
  const auto xs = testing::stream(100);
  RollingMean a(7);
  for (int i = 0; i < 40; ++i) a.update(xs[i]);
  RollingMean b = testing::round_trip(a, RollingMean(1));
  EXPECT_EQ(b.window_size(), 7u);
  for (int i = 40; i < 100; ++i) {
    a.update(xs[i]);
    b.update(xs[i]);
    ASSERT_EQ(a.get(), b.get());
  }
}

}  // namespace
}  // namespace rivulet::stats
