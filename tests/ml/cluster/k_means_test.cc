#include "rivulet/ml/cluster/k_means.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"
#include "support/learner_streams.h"

namespace rivulet::ml {
namespace {

std::unique_ptr<KMeans> make(const KMeans::Options& o) {
  auto made = KMeans::create(o);
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return std::move(made).value();
}

std::vector<int> predict_then_learn(KMeans& k, const std::vector<Features>& xs) {
  std::vector<int> out;
  for (const auto& x : xs) {
    out.push_back(k.predict_one(x));
    k.learn_one(x);
  }
  return out;
}

std::vector<int> counts(const std::vector<int>& clusters, int k) {
  std::vector<int> n(k, 0);
  for (int c : clusters) ++n[c];
  return n;
}

const std::vector<Features> kDocstringPoints = {{{0, 1}, {1, 2}},  {{0, 1}, {1, 4}},
                                                {{0, 1}, {1, 0}},  {{0, -4}, {1, 2}},
                                                {{0, -4}, {1, 4}}, {{0, -4}, {1, 0}}};

// River's docstring (n_clusters=2, halflife=0.1, sigma=3, seed=42): learn_one then predict_one.
// The centers are River's to the last bit: the coordinates are random.Random(42).gauss(0, 3)
// draws, moved by the same operations.
TEST(KMeansTest, RiverDocstring) {
  auto k = make({.n_clusters = 2, .halflife = 0.1, .sigma = 3, .seed = 42});
  std::vector<int> assigned;
  for (const auto& x : kDocstringPoints) {
    k->learn_one(x);
    assigned.push_back(k->predict_one(x));
  }
  EXPECT_EQ(assigned, (std::vector<int>{1, 1, 0, 1, 1, 0}));
  EXPECT_EQ(k->predict_one(Features{{0, 0}, {1, 0}}), 0);
  EXPECT_EQ(k->predict_one(Features{{0, 4}, {1, 4}}), 1);
  EXPECT_EQ(k->center(0, 0), -0.660139500874366);
  EXPECT_EQ(k->center(0, 1), -0.4201557488055919);
  EXPECT_EQ(k->center(1, 0), -0.82520301032363);
  EXPECT_EQ(k->center(1, 1), 2.4315145661120923);
}

// Predicting first (River's predict_one draws the coordinates of new features; here predict_one
// computes the draws learn_one then makes) ends in the same centers.
TEST(KMeansTest, PredictBeforeLearnDrawsAsRiver) {
  auto k = make({.n_clusters = 2, .halflife = 0.1, .sigma = 3, .seed = 42});
  EXPECT_EQ(predict_then_learn(*k, kDocstringPoints), (std::vector<int>{1, 1, 0, 1, 1, 0}));
  EXPECT_EQ(k->center(0, 0), -0.660139500874366);
  EXPECT_EQ(k->center(1, 1), 2.4315145661120923);
}

// Phishing (features 0..8 in column order, River's keys 0..8), p=1, mu=0.5, sigma=0.2, a tenth
// feature from row 500 on; predict then learn. Reference: River's KMeans code on the same dicts.
TEST(KMeansTest, PhishingManhattanWithANewFeatureMatchesRiver) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  std::vector<Features> xs = d.rows;
  for (size_t i = 500; i < xs.size(); ++i) xs[i].push(9, static_cast<double>(i % 3) / 2);
  auto k = make({.n_clusters = 3, .halflife = 0.3, .mu = 0.5, .sigma = 0.2, .p = 1, .seed = 7});
  const auto clusters = predict_then_learn(*k, xs);
  EXPECT_EQ(counts(clusters, 3), (std::vector<int>{381, 392, 477}));
  EXPECT_EQ(std::vector<int>(clusters.begin(), clusters.begin() + 20),
            (std::vector<int>{0, 2, 2, 1, 2, 2, 1, 1, 2, 2, 1, 0, 1, 1, 2, 1, 2, 1, 1, 2}));
  EXPECT_EQ(std::vector<int>(clusters.end() - 10, clusters.end()),
            (std::vector<int>{1, 2, 2, 0, 0, 1, 1, 1, 0, 2}));
  ASSERT_EQ(k->features().size(), 10u);
  EXPECT_EQ(k->center(0, 0), 0.8355519027219984);
  EXPECT_EQ(k->center(0, 9), 0.38658775985102406);
  EXPECT_EQ(k->center(1, 4), 0.09878918103035436);
  EXPECT_EQ(k->center(2, 7), 0.017294546414202302);
  EXPECT_EQ(k->center(2, 9), 0.4580055033367874);
}

TEST(KMeansTest, PhishingDefaultsMatchRiver) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  auto k = make({.seed = 42});
  const auto clusters = predict_then_learn(*k, d.rows);
  EXPECT_EQ(counts(clusters, 5), (std::vector<int>{0, 431, 819, 0, 0}));
  EXPECT_EQ(std::vector<int>(clusters.end() - 10, clusters.end()),
            (std::vector<int>{2, 1, 1, 1, 1, 2, 2, 2, 1, 1}));
}

// Hand-checked: one cluster, halflife 0.5: the center moves halfway to each point.
TEST(KMeansTest, MovesHalfwayWithHalflifeOneHalf) {
  auto k = make({.n_clusters = 1, .halflife = 0.5, .sigma = 0, .seed = 1});
  k->learn_one(Features{{0, 4.0}});
  EXPECT_EQ(k->center(0, 0), 2.0);  // 0 + 0.5 * (4 - 0)
  k->learn_one(Features{{0, 0.0}, {3, 8.0}});
  EXPECT_EQ(k->center(0, 0), 1.0);
  EXPECT_EQ(k->center(0, 3), 4.0);
  k->learn_one(Features{{3, 0.0}});  // absent features do not move
  EXPECT_EQ(k->center(0, 0), 1.0);
  EXPECT_EQ(k->center(0, 3), 2.0);
  EXPECT_EQ(k->features(), (std::vector<FeatureIndex>{0, 3}));
}

TEST(KMeansTest, BadOptionsAreRejected) {
  EXPECT_FALSE(KMeans::create({.n_clusters = 0}).ok());
  EXPECT_FALSE(KMeans::create({.sigma = -1}).ok());
  EXPECT_FALSE(KMeans::create({.p = 0}).ok());
  EXPECT_FALSE(KMeans::create({.halflife = std::nan("")}).ok());
  auto bad = Model::create("cluster.KMeans(n_clusters=0)");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("n_clusters must be in [1,"), std::string::npos);
}

TEST(KMeansTest, SaveLoadContinuesExactly) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const KMeans::Options o{.n_clusters = 4, .halflife = 0.2, .seed = 3};
  auto a = make(o);
  for (size_t i = 0; i < 300; ++i) a->learn_one(d.rows[i]);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = make(o);
  {
    StateReader in(bytes);
    b->load(in);
  }
  for (size_t i = 300; i < 800; ++i) {
    Features x = d.rows[i];
    if (i == 500) x.push(12, 0.25);  // a new feature after the restore draws the same
    ASSERT_EQ(a->predict_one(x), b->predict_one(x)) << "row " << i;
    a->learn_one(x);
    b->learn_one(x);
  }
  EXPECT_EQ(a->center(3, 12), b->center(3, 12));
}

TEST(KMeansTest, Registered) {
  const auto* entry = find_entry("cluster.KMeans");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kClusterer);
  auto m = Model::create("preprocessing.StandardScaler | cluster.KMeans(n_clusters=3)");
  ASSERT_TRUE(m.ok()) << m.status().to_string();
  EXPECT_EQ(m->task(), Task::kClustering);
}

}  // namespace
}  // namespace rivulet::ml
