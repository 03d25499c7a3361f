#include "rivulet/ml/metrics/f1.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(F1Test, MatchesRiversDocstring) {
  // y_true = [False, False, False, True, True, True], y_pred = [F, F, T, T, F, F]: 40%.
  auto metric = F1::create().value();
  const ClassId truth[] = {0, 0, 0, 1, 1, 1}, pred[] = {0, 0, 1, 1, 0, 0};
  for (int i = 0; i < 6; ++i) metric->update(truth[i], pred[i], {});
  EXPECT_DOUBLE_EQ(metric->get(), 0.4);  // precision 1/2, recall 1/3
}

TEST(F1Test, PositiveClassFollowsTheEncoder) {
  // Electricity: UP is seen first and is the positive class.
  LabelEncoder labels;
  const ClassId up = labels.intern("UP"), down = labels.intern("DOWN");
  auto metric = F1::create().value();
  metric->attach(&labels);
  metric->update(up, up, {});
  metric->update(down, up, {});
  metric->update(down, down, {});
  metric->update(up, kNoClass, {});
  // precision 1/2, recall 1/2
  EXPECT_DOUBLE_EQ(metric->get(), 0.5);
  auto clone = metric->clone_fresh();
  auto& f1 = static_cast<ClassificationMetric&>(*clone);
  f1.update(up, up, {});
  EXPECT_EQ(clone->get(), 1.0);  // the clone keeps the encoder
}

TEST(F1Test, ZeroWithoutTruePositives) {
  auto metric = F1::create().value();
  EXPECT_EQ(metric->get(), 0.0);
  metric->update(0, 0, {});
  metric->update(1, 0, {});
  EXPECT_EQ(metric->get(), 0.0);
}

}  // namespace
}  // namespace rivulet::ml
