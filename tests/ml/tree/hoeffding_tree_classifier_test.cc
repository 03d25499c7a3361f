#include "rivulet/ml/tree/hoeffding_tree_classifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "ml/eval_helper.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"
#include "rivulet/ml/tree/gaussian_splitter.h"

namespace rivulet::ml {
namespace {

constexpr const char* kPhishing = "river/phishing.csv.gz";
constexpr const char* kBananas = "river/banana.libsvm.gz";
constexpr const char* kSegments = "river/segment.csv.gz";
constexpr const char* kElectricity = "electricity/elecNormNew.arff.gz";

// A tree wired to its own feature space and labels, as a Model wires it.
struct Harness {
  explicit Harness(const HoeffdingTreeClassifier::Options& o)
      : tree(HoeffdingTreeClassifier::create(o).value()) {
    tree->attach({&space, &labels});
  }
  FeatureSpace space;
  LabelEncoder labels;
  std::unique_ptr<HoeffdingTreeClassifier> tree;
};

// The toy stream of the split test: x = 1..5 for class A, 7..11 for class B, alternating; a
// constant feature beside it.
void learn_toy(Harness& h, int n) {
  const FeatureIndex x = h.space.intern("x");
  const FeatureIndex noise = h.space.intern("noise");
  const ClassId a = h.labels.intern("A");
  const ClassId b = h.labels.intern("B");
  for (int i = 0; i < n; ++i) {
    const bool is_a = i % 2 == 0;
    const double v = (is_a ? 1.0 : 7.0) + static_cast<double>((i / 2) % 5);
    h.tree->learn_one(Features{{x, v}, {noise, 3.0}}, is_a ? a : b);
  }
}

TEST(HoeffdingTreeClassifierTest, HoeffdingBoundByHand) {
  EXPECT_DOUBLE_EQ(tree::hoeffding_bound(1.0, 1e-7, 200.0), std::sqrt(std::log(1e7) / 400.0));
  EXPECT_DOUBLE_EQ(tree::hoeffding_bound(1.0, 1e-7, 200.0), 0.20073674085078647);
}

TEST(HoeffdingTreeClassifierTest, CriteriaByHand) {
  using tree::ClassDistView;
  using tree::ClassWeight;
  using tree::SplitCriterion;
  const ClassWeight pre[] = {{0, 10.0}, {1, 10.0}};
  const ClassWeight left[] = {{0, 8.0}, {1, 2.0}};
  const ClassWeight right[] = {{0, 2.0}, {1, 8.0}};
  const ClassDistView post[] = {left, right};
  // 1 - H(0.8, 0.2) bits.
  EXPECT_DOUBLE_EQ(SplitCriterion(SplitCriterion::Kind::kInfoGain).merit(pre, post),
                   0.2780719051126376);
  // 1 - (1 - 0.8^2 - 0.2^2).
  EXPECT_DOUBLE_EQ(SplitCriterion(SplitCriterion::Kind::kGini).merit(pre, post), 0.68);
  // sqrt(2 (sqrt(0.8) - sqrt(0.2))^2) = sqrt(0.4).
  EXPECT_DOUBLE_EQ(SplitCriterion(SplitCriterion::Kind::kHellinger).merit(pre, post),
                   0.6324555320336759);
  // Ranges: log2 of the number of classes (at least 2); gini's is 1.
  const ClassWeight three[] = {{0, 1.0}, {1, 1.0}, {2, 0.0}};
  EXPECT_DOUBLE_EQ(SplitCriterion(SplitCriterion::Kind::kInfoGain).range(three), 1.584962500721156);
  EXPECT_DOUBLE_EQ(SplitCriterion(SplitCriterion::Kind::kInfoGain).range(pre), 1.0);
  EXPECT_DOUBLE_EQ(SplitCriterion(SplitCriterion::Kind::kGini).range(three), 1.0);
  // A branch with no more than 1% of the weight: info gain and hellinger refuse the split, gini
  // (River 0.12.1) does not.
  const ClassWeight tiny[] = {{0, 0.1}};
  const ClassWeight rest[] = {{0, 9.9}, {1, 10.0}};
  const ClassDistView lopsided[] = {tiny, rest};
  EXPECT_EQ(SplitCriterion(SplitCriterion::Kind::kInfoGain).merit(pre, lopsided), -INFINITY);
  EXPECT_EQ(SplitCriterion(SplitCriterion::Kind::kHellinger).merit(pre, lopsided), -INFINITY);
  EXPECT_GT(SplitCriterion(SplitCriterion::Kind::kGini).merit(pre, lopsided), 0.0);
  // Hellinger reads the classes 0 and 1 of both branches, 0 when one is absent.
  const ClassDistView one_sided[] = {tiny, right};
  EXPECT_EQ(SplitCriterion(SplitCriterion::Kind::kHellinger).merit(pre, one_sided), -INFINITY);
}

TEST(HoeffdingTreeClassifierTest, GaussianEstimatorIsRiversWeightedVar) {
  tree::GaussianCell g;
  g.update(3.0, 1.0);
  EXPECT_DOUBLE_EQ(g.variance(), 0.0);
  EXPECT_DOUBLE_EQ(g.cdf(3.0), 0.0);  // sigma 0
  g.update(5.0, 2.0);                 // weighted: mean 13/3, S = 2 (5 - 3)(5 - 13/3)
  EXPECT_DOUBLE_EQ(g.n, 3.0);
  EXPECT_DOUBLE_EQ(g.mean, 3.0 + (2.0 / 3.0) * 2.0);
  EXPECT_DOUBLE_EQ(g.variance(), 2.0 * 2.0 * (5.0 - g.mean) / 2.0);
  EXPECT_DOUBLE_EQ(g.min, 3.0);
  EXPECT_DOUBLE_EQ(g.max, 5.0);
  EXPECT_DOUBLE_EQ(g.cdf(g.mean), 0.5);
  EXPECT_NEAR(std::exp(g.log_pdf_or_zero(4.0)), g.pdf(4.0), 1e-15);
}

// Ten samples, grace period 10: the first attempt splits x at the best of River's ten
// candidate points min + k (max - min) / 11, here 1 + 5 * 10 / 11 (the first of the two points
// that separate the classes, both of merit 1 bit), and the constant feature offers no split.
TEST(HoeffdingTreeClassifierTest, SplitChosenOnToyStream) {
  Harness h({.grace_period = 10});
  learn_toy(h, 9);
  EXPECT_EQ(h.tree->n_branches(), 0u);  // 9 < grace period
  Harness g({.grace_period = 10});
  learn_toy(g, 10);
  ASSERT_EQ(g.tree->n_branches(), 1u);
  EXPECT_EQ(g.tree->n_leaves(), 2u);
  EXPECT_EQ(g.tree->draw(10),
            "x <= 5.5455\n"
            "  -> A (A: 1; 5 samples)\n"
            "x > 5.5455\n"
            "  -> B (B: 1; 5 samples)\n");
  std::vector<FeatureImportance> importances;
  g.tree->feature_importances(importances);
  ASSERT_EQ(importances.size(), 1u);
  EXPECT_EQ(importances[0].feature, g.space.find("x").value());
  EXPECT_DOUBLE_EQ(importances[0].splits, 1.0);
  EXPECT_DOUBLE_EQ(importances[0].impurity_reduction, 1.0000000000000004);
  std::vector<double> scratch;
  EXPECT_EQ(g.tree->predict_one(Features{{0, 2.0}, {1, 3.0}}, scratch), g.labels.find("A"));
  EXPECT_EQ(g.tree->predict_one(Features{{0, 9.0}, {1, 3.0}}, scratch), g.labels.find("B"));
  // Missing split attribute: the most common path (a tie goes left).
  EXPECT_EQ(g.tree->predict_one(Features{{1, 3.0}}, scratch), g.labels.find("A"));
  // draw(0): the root's edges only.
  EXPECT_EQ(g.tree->draw(0), "x <= 5.5455\n  ...\nx > 5.5455\n  ...\n");
}

TEST(HoeffdingTreeClassifierTest, GracePeriodCountsSampleWeight) {
  Harness h({.grace_period = 10});
  const FeatureIndex x = h.space.intern("x");
  const ClassId a = h.labels.intern("A"), b = h.labels.intern("B");
  for (int i = 0; i < 5; ++i) {
    h.tree->learn(Features{{x, 1.0 + i}}, a, 1.0);
    h.tree->learn(Features{{x, 7.0 + i}}, b, 1.0);
  }
  EXPECT_EQ(h.tree->n_branches(), 1u);
  Harness w({.grace_period = 10});
  for (int i = 0; i < 3; ++i) {
    w.tree->learn(Features{{x, 1.0 + i}}, a, 2.0);
    if (i < 2) w.tree->learn(Features{{x, 7.0 + i}}, b, 2.0);
  }
  EXPECT_EQ(w.tree->total_weight_seen(), 10.0);
  EXPECT_EQ(w.tree->n_branches(), 1u) << "five samples of weight 2 reach the grace period";
  w.tree->learn(Features{{x, 1.0}}, a, 0.0);  // ignored
  EXPECT_EQ(w.tree->total_weight_seen(), 10.0);
}

TEST(HoeffdingTreeClassifierTest, MaxDepthDeactivatesLeaves) {
  Harness h({.grace_period = 10, .max_depth = 1});
  learn_toy(h, 200);
  EXPECT_EQ(h.tree->height(), 2u);
  EXPECT_EQ(h.tree->n_active_leaves(), 0u);
  EXPECT_EQ(h.tree->n_inactive_leaves(), 2u);
  Harness root_only({.grace_period = 10, .max_depth = 0});
  learn_toy(root_only, 50);
  EXPECT_EQ(root_only.tree->height(), 1u);
  EXPECT_EQ(root_only.tree->n_inactive_leaves(), 1u);
}

TEST(HoeffdingTreeClassifierTest, MemoryLimitDeactivatesLeaves) {
  // A limit far below one leaf, checked every 100 samples: River's _estimate_model_size finds
  // the tree too big and _enforce_size_limit deactivates every leaf it can.
  Harness h({.grace_period = 20, .max_size = 0.001, .memory_estimate_period = 100});
  auto d = test_support::evaluate_spec(
      "tree.HoeffdingTreeClassifier(grace_period=20, max_size=0.001, "
      "memory_estimate_period=100)",
      kPhishing, "is_phishing", {.inspect = [](const Model& m) {
        const auto& t = dynamic_cast<const HoeffdingTreeClassifier&>(m.step(m.n_steps() - 1));
        EXPECT_GT(t.n_inactive_leaves(), 0u);
        EXPECT_EQ(t.n_active_leaves(), 0u);
        EXPECT_GT(t.n_leaves(), 0u);
      }});
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  // With room to spare nothing is deactivated.
  auto roomy = test_support::evaluate_spec(
      "tree.HoeffdingTreeClassifier(grace_period=20, memory_estimate_period=100)", kPhishing,
      "is_phishing", {.inspect = [](const Model& m) {
        const auto& t = dynamic_cast<const HoeffdingTreeClassifier&>(m.step(m.n_steps() - 1));
        EXPECT_EQ(t.n_inactive_leaves(), 0u);
      }});
  ASSERT_TRUE(roomy.ok());
  (void)h;
}

TEST(HoeffdingTreeClassifierTest, StopMemManagementStopsGrowth) {
  auto d = test_support::evaluate_spec(
      "tree.HoeffdingTreeClassifier(grace_period=20, max_size=0.001, memory_estimate_period=100, "
      "stop_mem_management=True)",
      kPhishing, "is_phishing", {.inspect = [](const Model& m) {
        const auto& t = dynamic_cast<const HoeffdingTreeClassifier&>(m.step(m.n_steps() - 1));
        EXPECT_LE(t.n_leaves(), 4u);
      }});
  ASSERT_TRUE(d.ok()) << d.status().to_string();
}

// One-hot `color=...` features form ONE nominal attribute, split multiway (categories sorted),
// a new category gets a branch while learning, and a sample without color follows the most
// common path.
TEST(HoeffdingTreeClassifierTest, NominalAttributeSplitsMultiway) {
  Harness h({.grace_period = 30});
  const char* colors[] = {"red", "green", "blue"};
  const char* classes[] = {"a", "b", "c"};
  const FeatureIndex size = h.space.intern("size");
  for (int i = 0; i < 30; ++i) {
    const FeatureIndex color = h.space.intern(std::string("color=") + colors[i % 3]);
    h.tree->learn_one(Features{{size, 1.0}, {color, 1.0}}, h.labels.intern(classes[i % 3]));
  }
  ASSERT_EQ(h.tree->n_branches(), 1u);
  EXPECT_EQ(h.tree->n_leaves(), 3u);
  const std::string drawing = h.tree->draw(5);
  EXPECT_EQ(drawing.substr(0, drawing.find('\n')), "color = blue");
  EXPECT_NE(drawing.find("\ncolor = green\n"), std::string::npos) << drawing;
  EXPECT_NE(drawing.find("\ncolor = red\n"), std::string::npos) << drawing;
  // A category the branch has not seen: a fourth branch.
  const FeatureIndex purple = h.space.intern("color=purple");
  h.tree->learn_one(Features{{size, 1.0}, {purple, 1.0}}, h.labels.intern("a"));
  EXPECT_EQ(h.tree->n_leaves(), 4u);
  EXPECT_NE(h.tree->draw(5).find("color = purple"), std::string::npos);
  // No color: learned by the most common path, no new branch.
  h.tree->learn_one(Features{{size, 1.0}}, h.labels.intern("a"));
  EXPECT_EQ(h.tree->n_leaves(), 4u);
  std::vector<double> proba;
  EXPECT_TRUE(h.tree->predict_proba_one(Features{{size, 1.0}}, proba));
  std::vector<FeatureImportance> importances;
  h.tree->feature_importances(importances);
  ASSERT_EQ(importances.size(), 1u);
  EXPECT_EQ(h.space.name(importances[0].feature).substr(0, 6), "color=");
}

TEST(HoeffdingTreeClassifierTest, BinarySplitOnNominal) {
  Harness h({.grace_period = 30, .binary_split = true});
  const char* colors[] = {"red", "green", "blue"};
  for (int i = 0; i < 30; ++i) {
    const FeatureIndex color = h.space.intern(std::string("color=") + colors[i % 3]);
    h.tree->learn_one(Features{{color, 1.0}}, h.labels.intern(i % 3 == 0 ? "warm" : "cold"));
  }
  ASSERT_EQ(h.tree->n_branches(), 1u);
  EXPECT_EQ(h.tree->draw(5).substr(0, 12), "color = red\n");
  EXPECT_NE(h.tree->draw(5).find("color != red"), std::string::npos);
}

TEST(HoeffdingTreeClassifierTest, NumericFeatureDeclaredNominal) {
  Harness h({.grace_period = 30, .nominal_attributes = {"day"}});
  const FeatureIndex day = h.space.intern("day");
  for (int i = 0; i < 30; ++i) {
    h.tree->learn_one(Features{{day, static_cast<double>(i % 3)}},
                      h.labels.intern(i % 3 == 2 ? "x" : "y"));
  }
  ASSERT_EQ(h.tree->n_branches(), 1u);
  EXPECT_EQ(h.tree->draw(5).substr(0, 8), "day = 0\n");
}

TEST(HoeffdingTreeClassifierTest, FeatureSubsetPerLeaf) {
  // max_features = 1 (ARF's hook): the root watches one of the two features only, so it can
  // split only on that one; the draw is seeded.
  HoeffdingTreeClassifier::Options o;
  o.grace_period = 10;
  o.max_features = 1;
  for (uint64_t seed : {1u, 2u, 3u, 4u}) {
    o.seed = seed;
    Harness h(o);
    learn_toy(h, 10);
    Harness again(o);
    learn_toy(again, 10);
    EXPECT_EQ(h.tree->draw(3), again.tree->draw(3));
    EXPECT_LE(h.tree->n_branches(), 1u);
  }
}

// Classifier::predict_one's rule over predict_proba_one: the highest probability, the lowest
// class id on a tie.
std::optional<ClassId> argmax_of_proba(const HoeffdingTreeClassifier& tree, const Features& x) {
  std::vector<double> proba;
  if (!tree.predict_proba_one(x, proba)) return std::nullopt;
  ClassId best = kNoClass;
  double best_p = -1.0;
  for (ClassId c = 0; c < proba.size(); ++c) {
    if (proba[c] > best_p) {
      best_p = proba[c];
      best = c;
    }
  }
  return best;
}

TEST(HoeffdingTreeClassifierTest, PredictOneIsTheArgmaxOfTheProbabilities) {
  // predict_one skips the naive Bayes softmax when one vote clearly leads, and reuses the leaf
  // of the sample just predicted or learned: it must give the argmax of predict_proba_one
  // whatever the leaf prediction, before and after learning x, and for a fresh x.
  using LP = HoeffdingTreeClassifier::LeafPrediction;
  for (const LP lp : {LP::kMajorityClass, LP::kNaiveBayes, LP::kNaiveBayesAdaptive}) {
    HoeffdingTreeClassifier::Options o;
    o.grace_period = 30;
    o.delta = 0.01;
    o.leaf_prediction = lp;
    Harness h(o);
    const FeatureIndex f[3] = {h.space.intern("a"), h.space.intern("b"), h.space.intern("c")};
    const ClassId classes[3] = {h.labels.intern("x"), h.labels.intern("y"),
                                h.labels.intern("z")};
    Random rng(7);
    std::vector<double> scratch;
    size_t checked = 0;
    for (int i = 0; i < 3000; ++i) {
      const size_t k = static_cast<size_t>(rng.below(3));
      // Overlapping classes, and every 10th sample an exact copy of the class centre, so that
      // leaves also see ties.
      const bool centre = i % 10 == 0;
      const Features x{{f[0], centre ? 0.0 : rng.uniform(-1.0, 1.0) + 0.3 * static_cast<double>(k)},
                       {f[1], centre ? 0.0 : rng.uniform(0.0, 1.0)},
                       {f[2], centre ? 1.0 : rng.uniform(-2.0, 2.0) * static_cast<double>(k)}};
      const Features other{{f[0], rng.uniform(-1.0, 1.0)}, {f[1], 0.5}, {f[2], 0.0}};
      ASSERT_EQ(h.tree->predict_one(x, scratch), argmax_of_proba(*h.tree, x)) << i;
      h.tree->learn_one(x, classes[k]);
      ASSERT_EQ(h.tree->predict_one(x, scratch), argmax_of_proba(*h.tree, x)) << i;
      ASSERT_EQ(h.tree->predict_one(other, scratch), argmax_of_proba(*h.tree, other)) << i;
      checked += 3;
    }
    EXPECT_EQ(checked, 9000u);
    EXPECT_GT(h.tree->n_leaves(), 3u);  // the leaves and their shortcuts were exercised
  }
  // An exact tie (one A, one B, the same x): River keeps the first of its set of classes, False
  // before True for the boolean labels of its binary datasets: the negative class.
  Harness t({});
  const FeatureIndex v = t.space.intern("v");
  const ClassId b = t.labels.intern("B"), a = t.labels.intern("A");
  ASSERT_EQ(t.labels.negative(), a);  // B, seen first, is the positive class
  t.tree->learn_one(Features{{v, 1.0}}, b);
  t.tree->learn_one(Features{{v, 1.0}}, a);
  std::vector<double> scratch, proba;
  ASSERT_TRUE(t.tree->predict_proba_one(Features{{v, 1.0}}, proba));
  EXPECT_EQ(proba[a], proba[b]);
  EXPECT_EQ(t.tree->predict_one(Features{{v, 1.0}}, scratch), a);
  // Three classes: a tie goes to the lowest class id (the first seen).
  Harness m({});
  const FeatureIndex w = m.space.intern("v");
  const ClassId c0 = m.labels.intern("c0"), c1 = m.labels.intern("c1");
  (void)m.labels.intern("c2");
  m.tree->learn_one(Features{{w, 1.0}}, c1);
  m.tree->learn_one(Features{{w, 1.0}}, c0);
  EXPECT_EQ(m.tree->predict_one(Features{{w, 1.0}}, scratch), c0);
}

TEST(HoeffdingTreeClassifierTest, DrawSubsetForetellsEveryLeafThatChoosesOne) {
  // A forest draws each leaf's attribute subset before the tree learns (River's ARF draws it
  // from the forest's generator while the tree learns): draw_subset must choose one exactly
  // when learning x makes a leaf choose, on the root, on leaves after splits, on a new branch
  // for an unseen category, down the most common path of a missing split attribute, and never
  // on inactive leaves (max_depth) or from an empty sample. Without multiway branches
  // (binary_split) the tree answers without reading x once every leaf has its subset.
  for (const bool binary : {false, true}) {
    HoeffdingTreeClassifier::Options o;
    o.binary_split = binary;
    o.grace_period = 20;
    o.delta = 0.01;
    o.max_depth = 3;
    o.max_size = 0.05;  // the memory manager deactivates leaves, new ones too
    o.memory_estimate_period = 100;
    o.max_features = 2;
    o.caller_draws_subsets = true;
    Harness h(o);
    const FeatureIndex x = h.space.intern("x"), noise = h.space.intern("noise");
    const char* colors[] = {"red", "green", "blue", "black"};
    const ClassId a = h.labels.intern("a"), b = h.labels.intern("b");
    PythonRandom rng(3);
    Random data(11);
    std::vector<double> scratch;
    size_t chosen = 0;
    for (int i = 0; i < 3000; ++i) {
      const size_t color = static_cast<size_t>(data.below(i < 1500 ? 2 : 4));
      const double v = data.uniform();
      Features f;
      if (i % 17 != 5) f.push(h.space.intern(std::string("color=") + colors[color]), 1.0);
      if (i % 23 != 7) f.push(x, v);
      if (i > 0 && i % 3 == 0) f.push(noise, data.uniform());
      if (i % 101 == 50) f = Features{};
      const ClassId y = (color % 2 == 0) != (v < 0.3) ? a : b;
      if (i % 2 == 0) (void)h.tree->predict_one(f, scratch);  // the memo of a prediction
      const uint64_t before = h.tree->n_subsets_chosen();
      const bool drew = h.tree->draw_subset(f, rng);
      h.tree->learn(f, y, 1.0 + static_cast<double>(i % 3));
      ASSERT_EQ(h.tree->n_subsets_chosen() - before, drew ? 1u : 0u) << i;
      chosen += drew ? 1 : 0;
    }
    EXPECT_GE(h.tree->n_branches(), 3u);
    EXPECT_GT(h.tree->n_inactive_leaves(), 0u);
    EXPECT_EQ(chosen, h.tree->n_subsets_chosen());
    if (!binary) EXPECT_GT(chosen, h.tree->n_leaves());  // new category branches chose theirs
  }
  // A multiway branch whose leaves all have their subsets: a new category still makes a leaf.
  HoeffdingTreeClassifier::Options m;
  m.grace_period = 10;
  m.delta = 0.1;
  m.max_features = 2;
  m.caller_draws_subsets = true;
  Harness g(m);
  const FeatureIndex gx = g.space.intern("x");
  const ClassId ga = g.labels.intern("a"), gb = g.labels.intern("b");
  PythonRandom grng(5);
  const auto step = [&](const char* color, double v, ClassId y) {
    const Features f{{g.space.intern(std::string("color=") + color), 1.0}, {gx, v}};
    const uint64_t before = g.tree->n_subsets_chosen();
    const bool drew = g.tree->draw_subset(f, grng);
    g.tree->learn(f, y, 1.0);
    EXPECT_EQ(g.tree->n_subsets_chosen() - before, drew ? 1u : 0u);
    return drew;
  };
  for (int i = 0; i < 200; ++i) step(i % 2 == 0 ? "red" : "green", 0.5, i % 2 == 0 ? ga : gb);
  ASSERT_EQ(g.tree->n_branches(), 1u);
  ASSERT_EQ(g.tree->n_leaves(), 2u);
  EXPECT_FALSE(step("red", 0.5, ga));
  EXPECT_TRUE(step("blue", 0.5, ga));  // River's add_child: a new leaf learns it
  EXPECT_FALSE(step("blue", 0.5, ga));
  // Without max_features nothing is drawn.
  Harness all({});
  PythonRandom rng(3);
  EXPECT_FALSE(all.tree->draw_subset(Features{{all.space.intern("x"), 1.0}}, rng));
}

TEST(HoeffdingTreeClassifierTest, ResetForgetsEverything) {
  Harness h({.grace_period = 10});
  learn_toy(h, 10);
  ASSERT_EQ(h.tree->n_branches(), 1u);
  h.tree->reset();
  EXPECT_EQ(h.tree->n_nodes(), 0u);
  std::vector<double> proba;
  EXPECT_FALSE(h.tree->predict_proba_one(Features{{0, 1.0}}, proba));
  learn_toy(h, 10);
  EXPECT_EQ(h.tree->n_branches(), 1u);
}

TEST(HoeffdingTreeClassifierTest, SaveLoadKeepsNominalAttributes) {
  auto model = Model::create("tree.HoeffdingTreeClassifier(grace_period=30)").value();
  const char* colors[] = {"red", "green", "blue"};
  std::vector<double> proba;
  for (int i = 0; i < 40; ++i) {
    Features x{{model.space().intern("size"), static_cast<double>(i % 7)},
               {model.space().intern(std::string("color=") + colors[i % 3]), 1.0}};
    (void)model.predict_then_learn(x, model.labels().intern(i % 3 == 0 ? "a" : "b"), &proba);
  }
  auto loaded = Model::load_bytes(model.save_bytes()).value();
  EXPECT_EQ(loaded.save_bytes(), model.save_bytes());
  for (int i = 0; i < 40; ++i) {
    const std::string c = std::string("color=") + (i % 5 == 0 ? "purple" : colors[i % 3]);
    Features xa{{model.space().intern("size"), static_cast<double>(i % 7)},
                {model.space().intern(c), 1.0}};
    Features xb{{loaded.space().intern("size"), static_cast<double>(i % 7)},
                {loaded.space().intern(c), 1.0}};
    std::vector<double> pa, pb;
    EXPECT_EQ(model.predict_then_learn(xa, model.labels().intern(i % 2 ? "a" : "b"), &pa),
              loaded.predict_then_learn(xb, loaded.labels().intern(i % 2 ? "a" : "b"), &pb));
    EXPECT_EQ(pa, pb);
  }
  EXPECT_EQ(loaded.save_bytes(), model.save_bytes());
}

TEST(HoeffdingTreeClassifierTest, OptionsAreChecked) {
  EXPECT_FALSE(HoeffdingTreeClassifier::create({.grace_period = 0}).ok());
  EXPECT_FALSE(HoeffdingTreeClassifier::create({.delta = 0.0}).ok());
  EXPECT_FALSE(Model::create("tree.HoeffdingTreeClassifier(split_criterion='entropy')").ok());
  EXPECT_FALSE(Model::create("tree.HoeffdingTreeClassifier(leaf_prediction='knn')").ok());
  EXPECT_TRUE(Model::create("tree.HoeffdingTreeClassifier(200, 5, 'gini', 1e-5, 0.1, 'mc')").ok());
  EXPECT_TRUE(Model::create("tree.HoeffdingTreeClassifier(max_depth=None)").ok());
  EXPECT_FALSE(Model::create("tree.HoeffdingTreeClassifier(max_depth=-1)").ok());
}

// The parameters HT, HAT, EFDT and ARF share are read by one helper (src/ml/tree/tree_params.h):
// River's positional order holds through all of them, and each bad value names itself (with the
// forest's name in front for ARF).
TEST(HoeffdingTreeClassifierTest, SharedParametersKeepRiversOrderAndNameTheirErrors) {
  EXPECT_TRUE(Model::create("tree.HoeffdingTreeClassifier(200, None, 'gini', 1e-7, 0.05, 'nb', 0, "
                            "'', 'GaussianSplitter', True, 50.0, 1000, False, False, True)")
                  .ok());
  EXPECT_FALSE(Model::create("tree.HoeffdingTreeClassifier(200, None, 'gini', 1e-7, 0.05, 'nb', 0, "
                             "'', 'GaussianSplitter', True, 50.0, 1000, False, False, True, 1)")
                   .ok());  // one positional argument too many
  auto bad_splitter = Model::create("tree.ExtremelyFastDecisionTreeClassifier(splitter='EBSTSplitter')");
  ASSERT_FALSE(bad_splitter.ok());
  EXPECT_NE(bad_splitter.status().message().find("splitter: only 'GaussianSplitter' is available"),
            std::string::npos);
  auto bad_arf = Model::create("forest.ARFClassifier(leaf_prediction='knn')");
  ASSERT_FALSE(bad_arf.ok());
  EXPECT_NE(bad_arf.status().message().find("forest.ARFClassifier: leaf_prediction must be 'mc', 'nb' or 'nba'"),
            std::string::npos);
  auto bad_hat = Model::create("tree.HoeffdingAdaptiveTreeClassifier(split_criterion='entropy')");
  ASSERT_FALSE(bad_hat.ok());
  EXPECT_NE(bad_hat.status().message().find("split_criterion must be"), std::string::npos);
}

// River 0.12.1, progressive validation with the defaults (issue 3's table): the same samples
// right to the last one.
TEST(HoeffdingTreeClassifierTest, PhishingMatchesRiver) {
  auto acc = test_support::evaluate_spec("tree.HoeffdingTreeClassifier", kPhishing, "is_phishing");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_EQ(acc->value, 1099.0 / 1249.0);  // 0.8799
}

TEST(HoeffdingTreeClassifierTest, BananasMatchesRiver) {
  auto acc = test_support::evaluate_spec("tree.HoeffdingTreeClassifier", kBananas, "label");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_NEAR(acc->value, 0.6422, 5e-5);
}

TEST(HoeffdingTreeClassifierTest, OtherCriteriaAndLeavesRun) {
  for (const char* spec :
       {"tree.HoeffdingTreeClassifier(split_criterion='gini')",
        "tree.HoeffdingTreeClassifier(split_criterion='hellinger')",
        "tree.HoeffdingTreeClassifier(leaf_prediction='mc')",
        "tree.HoeffdingTreeClassifier(leaf_prediction='nb', nb_threshold=10)",
        "tree.HoeffdingTreeClassifier(remove_poor_attrs=True, leaf_prediction='mc')",
        "tree.HoeffdingTreeClassifier(merit_preprune=False)"}) {
    auto acc = test_support::evaluate_spec(spec, kPhishing, "is_phishing");
    ASSERT_TRUE(acc.ok()) << spec << ": " << acc.status().to_string();
    EXPECT_GT(acc->value, 0.65) << spec;  // majority-class leaves: 0.6837
  }
}

// ImageSegments: River 0.12.1 scores 0.7761 (1792 of 2309). rivulet gets one more right: the
// second and third predictions tie two and three classes, and River breaks ties in the order of
// a Python set of strings, which depends on the process's hash seed.
TEST(HoeffdingTreeClassifierSlowTest, ImageSegmentsMatchesRiver) {
  auto acc = test_support::evaluate_spec("tree.HoeffdingTreeClassifier", kSegments, "category");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_EQ(acc->value, 1793.0 / 2309.0);
  EXPECT_NEAR(acc->value, 0.7761, 5e-4);
}

// Electricity: River's published 0.7956; rivulet 0.7970. The stream is sensitive to the last
// bit of the Gaussian estimators (different but equivalent orderings of Welford's update move
// the score between 0.7961 and 0.7970), and the published figure comes from River's benchmark
// pages rather than from 0.12.1 itself.
TEST(HoeffdingTreeClassifierSlowTest, ElectricityMatchesRiver) {
  auto acc = test_support::evaluate_spec("tree.HoeffdingTreeClassifier", kElectricity, "class");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_NEAR(acc->value, 0.7956, 0.005);
  EXPECT_NEAR(acc->value, 0.797003, 5e-6);
  // MOA's published 0.8166 uses grace period 50 and MOA's own defaults.
  auto moa = test_support::evaluate_spec("tree.HoeffdingTreeClassifier(grace_period=50)",
                                         kElectricity, "class");
  ASSERT_TRUE(moa.ok());
  EXPECT_NEAR(moa->value, 0.802145, 5e-6);
}

}  // namespace
}  // namespace rivulet::ml
