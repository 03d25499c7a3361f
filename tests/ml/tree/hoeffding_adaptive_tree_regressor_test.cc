#include "rivulet/ml/tree/hoeffding_adaptive_tree_regressor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"

namespace rivulet::ml {
namespace {

using Options = HoeffdingAdaptiveTreeRegressor::Options;

std::unique_ptr<HoeffdingAdaptiveTreeRegressor> make(Options o) {
  auto made = HoeffdingAdaptiveTreeRegressor::create(std::move(o));
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return std::move(made).value();
}

// y flips from 1 | 5 to 5 | 1 halfway: the root's error jumps.
std::pair<Features, double> drifting(int i) {
  const double x = i % 20;
  return {Features{{0, x}}, (i < 1500) == (x < 10) ? 1.0 : 5.0};
}

TEST(HoeffdingAdaptiveTreeRegressorTest, ReplacesTheSubtreeAfterADrift) {
  Options o;
  o.tree.grace_period = 50;
  o.tree.leaf_prediction = LeafPrediction::kMean;
  o.bootstrap_sampling = false;
  auto tree = make(std::move(o));
  for (int i = 0; i < 1500; ++i) {
    auto [x, y] = drifting(i);
    tree->learn_one(x, y);
  }
  EXPECT_EQ(tree->n_branches(), 1u);
  EXPECT_NEAR(tree->predict_one(Features{{0, 3.0}}), 1.0, 1e-9);
  for (int i = 1500; i < 4000; ++i) {
    auto [x, y] = drifting(i);
    tree->learn_one(x, y);
  }
  EXPECT_GE(tree->n_alternate_trees(), 1u);
  EXPECT_NEAR(tree->predict_one(Features{{0, 3.0}}), 5.0, 0.5);
  EXPECT_NEAR(tree->predict_one(Features{{0, 15.0}}), 1.0, 0.5);
}

TEST(HoeffdingAdaptiveTreeRegressorTest, WithoutBootstrapNorDetectionItIsAHoeffdingTree) {
  Options o;
  o.bootstrap_sampling = false;
  o.drift_detector.grace_period = 1000000;  // the detectors never test: no alternate tree
  auto adaptive = make(std::move(o));
  auto plain = HoeffdingTreeRegressor::create({}).value();
  for (int i = 0; i < 1000; ++i) {
    const Features x{{0, (i * 37 % 101) / 10.0}, {1, (i * 53 % 89) / 10.0}};
    const double y = x[0].value > 5 ? x[0].value * 2 : x[1].value;
    ASSERT_EQ(adaptive->predict_one(x), plain->predict_one(x)) << i;
    adaptive->learn_one(x, y);
    plain->learn_one(x, y);
  }
}

TEST(HoeffdingAdaptiveTreeRegressorTest, SeedsAreReproducibleAndSaveLoadContinues) {
  auto run = [](uint64_t seed, int n, HoeffdingAdaptiveTreeRegressor* into = nullptr) {
    Options o;
    o.tree.grace_period = 50;
    o.tree.seed = seed;
    auto tree = make(std::move(o));
    HoeffdingAdaptiveTreeRegressor& t = into != nullptr ? *into : *tree;
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      auto [x, y] = drifting(i);
      sum += t.predict_one(x);
      t.learn_one(x, y);
    }
    return std::pair{std::move(tree), sum};
  };
  auto [a, sum_a] = run(3, 2500);
  auto [b, sum_b] = run(3, 2500);
  auto [c, sum_c] = run(4, 2500);
  EXPECT_EQ(sum_a, sum_b);
  EXPECT_NE(sum_a, sum_c);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  Options o;
  o.tree.grace_period = 50;
  o.tree.seed = 3;
  auto copy = make(std::move(o));
  {
    StateReader in(bytes);
    copy->load(in);
  }
  for (int i = 2500; i < 4000; ++i) {
    auto [x, y] = drifting(i);
    ASSERT_EQ(copy->predict_one(x), a->predict_one(x)) << i;
    a->learn_one(x, y);
    copy->learn_one(x, y);
  }
  EXPECT_EQ(copy->draw(20), a->draw(20));
  EXPECT_EQ(copy->n_alternate_trees(), a->n_alternate_trees());
}

TEST(HoeffdingAdaptiveTreeRegressorTest, DetectorMustBeADWIN) {
  EXPECT_TRUE(
      Model::create("tree.HoeffdingAdaptiveTreeRegressor(drift_detector=drift.ADWIN(delta=0.01))")
          .ok());
  EXPECT_FALSE(
      Model::create("tree.HoeffdingAdaptiveTreeRegressor(drift_detector=drift.PageHinkley())")
          .ok());
  EXPECT_FALSE(Model::create("tree.HoeffdingAdaptiveTreeRegressor(switch_significance=0)").ok());
}

// River 0.12.1, progressive validation of preprocessing.StandardScaler |
// tree.HoeffdingAdaptiveTreeRegressor(seed=42): MAE 0.911 on TrumpApproval, 23.47 on
// ChickWeights (one run). The leaves draw their bootstrap weights from River's
// random.Random(seed), replayed here, so seed 42 gives River's run; the mean over seeds 42 to
// 46 is pinned as well.
TEST(HoeffdingAdaptiveTreeRegressorTest, RiverFiguresOverFiveSeeds) {
  const std::string spec = "preprocessing.StandardScaler | tree.HoeffdingAdaptiveTreeRegressor";
  double trump = 0.0;
  double chick = 0.0;
  for (uint64_t seed = 42; seed < 47; ++seed) {
    auto t = test_support::evaluate_spec(spec, "river/trump_approval.csv.gz", "five_thirty_eight",
                                         {.seed = seed});
    ASSERT_TRUE(t.ok()) << t.status().to_string();
    auto c = test_support::evaluate_spec(spec, "river/chick-weights.csv", "weight", {.seed = seed});
    ASSERT_TRUE(c.ok()) << c.status().to_string();
    if (seed == 42) {
      EXPECT_NEAR(t->value, 0.910542, 1e-6);   // River: 0.911
      EXPECT_NEAR(c->value, 23.467612, 1e-6);  // River: 23.47
    }
    trump += t->value / 5.0;
    chick += c->value / 5.0;
  }
  EXPECT_NEAR(trump, 0.913250, 1e-6);   // seeds 42..46: 0.89 to 0.94
  EXPECT_NEAR(chick, 23.491376, 1e-6);  // seeds 42..46: 23.23 to 23.72
}

}  // namespace
}  // namespace rivulet::ml
