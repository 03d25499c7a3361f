#include "rivulet/ml/stats/quantile.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

// Expected values: River 0.12's Python stats.Quantile run on testing::stream(2000), read after
// updates 1, 3, 5, 6, 10, 100 and 2000.
TEST(QuantileTest, MatchesRiversP2StepForStep) {
  struct Case {
    double q;
    double expected[7];
  };
  const Case cases[] = {
      {0.5, {0.0, 427.799, 427.799, 427.799, 427.799, 506.5172879494053, 493.9681645828188}},
      {0.17,
       {0.0, 0.0, 0.0, 237.66611111111112, 237.66611111111112, 207.47197178776426,
        167.53906861808903}},
      {0.9,
       {0.0, 855.598, 855.598, 427.799, 800.7503194444444, 929.1843695550807, 898.2208890402163}},
  };
  const int at[] = {0, 2, 4, 5, 9, 99, 1999};
  const auto xs = testing::stream(2000);
  for (const auto& c : cases) {
    Quantile quantile(c.q);
    int next = 0;
    for (int i = 0; i < 2000; ++i) {
      quantile.update(xs[i]);
      if (next < 7 && i == at[next]) {
        EXPECT_EQ(quantile.get(), c.expected[next]) << "q=" << c.q << " i=" << i;
        ++next;
      }
    }
  }
}

TEST(QuantileTest, EmptyIsZero) { EXPECT_EQ(Quantile().get(), 0.0); }

TEST(QuantileTest, RejectsQOutsideOpenInterval) {
  EXPECT_FALSE(Quantile::create(0.0).ok());
  EXPECT_FALSE(Quantile::create(1.0).ok());
  EXPECT_EQ(Quantile::create(0.25)->q(), 0.25);
}

TEST(QuantileTest, SaveLoadContinuesExactly) {
  const auto xs = testing::stream(300);
  Quantile a(0.3);
  for (int i = 0; i < 150; ++i) a.update(xs[i]);
  Quantile b = testing::round_trip(a, Quantile(0.9));
  for (int i = 150; i < 300; ++i) {
    a.update(xs[i]);
    b.update(xs[i]);
  }
  EXPECT_EQ(a.get(), b.get());
}

}  // namespace
}  // namespace rivulet::stats
