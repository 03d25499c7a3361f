#include "rivulet/ml/metrics/macro_f1.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(MacroF1Test, MatchesRiversDocstring) {
  // y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1]: 100%, 33.33%, 55.56%, 55.56%, 48.89%.
  auto metric = MacroF1::create().value();
  const ClassId truth[] = {0, 1, 2, 2, 2}, pred[] = {0, 0, 2, 2, 1};
  const double expected[] = {1.0, 1.0 / 3.0, 5.0 / 9.0, 5.0 / 9.0, (2.0 / 3.0 + 0.8) / 3.0};
  for (int i = 0; i < 5; ++i) {
    metric->update(truth[i], pred[i], {});
    EXPECT_DOUBLE_EQ(metric->get(), expected[i]) << i;
  }
}

TEST(MacroF1Test, AnUnseenPredictionIsAMissButNotAClass) {
  auto metric = MacroF1::create().value();
  metric->update(0, 0, {});
  metric->update(1, kNoClass, {});
  // classes 0 (F1 1) and 1 (recall 0): the unseen label would be a class of its own in River,
  // but one that joins the classes once seen, so it does not count as a class here.
  EXPECT_DOUBLE_EQ(metric->get(), 0.5);
  metric->update(0, 1, {});
  // class 0: p 1, r 1/2 -> 2/3; class 1: p 0 -> 0
  EXPECT_DOUBLE_EQ(metric->get(), (2.0 / 3.0) / 2.0);
}

}  // namespace
}  // namespace rivulet::ml
