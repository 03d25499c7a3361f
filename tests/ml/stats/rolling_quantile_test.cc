#include "rivulet/ml/stats/rolling_quantile.h"

#include <gtest/gtest.h>

#include "ml/stats/stats_test_util.h"

namespace rivulet::stats {
namespace {

TEST(RollingQuantileTest, MatchesRiversDocstring) {
  RollingQuantile rq(0.5, 100);
  std::vector<double> got;
  for (int i = 0; i <= 1000; ++i) {
    rq.update(i);
    if (i % 100 == 0) got.push_back(rq.get());
  }
  EXPECT_EQ(got, (std::vector<double>{0, 50, 150, 250, 350, 450, 550, 650, 750, 850, 950}));
}

TEST(RollingQuantileTest, MatchesRiversIndexingWhileFillingAndFull) {
  // River 0.12's Python RollingQuantile over testing::stream(200), read after updates 1, 2, 3,
  // 4 and 200 (q = 0 indexes [-1]: the largest value, as Python does).
  struct Case {
    double q;
    int window;
    double expected[5];
  };
  const Case cases[] = {
      {0.5, 10, {0.0, 427.799, 427.799, 283.394, 564.961}},
      {0.25, 7, {0.0, 0.0, 0.0, 283.394, 276.151}},
      {0.0, 5, {0.0, 427.799, 855.598, 855.598, 848.355}},
      {0.9, 20, {0.0, 427.799, 855.598, 855.598, 859.187}},
  };
  const int at[] = {0, 1, 2, 3, 199};
  const auto xs = testing::stream(200);
  for (const auto& c : cases) {
    RollingQuantile rq(c.q, c.window);
    int next = 0;
    for (int i = 0; i < 200; ++i) {
      rq.update(xs[i]);
      if (next < 5 && i == at[next]) {
        EXPECT_EQ(rq.get(), c.expected[next]) << "q=" << c.q << " i=" << i;
        ++next;
      }
    }
  }
}

TEST(RollingQuantileTest, RejectsBadParameters) {
  EXPECT_FALSE(RollingQuantile::create(1.5, 10).ok());
  EXPECT_FALSE(RollingQuantile::create(0.5, 0).ok());
}

TEST(RollingQuantileTest, SaveLoadContinuesExactly) {
  const auto xs = testing::stream(100);
  RollingQuantile a(0.3, 11);
  for (int i = 0; i < 40; ++i) a.update(xs[i]);
  RollingQuantile b = testing::round_trip(a, RollingQuantile(0.5, 2));
  EXPECT_EQ(b.q(), 0.3);
  for (int i = 40; i < 100; ++i) {
    a.update(xs[i]);
    b.update(xs[i]);
    ASSERT_EQ(a.get(), b.get());
  }
}

}  // namespace
}  // namespace rivulet::stats
