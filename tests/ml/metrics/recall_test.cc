#include "rivulet/ml/metrics/recall.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(RecallTest, MatchesRiversDocstring) {
  // y_true = [True, False, True, True, True], y_pred = [True, True, False, True, True].
  auto metric = Recall::create().value();
  const ClassId truth[] = {1, 0, 1, 1, 1}, pred[] = {1, 1, 0, 1, 1};
  const double expected[] = {1.0, 1.0, 0.5, 2.0 / 3.0, 0.75};
  for (int i = 0; i < 5; ++i) {
    metric->update(truth[i], pred[i], {});
    EXPECT_DOUBLE_EQ(metric->get(), expected[i]) << i;
  }
}

TEST(RecallTest, UnseenPredictionsOfThePositiveClassAreMisses) {
  LabelEncoder labels;
  const ClassId yes = labels.intern("yes");
  labels.intern("no");
  auto metric = Recall::create().value();
  metric->attach(&labels);
  metric->update(yes, yes, {});
  metric->update(yes, kNoClass, {});
  EXPECT_EQ(metric->get(), 0.5);
  metric->revert(yes, kNoClass, {});
  EXPECT_EQ(metric->get(), 1.0);
}

}  // namespace
}  // namespace rivulet::ml
