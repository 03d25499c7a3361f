#include "rivulet/ml/metrics/rmse.h"

#include <gtest/gtest.h>

#include <cmath>

namespace rivulet::ml {
namespace {

TEST(RMSETest, MatchesRiversDocstring) {
  // y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8]: 0.5, 0.5, 0.408248, 0.612372.
  auto metric = RMSE::create().value();
  const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
  const double printed[] = {0.5, 0.5, 0.408248, 0.612372};
  const double exact[] = {0.5, 0.5, std::sqrt(0.5 / 3.0), std::sqrt(0.375)};
  for (int i = 0; i < 4; ++i) {
    metric->update(truth[i], pred[i]);
    EXPECT_NEAR(metric->get(), printed[i], 1e-6) << i;
    EXPECT_DOUBLE_EQ(metric->get(), exact[i]) << i;
  }
}

}  // namespace
}  // namespace rivulet::ml
