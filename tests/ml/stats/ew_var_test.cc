#include "rivulet/ml/stats/ew_var.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(EWVarTest, MatchesRiversDocstring) {
  EWVar ewv(0.5);
  const double expected[] = {0,          1.0,          2.75,           1.4375,          1.984375,
                             3.43359375, 1.7958984375, 2.198974609375, 3.56536865234375};
  int i = 0;
  for (double x : {1.0, 3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 11.0}) {
    ewv.update(x);
    EXPECT_EQ(ewv.get(), expected[i++]);
  }
}

TEST(EWVarTest, RejectsFactorOutsideUnitInterval) {
  EXPECT_FALSE(EWVar::create(2.0).ok());
  EXPECT_TRUE(EWVar::create(1.0).ok());
}

TEST(EWVarTest, SaveLoadContinuesExactly) {
  EWVar a(0.2);
  for (double x : testing::stream(10)) a.update(x);
  EWVar b = testing::round_trip(a, EWVar());
  a.update(7.5);
  b.update(7.5);
  EXPECT_EQ(a.get(), b.get());
}

}  // namespace
}  // namespace rivulet::stats
