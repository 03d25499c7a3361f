#include "rivulet/ml/tree/hoeffding_tree_regressor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/core/python_random.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/linear/linear_regression.h"

namespace rivulet::ml {
namespace {

using Opt = HoeffdingTreeRegressor::Options;

std::unique_ptr<HoeffdingTreeRegressor> make(Opt o) {
  auto made = HoeffdingTreeRegressor::create(std::move(o));
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return std::move(made).value();
}

// x in 0..19, y = 1 below 10 and 5 from 10: one split at x <= 9 after the first 20 samples.
void learn_step(HoeffdingTreeRegressor& tree, int n, FeatureIndex feature = 0) {
  for (int i = 0; i < n; ++i) {
    const double x = i % 20;
    tree.learn_one(Features{{feature, x}}, x < 10 ? 1.0 : 5.0);
  }
}

TEST(HoeffdingTreeRegressorTest, SplitsOnTheStepAndPredictsEachSidesMean) {
  auto tree = make({.grace_period = 20, .leaf_prediction = LeafPrediction::kMean});
  EXPECT_EQ(tree->predict_one(Features{{0, 3.0}}), 0.0);  // empty tree
  learn_step(*tree, 200);
  EXPECT_EQ(tree->n_branches(), 1u);
  EXPECT_EQ(tree->n_leaves(), 2u);
  EXPECT_EQ(tree->height(), 2u);
  EXPECT_EQ(tree->predict_one(Features{{0, 9.0}}), 1.0);
  EXPECT_NEAR(tree->predict_one(Features{{0, 9.5}}), 5.0, 1e-12);
  EXPECT_EQ(tree->n_active_leaves(), 2u);
  EXPECT_EQ(tree->total_weight_seen(), 200.0);
}

TEST(HoeffdingTreeRegressorTest, DrawsTheTreeWithFeatureNames) {
  FeatureSpace space;
  const FeatureIndex x = space.intern("x");
  auto tree = make({.grace_period = 20, .leaf_prediction = LeafPrediction::kMean});
  tree->attach({.space = &space});
  learn_step(*tree, 200, x);
  EXPECT_EQ(tree->draw(10),
            "x <= 9\n"
            "  -> mean 1 (100 samples)\n"
            "x > 9\n"
            "  -> mean 5 (100 samples)\n");
  EXPECT_EQ(tree->draw(0),
            "x <= 9\n"
            "  ...\n"
            "x > 9\n"
            "  ...\n");
}

TEST(HoeffdingTreeRegressorTest, ImportancesOfTheSplit) {
  auto tree = make({.grace_period = 20, .leaf_prediction = LeafPrediction::kMean});
  learn_step(*tree, 200);
  std::vector<FeatureImportance> importances;
  tree->feature_importances(importances);
  ASSERT_EQ(importances.size(), 1u);
  EXPECT_EQ(importances[0].feature, 0u);
  EXPECT_EQ(importances[0].splits, 1.0);  // the root: all of the weight
  // The merit when the root split (10 ones, 10 fives): Var = 80 / 19, both sides pure.
  EXPECT_NEAR(importances[0].impurity_reduction, 80.0 / 19.0, 1e-12);
}

TEST(HoeffdingTreeRegressorTest, LeafPredictionModes) {
  // One leaf (no split within the grace period): 'mean' is the running mean, 'model' the leaf's
  // linear regression, exactly as a LinearRegression trained on the same samples.
  auto mean = make({.grace_period = 1000, .leaf_prediction = LeafPrediction::kMean});
  auto model = make({.grace_period = 1000, .leaf_prediction = LeafPrediction::kModel});
  auto adaptive = make({.grace_period = 1000});
  auto linear = LinearRegression::create({}).value();
  VarianceStats targets;
  for (int i = 0; i < 50; ++i) {
    const Features x{{0, (i % 7) / 7.0}};
    const double y = 2.0 * x[0].value + 1.0;
    mean->learn_one(x, y);
    model->learn_one(x, y);
    adaptive->learn_one(x, y);
    linear->learn_one(x, y);
    targets.update(y, 1.0);
  }
  const Features probe{{0, 0.5}};
  EXPECT_EQ(mean->predict_one(probe), targets.mean);
  EXPECT_EQ(model->predict_one(probe), linear->predict_one(probe));
  // 'adaptive' follows whichever has the lower decayed squared error: the mean, for a target
  // that does not depend on x.
  auto flat = make({.grace_period = 1000});
  for (int i = 0; i < 20; ++i) flat->learn_one(Features{{0, static_cast<double>(i % 3)}}, 10.0);
  EXPECT_EQ(flat->predict_one(Features{{0, 2.0}}), 10.0);
  // After one sample both errors are y^2 (the mean and the fresh model both said 0): not lower,
  // so the model answers.
  auto first = make({.grace_period = 1000});
  first->learn_one(Features{{0, 1.0}}, 3.0);
  auto one = LinearRegression::create({}).value();
  one->learn_one(Features{{0, 1.0}}, 3.0);
  EXPECT_EQ(first->predict_one(Features{{0, 2.0}}), one->predict_one(Features{{0, 2.0}}));
}

TEST(HoeffdingTreeRegressorTest, MissingSplitFeatureTakesTheHeaviestBranch) {
  auto tree = make({.grace_period = 20, .leaf_prediction = LeafPrediction::kMean});
  learn_step(*tree, 20);  // the split: 10 samples each side
  for (int i = 0; i < 10; ++i) tree->learn_one(Features{{0, 15.0}}, 5.0);  // right: 20
  // Without feature 0 a sample goes right (the heavier side), learning and predicting.
  EXPECT_NEAR(tree->predict_one(Features{{1, 1.0}}), 5.0, 1e-12);
  tree->learn_one(Features{{1, 1.0}}, 5.0);
  std::vector<FeatureImportance> importances;
  tree->feature_importances(importances);
  ASSERT_EQ(importances.size(), 1u);
  EXPECT_EQ(tree->n_leaves(), 2u);
  EXPECT_EQ(tree->total_weight_seen(), 31.0);
  // A tie goes left.
  auto tied = make({.grace_period = 20, .leaf_prediction = LeafPrediction::kMean});
  learn_step(*tied, 20);
  EXPECT_EQ(tied->predict_one(Features{}), 1.0);
}

TEST(HoeffdingTreeRegressorTest, MaxDepthStopsGrowth) {
  auto flat = make({.grace_period = 20, .max_depth = 0, .leaf_prediction = LeafPrediction::kMean});
  learn_step(*flat, 400);
  EXPECT_EQ(flat->n_branches(), 0u);
  EXPECT_EQ(flat->n_inactive_leaves(), 1u);
  // A staircase splits again and again unless max_depth stops it.
  auto stairs = [](HoeffdingTreeRegressor& tree) {
    for (int i = 0; i < 4000; ++i) {
      const double x = (i * 7919) % 64;
      tree.learn_one(Features{{0, x}}, std::floor(x / 8.0));
    }
  };
  auto deep = make({.grace_period = 20, .leaf_prediction = LeafPrediction::kMean});
  auto shallow =
      make({.grace_period = 20, .max_depth = 2, .leaf_prediction = LeafPrediction::kMean});
  stairs(*deep);
  stairs(*shallow);
  EXPECT_GT(deep->height(), 3u);
  EXPECT_EQ(shallow->height(), 3u);  // branches at depths 0 and 1, leaves at depth 2
}

TEST(HoeffdingTreeRegressorTest, NominalAttributesSplitMultiwayOrBinary) {
  FeatureSpace space;
  const FeatureIndex red = space.intern("color=red");
  const FeatureIndex green = space.intern("color=green");
  const FeatureIndex blue = space.intern("color=blue");
  const FeatureIndex fs[] = {red, green, blue};
  const double ys[] = {1.0, 2.0, 9.0};
  auto run = [&](bool binary) {
    auto tree = make(
        {.grace_period = 30, .leaf_prediction = LeafPrediction::kMean, .binary_split = binary});
    tree->attach({.space = &space});
    for (int i = 0; i < 30; ++i) tree->learn_one(Features{{fs[i % 3], 1.0}}, ys[i % 3]);
    return tree;
  };
  auto multiway = run(false);
  EXPECT_EQ(multiway->draw(5),
            "color = blue\n  -> mean 9 (10 samples)\n"
            "color = green\n  -> mean 2 (10 samples)\n"
            "color = red\n  -> mean 1 (10 samples)\n");
  EXPECT_EQ(multiway->predict_one(Features{{green, 1.0}}), 2.0);
  // A category never seen gets its own branch when it is learned.
  const FeatureIndex pink = space.intern("color=pink");
  multiway->learn_one(Features{{pink, 1.0}}, 4.0);
  EXPECT_EQ(multiway->n_leaves(), 4u);
  EXPECT_EQ(multiway->predict_one(Features{{pink, 1.0}}), 4.0);
  auto binary = run(true);
  EXPECT_EQ(binary->draw(5),
            "color = blue\n  -> mean 9 (10 samples)\n"
            "color != blue\n  -> mean 1.5 (20 samples)\n");
}

TEST(HoeffdingTreeRegressorTest, SampleWeightsAndFeatureSubsets) {
  auto weighted = make({.grace_period = 1000, .leaf_prediction = LeafPrediction::kMean});
  weighted->learn_weighted(Features{{0, 1.0}}, 2.0, 3.0);
  weighted->learn_weighted(Features{{0, 1.0}}, 6.0, 1.0);
  EXPECT_EQ(weighted->predict_one(Features{}), 3.0);  // (3 * 2 + 6) / 4
  EXPECT_EQ(weighted->total_weight_seen(), 4.0);
  // ARF's leaves watch max_features attributes: with one, the tree splits on one feature only
  // although both are informative.
  auto subset = make(
      {.grace_period = 20, .leaf_prediction = LeafPrediction::kMean, .max_features = 1, .seed = 7});
  for (int i = 0; i < 200; ++i) {
    const double x = i % 20;
    subset->learn_one(Features{{0, x}, {1, -x}}, x < 10 ? 1.0 : 5.0);
  }
  std::vector<FeatureImportance> importances;
  subset->feature_importances(importances);
  ASSERT_EQ(importances.size(), 1u);
}

TEST(HoeffdingTreeRegressorTest, DrawSubsetForetellsEveryLeafThatChoosesOne) {
  // As the classifier's: draw_subset chooses a subset exactly when learning x makes a leaf
  // choose one (root, leaves after splits, new category branches, the most common path of a
  // missing split attribute; not inactive leaves nor empty samples).
  for (const bool binary : {false, true}) {
    FeatureSpace space;
    const FeatureIndex x = space.intern("x"), noise = space.intern("noise");
    const char* colors[] = {"red", "green", "blue", "black"};
    for (const char* c : colors) space.intern(std::string("color=") + c);
    auto tree = make({.grace_period = 20,
                      .max_depth = 3,
                      .leaf_prediction = LeafPrediction::kMean,
                      .binary_split = binary,
                      .max_size = 0.01,
                      .memory_estimate_period = 100,
                      .max_features = 2,
                      .caller_draws_subsets = true});
    tree->attach({&space, nullptr});
    PythonRandom rng(3);
    Random data(11);
    uint64_t chosen = 0;
    for (int i = 0; i < 3000; ++i) {
      const size_t color = static_cast<size_t>(data.below(i < 1500 ? 2 : 4));
      const double v = data.uniform();
      Features f;
      if (i % 17 != 5) f.push(*space.find(std::string("color=") + colors[color]), 1.0);
      if (i % 23 != 7) f.push(x, v);
      if (i > 0 && i % 3 == 0) f.push(noise, data.uniform());
      if (i % 101 == 50) f = Features{};
      const double y = 10.0 * static_cast<double>(color) + (v < 0.3 ? 0.0 : 5.0);
      (void)tree->predict_one(f);
      const uint64_t before = tree->n_subsets_chosen();
      const bool drew = tree->draw_subset(f, rng);
      tree->learn_weighted(f, y, 1.0 + static_cast<double>(i % 3));
      ASSERT_EQ(tree->n_subsets_chosen() - before, drew ? 1u : 0u) << i;
      chosen += drew ? 1 : 0;
    }
    EXPECT_GE(tree->n_branches(), 3u);
    EXPECT_GT(tree->n_inactive_leaves(), 0u);
    EXPECT_EQ(chosen, tree->n_subsets_chosen());
    if (!binary) EXPECT_GT(chosen, tree->n_leaves());
  }
  // A multiway branch whose leaves all have their subsets: a new category still makes a leaf.
  FeatureSpace space;
  const FeatureIndex x = space.intern("x");
  auto tree = make({.grace_period = 10,
                    .delta = 0.1,
                    .leaf_prediction = LeafPrediction::kMean,
                    .max_features = 2,
                    .caller_draws_subsets = true});
  tree->attach({&space, nullptr});
  PythonRandom rng(5);
  const auto step = [&](const char* color, double y) {
    const Features f{{space.intern(std::string("color=") + color), 1.0}, {x, 0.5}};
    const uint64_t before = tree->n_subsets_chosen();
    const bool drew = tree->draw_subset(f, rng);
    tree->learn_weighted(f, y, 1.0);
    EXPECT_EQ(tree->n_subsets_chosen() - before, drew ? 1u : 0u);
    return drew;
  };
  for (int i = 0; i < 200; ++i) step(i % 2 == 0 ? "red" : "green", i % 2 == 0 ? 1.0 : 9.0);
  ASSERT_EQ(tree->n_branches(), 1u);
  ASSERT_EQ(tree->n_leaves(), 2u);
  EXPECT_FALSE(step("red", 1.0));
  EXPECT_TRUE(step("blue", 5.0));  // River's add_child: a new leaf learns it
  EXPECT_FALSE(step("blue", 5.0));
}

TEST(HoeffdingTreeRegressorTest, SaveLoadContinuesIdentically) {
  FeatureSpace space;
  space.intern("a");
  space.intern("b");
  auto stream = [](int i) {
    // Values with many decimals: the default splitter rounds them to one.
    const double a = (i * 37 % 101) / 7.0;
    const double b = (i * 53 % 89) / 9.0;
    return std::pair{Features{{0, a}, {1, b}}, a > 5 ? a * 2 + b : b - a};
  };
  for (auto mode : {LeafPrediction::kMean, LeafPrediction::kModel, LeafPrediction::kAdaptive}) {
    auto tree = make({.grace_period = 50, .leaf_prediction = mode});
    tree->attach({.space = &space});
    for (int i = 0; i < 700; ++i) {
      auto [x, y] = stream(i);
      tree->learn_one(x, y);
    }
    std::stringstream bytes;
    {
      StateWriter out(bytes);
      tree->save(out);
    }
    auto copy = make({.grace_period = 50, .leaf_prediction = mode});
    copy->attach({.space = &space});
    {
      StateReader in(bytes);
      copy->load(in);
    }
    EXPECT_GT(tree->n_branches(), 0u);
    EXPECT_EQ(copy->draw(20), tree->draw(20));
    for (int i = 700; i < 1500; ++i) {
      auto [x, y] = stream(i);
      ASSERT_EQ(copy->predict_one(x), tree->predict_one(x)) << i;
      tree->learn_one(x, y);
      copy->learn_one(x, y);
    }
  }
}

TEST(HoeffdingTreeRegressorTest, OptionsAreChecked) {
  EXPECT_FALSE(HoeffdingTreeRegressor::create({.grace_period = 0}).ok());
  EXPECT_FALSE(HoeffdingTreeRegressor::create({.delta = 1.0}).ok());
  EXPECT_FALSE(HoeffdingTreeRegressor::create({.model_selector_decay = 0.0}).ok());
  EXPECT_FALSE(HoeffdingTreeRegressor::create({.max_depth = -2}).ok());
  auto spec = Model::create("tree.HoeffdingTreeRegressor(leaf_prediction='median')");
  EXPECT_FALSE(spec.ok());
  auto splitter = Model::create("tree.HoeffdingTreeRegressor(splitter='QOSplitter')");
  EXPECT_FALSE(splitter.ok());
  EXPECT_TRUE(Model::create("tree.HoeffdingTreeRegressor(splitter='EBSTSplitter', "
                            "leaf_model=linear_model.PARegressor())")
                  .ok());
}

// River 0.12.1, progressive validation of preprocessing.StandardScaler |
// tree.HoeffdingTreeRegressor(): MAE 0.949 on TrumpApproval and 23.24 on ChickWeights. River's
// default numeric splitter is TEBSTSplitter with one digit; the plain E-BST gives 0.801.
TEST(HoeffdingTreeRegressorTest, RiverFigures) {
  const std::string spec = "preprocessing.StandardScaler | tree.HoeffdingTreeRegressor";
  auto trump =
      test_support::evaluate_spec(spec, "river/trump_approval.csv.gz", "five_thirty_eight");
  ASSERT_TRUE(trump.ok()) << trump.status().to_string();
  EXPECT_NEAR(trump->value, 0.949137, 1e-6);
  auto chick = test_support::evaluate_spec(spec, "river/chick-weights.csv", "weight");
  ASSERT_TRUE(chick.ok()) << chick.status().to_string();
  EXPECT_NEAR(chick->value, 23.244747, 1e-6);
  auto ebst = test_support::evaluate_spec(spec + "(splitter='EBSTSplitter')",
                                          "river/trump_approval.csv.gz", "five_thirty_eight");
  ASSERT_TRUE(ebst.ok());
  EXPECT_NEAR(ebst->value, 0.801136, 1e-6);
}

}  // namespace
}  // namespace rivulet::ml
