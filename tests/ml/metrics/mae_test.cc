#include "rivulet/ml/metrics/mae.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(MAETest, MatchesRiversDocstring) {
  // y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8]: 0.5, 0.5, 0.333333, 0.5.
  auto metric = MAE::create().value();
  const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
  const double expected[] = {0.5, 0.5, 1.0 / 3.0, 0.5};
  for (int i = 0; i < 4; ++i) {
    metric->update(truth[i], pred[i]);
    EXPECT_DOUBLE_EQ(metric->get(), expected[i]) << i;
  }
  metric->revert(7, 8);
  EXPECT_DOUBLE_EQ(metric->get(), 1.0 / 3.0);
}

}  // namespace
}  // namespace rivulet::ml
