#include "rivulet/ml/metrics/mape.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(MAPETest, MatchesRiversDocstringInPercent) {
  // y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8]: 32.738095.
  auto metric = MAPE::create().value();
  const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
  for (int i = 0; i < 4; ++i) metric->update(truth[i], pred[i]);
  EXPECT_NEAR(metric->get(), 32.738095, 1e-6);
  EXPECT_NEAR(metric->get(), 100.0 * (1.0 / 6.0 + 1.0 + 0.0 + 1.0 / 7.0) / 4.0, 1e-12);
}

TEST(MAPETest, ZeroTruthAddsZeroButCounts) {
  // River: `if y_true == 0: return 0.0`, and the sample still counts in the mean.
  auto metric = MAPE::create().value();
  metric->update(0.0, 5.0);
  EXPECT_EQ(metric->get(), 0.0);
  metric->update(2.0, 1.0);
  EXPECT_EQ(metric->get(), 25.0);
  metric->revert(0.0, 5.0);
  EXPECT_EQ(metric->get(), 50.0);
}

}  // namespace
}  // namespace rivulet::ml
