#include "rivulet/ml/metrics/log_loss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace rivulet::ml {
namespace {

TEST(LogLossTest, MatchesRiversDocstring) {
  // y_true = [True, False, False, True], y_pred = [0.9, 0.1, 0.2, 0.65].
  auto metric = LogLoss::create().value();
  EXPECT_TRUE(metric->needs_proba());
  EXPECT_FALSE(metric->bigger_is_better());
  const ClassId truth[] = {1, 0, 0, 1};
  const double p[] = {0.9, 0.1, 0.2, 0.65};
  const double printed[] = {0.105360, 0.105360, 0.144621, 0.216161};
  double sum = 0.0;
  for (int i = 0; i < 4; ++i) {
    const double proba[] = {1.0 - p[i], p[i]};
    metric->update(truth[i], p[i] > 0.5 ? 1 : 0, proba);
    sum += truth[i] == 1 ? -std::log(p[i]) : -std::log(1.0 - p[i]);
    EXPECT_NEAR(metric->get(), printed[i], 1e-6) << i;
    EXPECT_NEAR(metric->get(), sum / (i + 1), 1e-15) << i;
  }
}

TEST(LogLossTest, ClampsProbabilitiesAsRiverDoes) {
  auto metric = LogLoss::create().value();
  const double sure_no[] = {1.0, 0.0};
  metric->update(1, 0, sure_no);  // p(True) = 0 is clamped to 1e-15
  EXPECT_DOUBLE_EQ(metric->get(), -std::log(1e-15));
  metric->revert(1, 0, sure_no);
  EXPECT_EQ(metric->get(), 0.0);
  const double sure_yes[] = {0.0, 1.0};
  metric->update(0, 1, sure_yes);  // p(True) = 1 is clamped to 1 - 1e-15
  EXPECT_DOUBLE_EQ(metric->get(), -std::log(1.0 - (1.0 - 1e-15)));
}

TEST(LogLossTest, MissingProbabilitiesReadAsZero) {
  LabelEncoder labels;
  const ClassId no = labels.intern("no");
  const ClassId yes = labels.intern("yes");
  auto metric = LogLoss::create().value();
  metric->attach(&labels);
  const double only_no[] = {1.0};  // shorter than the number of classes: p(yes) = 0
  metric->update(no, no, only_no);
  EXPECT_NEAR(metric->get(), 0.0, 1e-14);
  metric->update(yes, no, std::vector<double>{});
  EXPECT_NEAR(metric->get(), -std::log(1e-15) / 2.0, 1e-12);
}

}  // namespace
}  // namespace rivulet::ml
