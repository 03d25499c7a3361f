#include "rivulet/ml/anomaly/threshold_filter.h"

#include <gtest/gtest.h>

#include "rivulet/ml/anomaly/gaussian_scorer.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

std::unique_ptr<ThresholdFilter> make(double threshold, bool protect) {
  auto detector = GaussianScorer::create({.grace_period = 2}).value();
  return ThresholdFilter::create(std::move(detector),
                                 {.threshold = threshold, .protect_anomaly_detector = protect})
      .value();
}

TEST(ThresholdFilterTest, ClassifiesScoresAtOrAboveTheThreshold) {
  auto f = make(0.5, true);
  EXPECT_FALSE(f->classify(0.4999));
  EXPECT_TRUE(f->classify(0.5));
  EXPECT_TRUE(f->classify(0.9));
}

// With protection an anomalous sample is not learned; without it every sample is (River's
// documented intent; its code would learn nothing, see anomaly_filter.h).
TEST(ThresholdFilterTest, ProtectionKeepsAnomaliesOut) {
  for (bool protect : {true, false}) {
    auto f = make(0.99, protect);
    for (double v : {1.0, 2.0, 3.0, 2.0, 1.0}) f->learn_one(Features{{0, v}});
    const auto& g = static_cast<const GaussianScorer&>(f->detector());
    EXPECT_EQ(g.n(), 5.0);
    EXPECT_TRUE(f->classify(f->score_one(Features{{0, 40.0}})));
    f->learn_one(Features{{0, 40.0}});
    EXPECT_EQ(g.n(), protect ? 5.0 : 6.0) << "protect " << protect;
    f->learn_one(Features{{0, 2.5}});  // normal: learned either way
    EXPECT_EQ(g.n(), protect ? 6.0 : 7.0);
  }
}

TEST(ThresholdFilterTest, ScoresAsTheWrappedDetector) {
  auto f = make(1.5, true);  // scores are in [0, 1]: nothing anomalous, everything learned
  auto g = GaussianScorer::create({.grace_period = 2}).value();
  for (double v : {1.0, 2.0, 4.0}) {
    f->learn_one(Features{{0, v}});
    g->learn_one(Features{{0, v}});
  }
  EXPECT_EQ(f->score_one(Features{{0, 3.3}}), g->score_one(Features{{0, 3.3}}));
}

// In a model: the decision comes before learning, and one pass equals the separate calls.
TEST(ThresholdFilterTest, ModelScoreThenLearnEqualsSeparateCalls) {
  const std::string spec =
      "preprocessing.StandardScaler | "
      "anomaly.ThresholdFilter(anomaly.GaussianScorer(grace_period=5), 0.9)";
  auto one = Model::create(spec).value();
  auto two = Model::create(spec).value();
  ASSERT_TRUE(one.has_decision());
  const FeatureIndex x = one.space().intern("x");
  ASSERT_EQ(two.space().intern("x"), x);
  int anomalies = 0;
  for (int i = 0; i < 200; ++i) {
    const double v = i % 50 == 49 ? 30.0 : static_cast<double>(i % 7);
    std::optional<bool> decided;
    const double s1 = one.score_then_learn(Features{{x, v}}, &decided);
    const double s2 = two.score_one(Features{{x, v}});
    const std::optional<bool> d2 = two.classify(s2);
    two.learn_unlabeled(Features{{x, v}});
    ASSERT_EQ(s1, s2) << i;
    ASSERT_EQ(decided, d2) << i;
    anomalies += decided.value_or(false) ? 1 : 0;
  }
  EXPECT_EQ(one.save_bytes(), two.save_bytes());
  EXPECT_GE(anomalies, 4);  // the four spikes
  EXPECT_EQ(one.n_learned(), 200u);
}

TEST(ThresholdFilterTest, SpecErrors) {
  auto not_detector = Model::create("anomaly.ThresholdFilter(cluster.KMeans, 0.5)");
  ASSERT_FALSE(not_detector.ok());
  EXPECT_NE(not_detector.status().message().find("anomaly_detector must be an anomaly detector"),
            std::string::npos)
      << not_detector.status().to_string();
  EXPECT_FALSE(Model::create("anomaly.ThresholdFilter(threshold='high')").ok());
  auto defaults = Model::create("anomaly.ThresholdFilter");
  ASSERT_TRUE(defaults.ok()) << defaults.status().to_string();
  EXPECT_EQ(static_cast<const ThresholdFilter&>(defaults->step(0)).detector().name(),
            "anomaly.HalfSpaceTrees");
  EXPECT_EQ(find_entry("anomaly.ThresholdFilter")->kind, EntryKind::kAnomalyDetector);
}

TEST(ThresholdFilterTest, SaveLoadKeepsTheDetector) {
  auto m =
      Model::create("anomaly.ThresholdFilter(anomaly.HalfSpaceTrees(window_size=10, seed=1), 0.7)")
          .value();
  const FeatureIndex a = m.space().intern("a"), b = m.space().intern("b");
  for (int i = 0; i < 35; ++i)
    m.learn_unlabeled(Features{{a, (i % 10) / 10.0}, {b, (i % 3) / 3.0}});
  auto loaded = Model::load_bytes(m.save_bytes());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  for (int i = 0; i < 30; ++i) {
    const Features x{{a, (i % 4) / 4.0}, {b, i % 2 == 0 ? 0.95 : 0.1}};
    std::optional<bool> d1, d2;
    ASSERT_EQ(m.score_then_learn(x, &d1), loaded->score_then_learn(x, &d2));
    ASSERT_EQ(d1, d2);
  }
}

}  // namespace
}  // namespace rivulet::ml
