#include "rivulet/ml/metrics/balanced_accuracy.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(BalancedAccuracyTest, MatchesRiversDocstring) {
  // y_true = [T, F, T, T, F, T], y_pred = [T, F, T, T, T, F]: 62.50%.
  auto metric = BalancedAccuracy::create().value();
  const ClassId truth[] = {1, 0, 1, 1, 0, 1}, pred[] = {1, 0, 1, 1, 1, 0};
  for (int i = 0; i < 6; ++i) metric->update(truth[i], pred[i], {});
  EXPECT_EQ(metric->get(), 0.625);
  // y_true = [0, 1, 0, 0, 1, 0], y_pred = [0, 1, 0, 0, 0, 1]: 62.50%.
  auto other = BalancedAccuracy::create().value();
  const ClassId truth2[] = {0, 1, 0, 0, 1, 0}, pred2[] = {0, 1, 0, 0, 0, 1};
  for (int i = 0; i < 6; ++i) other->update(truth2[i], pred2[i], {});
  EXPECT_EQ(other->get(), 0.625);
}

TEST(BalancedAccuracyTest, PredictedOnlyClassesCountWithRecallZero) {
  auto metric = BalancedAccuracy::create().value();
  EXPECT_EQ(metric->get(), 0.0);
  metric->update(0, 0, {});
  metric->update(0, 3, {});  // class 3 never true, as in River's `classes`
  EXPECT_EQ(metric->get(), 0.25);
  metric->update(0, kNoClass, {});  // a miss of class 0, not a class
  EXPECT_DOUBLE_EQ(metric->get(), (1.0 / 3.0) / 2.0);
}

}  // namespace
}  // namespace rivulet::ml
