#include "rivulet/ml/metrics/micro_f1.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(MicroF1Test, MatchesRiversDocstring) {
  // y_true = [0, 1, 2, 2, 0], y_pred = [0, 1, 1, 2, 1]: 60%.
  auto metric = MicroF1::create().value();
  const ClassId truth[] = {0, 1, 2, 2, 0}, pred[] = {0, 1, 1, 2, 1};
  for (int i = 0; i < 5; ++i) metric->update(truth[i], pred[i], {});
  EXPECT_DOUBLE_EQ(metric->get(), 0.6);
}

TEST(MicroF1Test, EqualsTheAccuracyWithUnseenPredictions) {
  // River's MicroPrecision docstring: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].
  auto metric = MicroF1::create().value();
  const ClassId truth[] = {0, 1, 2, 2, 2}, pred[] = {0, 0, 2, 2, 1};
  const double expected[] = {1.0, 0.5, 2.0 / 3.0, 0.75, 0.6};
  for (int i = 0; i < 5; ++i) {
    metric->update(truth[i], pred[i], {});
    EXPECT_DOUBLE_EQ(metric->get(), expected[i]) << i;
  }
  metric->update(2, kNoClass, {});
  EXPECT_DOUBLE_EQ(metric->get(), 0.5);
  EXPECT_EQ(MicroF1::create().value()->get(), 0.0);
}

}  // namespace
}  // namespace rivulet::ml
