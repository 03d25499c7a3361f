#include "rivulet/ml/metrics/r2.h"

#include <gtest/gtest.h>

#include <sstream>

namespace rivulet::ml {
namespace {

TEST(R2Test, MatchesRiversDocstring) {
  // y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0, 2, 8]: 0.0, 0.9183, 0.9230, 0.9486.
  auto metric = R2::create().value();
  const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
  const double printed[] = {0.0, 0.9183, 0.9230, 0.9486};
  // 1 - RSS / TSS by hand: TSS = 6.125, 6.5, 29.1875; RSS = 0.5, 0.5, 1.5.
  const double exact[] = {0.0, 1.0 - 0.5 / 6.125, 1.0 - 0.5 / 6.5, 1.0 - 1.5 / 29.1875};
  for (int i = 0; i < 4; ++i) {
    metric->update(truth[i], pred[i]);
    EXPECT_NEAR(metric->get(), printed[i], 1e-4) << i;
    EXPECT_NEAR(metric->get(), exact[i], 1e-14) << i;
  }
  EXPECT_TRUE(metric->bigger_is_better());
}

TEST(R2Test, ZeroWithFewerThanTwoSamplesOrConstantTruth) {
  auto metric = R2::create().value();
  EXPECT_EQ(metric->get(), 0.0);
  metric->update(5.0, 1.0);
  EXPECT_EQ(metric->get(), 0.0);  // River: not defined for n < 2, returns 0
  metric->update(5.0, 9.0);
  EXPECT_EQ(metric->get(), 0.0);  // TSS = 0: River catches the division by zero
  metric->update(7.0, 7.0);
  EXPECT_NE(metric->get(), 0.0);
  metric->revert(7.0, 7.0);
  EXPECT_EQ(metric->get(), 0.0);
}

TEST(R2Test, SavesAndLoads) {
  auto metric = R2::create().value();
  metric->update(3, 2.5);
  metric->update(-0.5, 0);
  std::stringstream ss;
  {
    StateWriter out(ss);
    metric->save(out);
  }
  auto loaded = R2::create().value();
  StateReader in(ss);
  loaded->load(in);
  EXPECT_EQ(loaded->get(), metric->get());
  loaded->update(2, 2);
  metric->update(2, 2);
  EXPECT_EQ(loaded->get(), metric->get());
}

}  // namespace
}  // namespace rivulet::ml
