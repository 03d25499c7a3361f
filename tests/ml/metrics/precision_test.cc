#include "rivulet/ml/metrics/precision.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(PrecisionTest, MatchesRiversDocstring) {
  // y_true = [True, False, True, True, True], y_pred = [True, True, False, True, True].
  auto metric = Precision::create().value();  // no encoder: class 1 is True
  const ClassId truth[] = {1, 0, 1, 1, 1}, pred[] = {1, 1, 0, 1, 1};
  const double expected[] = {1.0, 0.5, 0.5, 2.0 / 3.0, 0.75};
  for (int i = 0; i < 5; ++i) {
    metric->update(truth[i], pred[i], {});
    EXPECT_DOUBLE_EQ(metric->get(), expected[i]) << i;
  }
}

TEST(PrecisionTest, UsesTheEncodersPositiveClass) {
  LabelEncoder labels("DOWN");  // an explicit pos_label
  const ClassId up = labels.intern("UP"), down = labels.intern("DOWN");
  auto metric = Precision::create().value();
  metric->attach(&labels);
  metric->update(down, down, {});
  metric->update(up, down, {});
  metric->update(up, up, {});
  EXPECT_EQ(metric->get(), 0.5);  // DOWN predicted twice, right once
}

TEST(PrecisionTest, IsZeroUntilSomethingIsPredictedPositive) {
  auto metric = Precision::create().value();
  EXPECT_EQ(metric->get(), 0.0);
  metric->update(1, 0, {});
  metric->update(1, kNoClass, {});  // an unseen label is not the positive one
  EXPECT_EQ(metric->get(), 0.0);
  LabelEncoder labels;
  labels.intern("0");  // reads as false: no positive class yet
  metric->attach(&labels);
  EXPECT_EQ(metric->get(), 0.0);
}

}  // namespace
}  // namespace rivulet::ml
