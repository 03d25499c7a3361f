#include "rivulet/ml/anomaly/quantile_filter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"
#include "support/learner_streams.h"

namespace rivulet::ml {
namespace {

// Scores a sample by the value of feature 0 and counts what it learns.
class EchoDetector final : public AnomalyDetector {
 public:
  std::string_view name() const override { return "test.Echo"; }
  void learn_one(const Features&) override { ++learned; }
  double score_one(const Features& x) const override { return x.empty() ? 0.0 : x[0].value; }
  void save(StateWriter& out) const override { out(learned); }
  void load(StateReader& in) override { in(learned); }
  int learned = 0;
};

std::unique_ptr<QuantileFilter> make(double q, bool protect, EchoDetector** echo) {
  auto detector = std::make_unique<EchoDetector>();
  *echo = detector.get();
  return QuantileFilter::create(std::move(detector), {.q = q, .protect_anomaly_detector = protect})
      .value();
}

TEST(QuantileFilterTest, ThresholdIsTheRunningQuantileOfLearnedScores) {
  EchoDetector* echo = nullptr;
  auto f = make(0.5, true, &echo);
  // Nothing learned: River's quantile is None, so nothing is anomalous (but +inf).
  EXPECT_EQ(f->threshold(), std::numeric_limits<double>::infinity());
  EXPECT_FALSE(f->classify(1e300));
  EXPECT_TRUE(f->classify(std::numeric_limits<double>::infinity()));
  for (double s : {3.0, 1.0, 2.0}) f->learn_one(Features{{0, s}});
  EXPECT_EQ(f->threshold(), 2.0);  // the median of 1, 2, 3
  EXPECT_FALSE(f->classify(1.9));
  EXPECT_TRUE(f->classify(2.0));
  EXPECT_EQ(echo->learned, 3);  // 1 and 2 were below the thresholds of their time (3, then 3)
}

// Protection: the score is classified against the quantile before it is updated; an anomalous
// sample is not learned by the detector, but its score still enters the quantile.
TEST(QuantileFilterTest, ProtectionAndQuantileUpdateOrder) {
  for (bool protect : {true, false}) {
    EchoDetector* echo = nullptr;
    auto f = make(0.5, protect, &echo);
    f->learn_one(Features{{0, 1.0}});  // threshold inf: normal, learned
    f->learn_one(Features{{0, 3.0}});  // threshold 1 (one score): anomalous
    f->learn_one(Features{{0, 2.0}});  // threshold: scores 1, 3 -> index min(1, 1) = 3: normal
    EXPECT_EQ(echo->learned, protect ? 2 : 3);
    EXPECT_EQ(f->threshold(), 2.0);
  }
}

// River's `quantile.get() or math.inf`: a quantile of exactly 0 flags nothing.
TEST(QuantileFilterTest, ZeroQuantileFlagsNothing) {
  EchoDetector* echo = nullptr;
  auto f = make(0.9, true, &echo);
  for (int i = 0; i < 20; ++i) f->learn_one(Features{{0, 0.0}});
  EXPECT_FALSE(f->classify(0.0));
  EXPECT_FALSE(f->classify(0.5));
  EXPECT_EQ(echo->learned, 20);
}

// River's docstring pipeline, on Phishing instead of CreditCard (not shipped here): a scaler, half-
// space trees with seed 42 and q=0.95. Scores and decisions come before learning.
TEST(QuantileFilterTest, PipelineOnPhishing) {
  auto m = Model::create(
      "preprocessing.MinMaxScaler | anomaly.QuantileFilter(anomaly.HalfSpaceTrees(seed=42), "
      "q=0.95)");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  ASSERT_TRUE(m->has_decision());
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const auto xs = learner_streams::bind(d, m->space());
  int flagged = 0, flagged_in_first_window = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    std::optional<bool> anomaly;
    m->score_then_learn(xs[i], &anomaly);
    ASSERT_TRUE(anomaly.has_value());
    flagged += *anomaly ? 1 : 0;
    if (i < 250) flagged_in_first_window += *anomaly ? 1 : 0;
  }
  EXPECT_EQ(flagged_in_first_window, 0);  // scores 0, quantile 0: nothing flagged
  EXPECT_GT(flagged, 0);
  EXPECT_LT(flagged, 200);
  auto loaded = Model::load_bytes(m->save_bytes());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->save_bytes(), m->save_bytes());
}

TEST(QuantileFilterTest, OptionsAndRegistry) {
  EchoDetector* echo = nullptr;
  EXPECT_FALSE(QuantileFilter::create(std::make_unique<EchoDetector>(), {.q = 1.0}).ok());
  EXPECT_FALSE(QuantileFilter::create(std::make_unique<EchoDetector>(), {.q = 0.0}).ok());
  EXPECT_FALSE(QuantileFilter::create(nullptr, {}).ok());
  (void)make(0.5, true, &echo);
  EXPECT_EQ(find_entry("anomaly.QuantileFilter")->kind, EntryKind::kAnomalyDetector);
  auto bad = Model::create("anomaly.QuantileFilter(q=2)");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("q must be in (0, 1)"), std::string::npos);
}

}  // namespace
}  // namespace rivulet::ml
