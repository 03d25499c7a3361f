#include "rivulet/ml/metrics/cohen_kappa.h"

#include <gtest/gtest.h>

namespace rivulet::ml {
namespace {

TEST(CohenKappaTest, MatchesRiversDocstring) {
  // cat ant cat cat ant bird against ant ant cat cat ant cat: 0.428571 = 3/7.
  auto metric = CohenKappa::create().value();
  const ClassId cat = 0, ant = 1, bird = 2;
  const ClassId truth[] = {cat, ant, cat, cat, ant, bird};
  const ClassId pred[] = {ant, ant, cat, cat, ant, cat};
  for (int i = 0; i < 6; ++i) metric->update(truth[i], pred[i], {});
  EXPECT_DOUBLE_EQ(metric->get(), 3.0 / 7.0);
}

TEST(CohenKappaTest, ZeroWhenChanceAgreementIsCertain) {
  auto metric = CohenKappa::create().value();
  EXPECT_EQ(metric->get(), 0.0);
  metric->update(1, 1, {});
  metric->update(1, 1, {});
  EXPECT_EQ(metric->get(), 0.0);  // pe = 1: River catches the division by zero
  metric->update(0, kNoClass, {});
  // p0 = 2/3, pe = (2/3)(2/3) + (1/3)(0) = 4/9
  EXPECT_DOUBLE_EQ(metric->get(), (2.0 / 3.0 - 4.0 / 9.0) / (1.0 - 4.0 / 9.0));
}

}  // namespace
}  // namespace rivulet::ml
