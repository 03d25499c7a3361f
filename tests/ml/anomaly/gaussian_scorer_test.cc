#include "rivulet/ml/anomaly/gaussian_scorer.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

std::unique_ptr<GaussianScorer> make(const GaussianScorer::Options& o) {
  auto made = GaussianScorer::create(o);
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return std::move(made).value();
}

// River's docstring: 100 values of random.Random(42).gauss(0, 1), then the scores of -3, 3, 0 and
// 0.5 (River prints 0.999477..., 0.999153..., 0.052665..., 0.383717...; these are the full values
// River's code computes).
TEST(GaussianScorerTest, RiverDocstring) {
  PythonRandom rng(42);
  auto detector = make({});
  for (int i = 0; i < 100; ++i) detector->learn_one(Features{{0, rng.gauss(0.0, 1.0)}});
  EXPECT_EQ(detector->score_one(Features{{0, -3.0}}), 0.9994778691536549);
  EXPECT_EQ(detector->score_one(Features{{0, 3.0}}), 0.9991532115426525);
  EXPECT_EQ(detector->score_one(Features{{0, 0.0}}), 0.05266528549944571);
  EXPECT_EQ(detector->score_one(Features{{0, 0.5}}), 0.38371791710216074);
}

// window_size=20, grace_period=10 over random.Random(3).gauss(5, 2), score then learn. Reference:
// River's code (utils.Rolling over proba.Gaussian) on the same values.
TEST(GaussianScorerTest, RollingWindowMatchesRiver) {
  PythonRandom rng(3);
  auto detector = make({.window_size = 20, .grace_period = 10});
  std::vector<double> scores;
  for (int i = 0; i < 300; ++i) {
    const Features x{{0, rng.gauss(5.0, 2.0)}};
    scores.push_back(detector->score_one(x));
    detector->learn_one(x);
  }
  EXPECT_EQ(scores[9], 0.0);  // 9 values in the fit: within the grace period
  EXPECT_EQ(scores[10], 0.6346537906644807);
  EXPECT_EQ(scores[19], 0.1534242181091683);
  EXPECT_EQ(scores[20], 0.09493721871434868);
  EXPECT_EQ(scores[150], 0.13988684996619594);
  EXPECT_EQ(scores[299], 0.7424263306045585);
  double total = 0.0;
  for (double s : scores) total += s;
  EXPECT_EQ(total, 151.77543346376697);
  EXPECT_EQ(detector->n(), 20.0);
  EXPECT_EQ(detector->mu(), 4.780876682998817);
  EXPECT_EQ(detector->sigma(), 2.2654064339100124);
}

// As in River, a window smaller than the grace period never leaves it; a zero deviation scores 1.
TEST(GaussianScorerTest, EdgeCasesAsRiver) {
  auto small = make({.window_size = 5, .grace_period = 10});
  for (int i = 0; i < 50; ++i) small->learn_one(Features{{0, static_cast<double>(i)}});
  EXPECT_EQ(small->score_one(Features{{0, 1000.0}}), 0.0);
  auto flat = make({.grace_period = 2});
  for (int i = 0; i < 3; ++i) flat->learn_one(Features{{0, 1.0}});
  EXPECT_EQ(flat->score_one(Features{{0, 1.0}}), 1.0);
  EXPECT_EQ(flat->score_one(Features{{0, 2.0}}), 1.0);
}

// The first feature of x is scored unless `feature` names one; samples without it are skipped.
TEST(GaussianScorerTest, ScoresTheNamedFeature) {
  auto m = Model::create("anomaly.GaussianScorer(grace_period=2, feature='b')");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  const FeatureIndex a = m->space().intern("a"), b = m->space().intern("b");
  for (double v : {1.0, 2.0, 3.0}) m->learn_unlabeled(Features{{a, 100.0 * v}, {b, v}});
  m->learn_unlabeled(Features{{a, 7.0}});  // no b: not learned
  const auto& scorer = static_cast<const GaussianScorer&>(m->step(0));
  EXPECT_EQ(scorer.n(), 3.0);
  EXPECT_EQ(scorer.feature(), "b");
  EXPECT_EQ(m->score_one(Features{{a, 1e6}, {b, 2.0}}), 0.0);
  EXPECT_EQ(m->score_one(Features{{a, 2.0}}), 0.0);

  auto first = Model::create("anomaly.GaussianScorer(grace_period=2)");
  ASSERT_TRUE(first.ok());
  const FeatureIndex y = first->space().intern("y"), z = first->space().intern("z");
  first->learn_unlabeled(Features{{z, 10.0}, {y, 1.0}});  // the lowest index: y
  first->learn_unlabeled(Features{{y, 3.0}});
  EXPECT_EQ(static_cast<const GaussianScorer&>(first->step(0)).feature(), "y");
  EXPECT_EQ(static_cast<const GaussianScorer&>(first->step(0)).mu(), 2.0);
}

TEST(GaussianScorerTest, SaveLoadContinuesExactly) {
  PythonRandom rng(8);
  auto a = make({.window_size = 7, .grace_period = 3});
  for (int i = 0; i < 10; ++i) a->learn_one(Features{{0, rng.gauss(0.0, 1.0)}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = make({.window_size = 7, .grace_period = 3});
  {
    StateReader in(bytes);
    b->load(in);
  }
  for (int i = 0; i < 30; ++i) {
    const Features x{{0, rng.gauss(0.0, 1.0)}};
    ASSERT_EQ(a->score_one(x), b->score_one(x)) << i;
    a->learn_one(x);
    b->learn_one(x);
  }
}

TEST(GaussianScorerTest, BadOptionsAreRejected) {
  EXPECT_FALSE(GaussianScorer::create({.window_size = -1}).ok());
  EXPECT_TRUE(Model::create("anomaly.GaussianScorer(window_size=None, grace_period=30)").ok());
  EXPECT_TRUE(Model::create("anomaly.GaussianScorer(168, 30)").ok());
  auto bad = Model::create("anomaly.GaussianScorer(window_size=2.5)");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'window_size' must be a non-negative integer or None"),
            std::string::npos)
      << bad.status().to_string();
  EXPECT_FALSE(GaussianScorer::create({.grace_period = -1}).ok());
  EXPECT_EQ(find_entry("anomaly.GaussianScorer")->kind, EntryKind::kAnomalyDetector);
}

}  // namespace
}  // namespace rivulet::ml
