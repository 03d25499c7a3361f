#include "rivulet/ml/stats/var.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(VarTest, MatchesRiversDocstring) {
  // River: 0.0, 2.0, 1.0, 2.916666, 7.7, 12.56666 (printed rounded).
  Var var;
  std::vector<double> got;
  for (double x : {3.0, 5.0, 4.0, 7.0, 10.0, 12.0}) {
    var.update(x);
    got.push_back(var.get());
  }
  EXPECT_EQ(got[0], 0.0);
  EXPECT_EQ(got[1], 2.0);
  EXPECT_EQ(got[2], 1.0);
  EXPECT_NEAR(got[3], 2.9166666666666665, 1e-15);
  EXPECT_NEAR(got[4], 7.7, 1e-14);
  EXPECT_NEAR(got[5], 12.566666666666666, 1e-14);
}

TEST(VarTest, WeightedUpdatesMatchRiver) {
  Var var;
  const auto xs = testing::stream(100);
  for (int i = 0; i < 100; ++i) var.update(xs[i], 1 + i % 3);
  EXPECT_EQ(var.get(), 83324.13060517074);  // River 0.12 stats.Var, same stream and weights
}

TEST(VarTest, DdofZeroAndRevert) {
  Var var(0);
  var.update(1.0);
  var.update(3.0);
  EXPECT_EQ(var.get(), 1.0);
  var.revert(3.0);
  EXPECT_EQ(var.get(), 0.0);
  EXPECT_EQ(var.mean().get(), 1.0);
}

TEST(VarTest, RejectsNegativeDdof) {
  EXPECT_FALSE(Var::create(-1).ok());
  EXPECT_EQ(Var::create(2)->ddof(), 2);
}

TEST(VarTest, SaveLoadContinuesExactly) {
  Var a(1);
  for (double x : testing::stream(10)) a.update(x);
  Var b = testing::round_trip(a, Var(0));
  EXPECT_EQ(b.ddof(), 1);
  a.update(7.5);
  b.update(7.5);
  EXPECT_EQ(a.get(), b.get());
}

}  // namespace
}  // namespace rivulet::stats
