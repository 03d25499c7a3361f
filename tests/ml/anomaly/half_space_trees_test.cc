#include "rivulet/ml/anomaly/half_space_trees.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <sstream>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"
#include "support/learner_streams.h"

namespace rivulet::ml {
namespace {

std::unique_ptr<HalfSpaceTrees> make(HalfSpaceTrees::Options o) {
  auto made = HalfSpaceTrees::create(std::move(o));
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return std::move(made).value();
}

// Score then learn every row, as River's anomaly evaluation does.
std::vector<double> score_then_learn(HalfSpaceTrees& hst, const std::vector<Features>& xs) {
  std::vector<double> scores;
  for (const auto& x : xs) {
    scores.push_back(hst.score_one(x));
    hst.learn_one(x);
  }
  return scores;
}

double sum(const std::vector<double>& v) {
  double s = 0.0;  // Python's sum(): left to right
  for (double d : v) s += d;
  return s;
}

// River's docstring (n_trees=5, height=3, window_size=3, seed=42): learn_one then score_one. River
// prints the scores rounded to 0.107, 0.071, 0.107, 0.107, 0.107, 0.071, 0.853; the full values
// are what River's code computes (the trees of random.Random(42) hold 16/150, 32/225, 64/75 of
// the largest score).
TEST(HalfSpaceTreesTest, RiverDocstring) {
  auto hst = make({.n_trees = 5, .height = 3, .window_size = 3, .seed = 42});
  const double xs[] = {0.5, 0.45, 0.43, 0.44, 0.445, 0.45, 0.0};
  const double expected[] = {0.10666666666666669, 0.07111111111111112, 0.10666666666666669,
                             0.10666666666666669, 0.10666666666666669, 0.07111111111111112,
                             0.8533333333333333};
  for (int i = 0; i < 3; ++i) hst->learn_one(Features{{0, xs[i]}});
  for (int i = 0; i < 7; ++i) {
    hst->learn_one(Features{{0, xs[i]}});
    EXPECT_EQ(hst->score_one(Features{{0, xs[i]}}), expected[i]) << "x = " << xs[i];
  }
}

// Default parameters (10 trees of height 8, windows of 250) with seed=42 over Phishing's nine
// features, score then learn: the values River's HalfSpaceTrees code gives on the same rows.
TEST(HalfSpaceTreesTest, PhishingMatchesRiverExactly) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  auto hst = make({.seed = 42});
  const auto scores = score_then_learn(*hst, d.rows);
  ASSERT_EQ(scores.size(), 1250u);
  for (size_t i = 0; i < 250; ++i) ASSERT_EQ(scores[i], 0.0) << "first window, row " << i;
  EXPECT_EQ(scores[250], 0.9722692759295499);
  EXPECT_EQ(scores[251], 0.9721534246575343);
  EXPECT_EQ(scores[600], 0.9678168297455969);
  EXPECT_EQ(scores[1000], 0.9571303326810177);
  EXPECT_EQ(scores[1249], 0.942745988258317);
  EXPECT_EQ(sum(scores), 968.2755256360093);
}

// Missing split features go down the child with more mass in the current window; the trees use
// the features of the first sample only. Reference: River's code on the same rows.
TEST(HalfSpaceTreesTest, MissingFeaturesMatchRiver) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  std::vector<Features> xs;
  for (size_t i = 0; i < d.size(); ++i) {
    Features x;
    for (const auto& f : d.rows[i]) {
      if ((i * 7 + f.index * 3) % 5 != 0) x.push(f.index, f.value);
    }
    xs.push_back(std::move(x));
  }
  auto hst = make({.n_trees = 5, .height = 6, .window_size = 100, .seed = 7});
  const auto scores = score_then_learn(*hst, xs);
  EXPECT_EQ(scores[100], 0.8791811023622047);
  EXPECT_EQ(scores[333], 0.8199370078740158);
  EXPECT_EQ(scores[1249], 0.9092283464566929);
  EXPECT_EQ(sum(scores), 1006.0720000000001);
}

// limits: River's {'popup_window': (0, 10), 'age_of_domain': (-2, -1)} on values moved there.
TEST(HalfSpaceTreesTest, LimitsMatchRiver) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  FeatureSpace space;
  const auto rows = learner_streams::bind(d, space);
  const FeatureIndex popup = *space.find("popup_window"), age = *space.find("age_of_domain");
  std::vector<Features> xs;
  for (const auto& row : rows) {
    Features x;
    for (const auto& f : row) {
      x.push(f.index, f.index == popup ? f.value * 10 : f.index == age ? f.value - 2 : f.value);
    }
    xs.push_back(std::move(x));
  }
  auto hst = make({.n_trees = 3,
                   .height = 4,
                   .window_size = 50,
                   .limits = "popup_window=0..10, age_of_domain = -2..-1",
                   .seed = 3});
  hst->attach({&space, nullptr});
  const auto scores = score_then_learn(*hst, xs);
  EXPECT_EQ(scores[50], 0.8408602150537634);
  EXPECT_EQ(scores[777], 0.7802150537634409);
  EXPECT_EQ(scores[1249], 0.7144086021505376);
  EXPECT_EQ(sum(scores), 843.3247311827947);
}

TEST(HalfSpaceTreesTest, BadOptionsAreRejected) {
  EXPECT_FALSE(HalfSpaceTrees::create({.n_trees = 0}).ok());
  EXPECT_FALSE(HalfSpaceTrees::create({.height = -1}).ok());
  EXPECT_FALSE(HalfSpaceTrees::create({.height = HalfSpaceTrees::kMaxHeight + 1}).ok());
  EXPECT_FALSE(HalfSpaceTrees::create({.window_size = 0}).ok());
  EXPECT_FALSE(HalfSpaceTrees::create({.limits = "x=1..0"}).ok());
  EXPECT_FALSE(HalfSpaceTrees::create({.limits = "x=0..inf"}).ok());
  EXPECT_FALSE(HalfSpaceTrees::create({.limits = "x:0:1"}).ok());
  EXPECT_FALSE(HalfSpaceTrees::create({.limits = "=0..1"}).ok());
  EXPECT_TRUE(HalfSpaceTrees::create({.limits = "city=Paris=0..1, x=-1e3..2.5,"}).ok());
  auto bad = Model::create("anomaly.HalfSpaceTrees(limits='x=2..1')");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("lo < hi"), std::string::npos) << bad.status().to_string();
}

// Normal points clustered around (0.3, 0.7, 0.5) and outliers spread over another corner of
// [0, 1]^3: after a few windows every outlier scores above every normal point.
TEST(HalfSpaceTreesTest, SeparatesObviousOutliers) {
  PythonRandom rng(1);
  auto hst = make({.window_size = 100, .seed = 42});
  auto normal = [&rng] {
    return Features{
        {0, rng.gauss(0.3, 0.03)}, {1, rng.gauss(0.7, 0.03)}, {2, rng.gauss(0.5, 0.03)}};
  };
  for (int i = 0; i < 1000; ++i) hst->learn_one(normal());
  double worst_normal = 0.0, best_outlier = 1.0, normal_total = 0.0;
  for (int i = 0; i < 200; ++i) {
    const double s = hst->score_one(normal());
    worst_normal = std::max(worst_normal, s);
    normal_total += s;
  }
  for (int i = 0; i < 200; ++i) {
    Features outlier{{0, rng.uniform(0.5, 1.0)}, {1, rng.uniform(0.0, 0.5)}, {2, rng.random()}};
    best_outlier = std::min(best_outlier, hst->score_one(outlier));
  }
  // Measured: mean normal 0.368, worst normal 0.686, best outlier 0.867.
  EXPECT_LT(worst_normal, best_outlier);
  EXPECT_LT(normal_total / 200, 0.4);
  EXPECT_GT(best_outlier, 0.85);
}

// Phishing's rows (each feature at 0, 0.5 or 1) after learning all of them, against the same
// rows with five features set to their rarest value: default parameters, seed 42.
TEST(HalfSpaceTreesTest, SeparatesRareRowsOnPhishing) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  auto hst = make({.seed = 42});
  for (const auto& x : d.rows) hst->learn_one(x);
  // The rarest value of each feature.
  std::vector<std::array<int, 3>> counts(9, std::array<int, 3>{});
  for (const auto& x : d.rows) {
    for (const auto& f : x) ++counts[f.index][static_cast<size_t>(f.value * 2 + 0.5)];
  }
  std::vector<double> rare(9);
  for (size_t j = 0; j < 9; ++j) {
    const auto& c = counts[j];
    rare[j] = static_cast<double>(std::min_element(c.begin(), c.end()) - c.begin()) / 2;
  }
  std::vector<double> normal, outlier;
  for (size_t i = 0; i < 250; ++i) normal.push_back(hst->score_one(d.rows[1000 + i]));
  for (size_t i = 0; i < 200; ++i) {
    Features x;
    for (const auto& f : d.rows[(i * 37) % d.size()]) {
      x.push(f.index, (i + f.index) % 9 < 5 ? rare[f.index] : f.value);
    }
    outlier.push_back(hst->score_one(x));
  }
  // The share of (outlier, normal) pairs in the right order: an AUC. Measured: 0.927; mean
  // scores 0.965 (normal) and 0.987 (rare: with 9 features, 250 samples spread over trees of 256
  // leaves, every score is high; the order is what tells).
  double ordered = 0;
  for (double o : outlier) {
    for (double n : normal) ordered += o > n ? 1.0 : o == n ? 0.5 : 0.0;
  }
  const double auc = ordered / static_cast<double>(outlier.size() * normal.size());
  EXPECT_GT(auc, 0.85);
  double mean_normal = 0, mean_outlier = 0;
  for (double n : normal) mean_normal += n / normal.size();
  for (double o : outlier) mean_outlier += o / outlier.size();
  EXPECT_GT(mean_outlier, mean_normal);
}

TEST(HalfSpaceTreesTest, SaveLoadContinuesExactly) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  for (size_t cut : {size_t{0}, size_t{1}, size_t{300}}) {
    auto a = make({.n_trees = 4, .height = 5, .window_size = 60, .seed = 5});
    for (size_t i = 0; i < cut; ++i) a->learn_one(d.rows[i]);
    std::stringstream bytes;
    {
      StateWriter out(bytes);
      a->save(out);
    }
    auto b = make({.n_trees = 4, .height = 5, .window_size = 60, .seed = 5});
    {
      StateReader in(bytes);
      b->load(in);
    }
    for (size_t i = cut; i < cut + 400; ++i) {
      ASSERT_EQ(a->score_one(d.rows[i]), b->score_one(d.rows[i])) << "cut " << cut << ", row " << i;
      a->learn_one(d.rows[i]);
      b->learn_one(d.rows[i]);
    }
  }
}

TEST(HalfSpaceTreesTest, EmptySamplesWaitForFeatures) {
  auto hst = make({.n_trees = 2, .height = 2, .window_size = 2, .seed = 1});
  hst->learn_one(Features{});
  EXPECT_FALSE(hst->trees_built());
  EXPECT_EQ(hst->score_one(Features{}), 0.0);
  hst->learn_one(Features{{0, 0.2}});
  EXPECT_TRUE(hst->trees_built());
  hst->learn_one(Features{});  // every split feature absent: the busier child
  EXPECT_GE(hst->score_one(Features{}), 0.0);
  EXPECT_LE(hst->score_one(Features{}), 1.0);
}

TEST(HalfSpaceTreesTest, InAPipelineAfterMinMaxScaler) {
  auto made = Model::create("preprocessing.MinMaxScaler | anomaly.HalfSpaceTrees(seed=42)");
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_EQ(made->task(), Task::kAnomalyDetection);
  const auto* entry = find_entry("anomaly.HalfSpaceTrees");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kAnomalyDetector);
}

}  // namespace
}  // namespace rivulet::ml
