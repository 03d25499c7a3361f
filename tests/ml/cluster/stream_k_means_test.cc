#include "rivulet/ml/cluster/stream_k_means.h"

#include <gtest/gtest.h>

#include <sstream>
#include <vector>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"
#include "support/learner_streams.h"

namespace rivulet::ml {
namespace {

std::unique_ptr<STREAMKMeans> make(const STREAMKMeans::Options& o) {
  auto made = STREAMKMeans::create(o);
  EXPECT_TRUE(made.ok()) << made.status().to_string();
  return std::move(made).value();
}

// River's docstring (chunk_size=3, n_clusters=2, halflife=0.5, sigma=1.5, seed=0). The docstring
// prints 1 and 0: it dates from River's KMeans before 0.12, whose predict_one did not draw the
// coordinates of unseen features; with 0.12.1's KMeans (the one rivulet follows) River's code
// gives 0 and 1, and these centers, to the last bit.
TEST(STREAMKMeansTest, RiverDocstringWithRiver0121KMeans) {
  auto model = make(
      {.chunk_size = 3, .k_means = {.n_clusters = 2, .halflife = 0.5, .sigma = 1.5, .seed = 0}});
  const double points[12][2] = {{1, 0.5}, {1, 0.625}, {1, 0.75}, {1, 1.125}, {1, 1.5},  {1, 1.75},
                                {4, 1.5}, {4, 2.25},  {4, 2.5},  {4, 3},     {4, 3.25}, {4, 3.5}};
  for (const auto& p : points) model->learn_one(Features{{0, p[0]}, {1, p[1]}});
  EXPECT_EQ(model->predict_one(Features{{0, 1.0}, {1, 0.0}}), 0);
  EXPECT_EQ(model->predict_one(Features{{0, 5.0}, {1, 2.0}}), 1);
  const KMeans& k = model->k_means();
  EXPECT_EQ(k.center(0, 0), 1.4125731070209966);
  EXPECT_EQ(k.center(0, 1), -2.0948671570517248);
  EXPECT_EQ(k.center(1, 0), 1.9291768369741387);
  EXPECT_EQ(k.center(1, 1), 1.9890401106647388);
}

// Phishing, chunk_size=10, n_clusters=3, seed=5: learn then predict each row. Reference: River's
// code on the same dicts.
TEST(STREAMKMeansTest, PhishingMatchesRiver) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  auto model = make(
      {.chunk_size = 10, .k_means = {.n_clusters = 3, .halflife = 0.5, .sigma = 1.0, .seed = 5}});
  std::vector<int> out;
  for (const auto& x : d.rows) {
    model->learn_one(x);
    out.push_back(model->predict_one(x));
  }
  std::vector<int> n(3, 0);
  for (int c : out) ++n[c];
  EXPECT_EQ(n, (std::vector<int>{9, 1241, 0}));
  for (int i = 0; i < 9; ++i) EXPECT_EQ(out[i], 0) << i;  // no center before the first chunk
  EXPECT_EQ(out[9], 1);
  const KMeans& k = model->k_means();
  EXPECT_EQ(k.center(0, 0), -1.1788417512306717);
  EXPECT_EQ(k.center(1, 2), 0.748876457280007);
  EXPECT_EQ(k.center(1, 8), 0.012688040306342964);
  EXPECT_EQ(k.center(2, 1), 2.1894703975331256);
}

TEST(STREAMKMeansTest, PredictsZeroBeforeLearning) {
  auto model = make({});
  EXPECT_EQ(model->predict_one(Features{{0, 3.0}}), 0);
}

TEST(STREAMKMeansTest, SaveLoadMidChunkContinuesExactly) {
  const auto& d = learner_streams::phishing();
  ASSERT_TRUE(d.error.empty()) << d.error;
  const STREAMKMeans::Options o{.chunk_size = 7, .k_means = {.n_clusters = 3, .seed = 2}};
  auto a = make(o);
  for (size_t i = 0; i < 53; ++i) a->learn_one(d.rows[i]);  // 4 rows into a chunk
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
  for (size_t i = 53; i < 400; ++i) {
    a->learn_one(d.rows[i]);
    b->learn_one(d.rows[i]);
    ASSERT_EQ(a->predict_one(d.rows[i]), b->predict_one(d.rows[i])) << "row " << i;
  }
  EXPECT_EQ(a->k_means().center(2, 5), b->k_means().center(2, 5));
}

TEST(STREAMKMeansTest, BadOptionsAreRejected) {
  EXPECT_FALSE(STREAMKMeans::create({.chunk_size = 0}).ok());
  auto bad = STREAMKMeans::create({.k_means = {.n_clusters = 0}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().rfind("cluster.STREAMKMeans: n_clusters", 0), 0u)
      << bad.status().to_string();
}

TEST(STREAMKMeansTest, Registered) {
  const auto* entry = find_entry("cluster.STREAMKMeans");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kClusterer);
  EXPECT_TRUE(
      Model::create("cluster.STREAMKMeans(chunk_size=3, n_clusters=2, sigma=1.5, seed=0)").ok());
}

}  // namespace
}  // namespace rivulet::ml
