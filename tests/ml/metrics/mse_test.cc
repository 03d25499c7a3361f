#include "rivulet/ml/metrics/mse.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(MSETest, MatchesRiversDocstring) {
  // y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8]: 0.25, 0.25, 0.1666, 0.375.
  auto metric = MSE::create().value();
  const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
  const double expected[] = {0.25, 0.25, 0.5 / 3.0, 0.375};
  for (int i = 0; i < 4; ++i) {
    metric->update(truth[i], pred[i]);
    EXPECT_DOUBLE_EQ(metric->get(), expected[i]) << i;
  }
  EXPECT_FALSE(metric->bigger_is_better());
}

}  // namespace
}  // namespace rivulet::ml
