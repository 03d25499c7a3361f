#include "rivulet/ml/stats/ew_mean.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(EWMeanTest, MatchesRiversDocstring) {
  EWMean ewm(0.5);
  const double expected[] = {1, 2.0, 3.5, 3.75, 4.875, 6.4375, 6.71875, 7.859375, 9.4296875};
  int i = 0;
  for (double x : {1.0, 3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 11.0}) {
    ewm.update(x);
    EXPECT_EQ(ewm.get(), expected[i++]);
  }
}

TEST(EWMeanTest, RestartsFromTheValueWhenTheMeanIsZero) {
  // River 0.12: `alpha * x + (1 - alpha) * mean if mean else x`.
  EWMean ewm(0.1);
  ewm.update(0.0);
  ewm.update(4.0);
  EXPECT_EQ(ewm.get(), 4.0);
  ewm.update(14.0);
  EXPECT_EQ(ewm.get(), 0.1 * 14.0 + 0.9 * 4.0);
}

TEST(EWMeanTest, RejectsFactorOutsideUnitInterval) {
  EXPECT_FALSE(EWMean::create(1.5).ok());
  EXPECT_FALSE(EWMean::create(-0.1).ok());
  EXPECT_EQ(EWMean::create(0.3)->fading_factor(), 0.3);
}

TEST(EWMeanTest, SaveLoadContinuesExactly) {
  EWMean a(0.3);
  for (double x : testing::stream(10)) a.update(x);
  EWMean b = testing::round_trip(a, EWMean());
  a.update(7.5);
  b.update(7.5);
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(b.fading_factor(), 0.3);
}

}  // namespace
}  // namespace rivulet::stats
