#include "rivulet/ml/stats/mean.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(MeanTest, MatchesRiversDocstring) {
  Mean mean;
  const double expected[] = {-5, -4, -3, -2, -1, 0};
  int i = 0;
  for (double x : {-5.0, -3.0, -1.0, 1.0, 3.0, 5.0}) {
    mean.update(x);
    EXPECT_EQ(mean.get(), expected[i++]);
  }
}

TEST(MeanTest, WeightedUpdatesMatchRiver) {
  Mean mean;
  const auto xs = testing::stream(100);
  for (int i = 0; i < 100; ++i) mean.update(xs[i], 1 + i % 3);
  EXPECT_EQ(mean.get(), 533.0672763819096);  // River 0.12 stats.Mean, same stream and weights
  EXPECT_EQ(mean.n(), 199.0);
}

TEST(MeanTest, RevertToEmptyResets) {
  Mean mean;
  mean.update(3.0);
  mean.revert(3.0);
  EXPECT_EQ(mean.get(), 0.0);
  EXPECT_EQ(mean.n(), 0.0);
}

TEST(MeanTest, SaveLoadContinuesExactly) {
  Mean a;
  for (double x : testing::stream(10)) a.update(x);
  Mean b = testing::round_trip(a, Mean());
  a.update(7.5);
  b.update(7.5);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(a.n(), b.n());
}

}  // namespace
}  // namespace rivulet::stats
