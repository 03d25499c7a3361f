#include "rivulet/ml/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "rivulet/ml/preprocessing/standard_scaler.h"

namespace rivulet::ml {
namespace {

// River's Pipeline: predicting updates the unsupervised steps before transforming; learning
// does not update them again.
TEST(ModelTest, PredictUpdatesScalerLearnDoesNot) {
  auto model = Model::create("preprocessing.StandardScaler | linear_model.LinearRegression").value();
  const FeatureIndex x = model.space().intern("x");
  // Two predictions update the scaler with 1 and 3: mean 2, variance 1; the learn calls do not.
  (void)model.predict_value(Features{{x, 1.0}});
  model.learn_value(Features{{x, 1.0}}, 10.0);
  (void)model.predict_value(Features{{x, 3.0}});
  model.learn_value(Features{{x, 3.0}}, 10.0);
  const auto& scaler = static_cast<const StandardScaler&>(model.step(0));
  Description d;
  scaler.describe(d);
  ASSERT_EQ(d.items().size(), 2u);
  EXPECT_EQ(d.items()[0], (std::pair<std::string, std::string>{"mean[x]", "2"}));
  EXPECT_EQ(d.items()[1], (std::pair<std::string, std::string>{"std[x]", "1"}));
  EXPECT_EQ(model.n_learned(), 2u);
}

TEST(ModelTest, PredictThenLearnEqualsPredictFollowedByLearn) {
  auto a = Model::create("preprocessing.StandardScaler | linear_model.LogisticRegression").value();
  auto b = Model::create("preprocessing.StandardScaler | linear_model.LogisticRegression").value();
  for (auto* m : {&a, &b}) {
    m->space().intern("u");
    m->space().intern("v");
    m->labels().intern("yes");
    m->labels().intern("no");
  }
  std::vector<double> pa, pb;
  for (int i = 0; i < 100; ++i) {
    Features x{{0, std::sin(i)}, {1, std::cos(3.0 * i)}};
    const ClassId y = (std::sin(i) + std::cos(3.0 * i) > 0) ? 0 : 1;
    auto got_a = a.predict_then_learn(x, y, &pa);
    auto got_b = b.predict(x, &pb);
    b.learn_one(x, y);
    EXPECT_EQ(got_a, got_b);
    EXPECT_EQ(pa, pb);
  }
}

TEST(ModelTest, OnePredictCallUpdatesTheScalerOnce) {
  auto model = Model::create("preprocessing.StandardScaler | naive_bayes.GaussianNB").value();
  const FeatureIndex x = model.space().intern("x");
  std::vector<double> proba;
  (void)model.predict(Features{{x, 1.0}}, &proba);
  (void)model.predict(Features{{x, 3.0}}, &proba);
  Description d;
  model.step(0).describe(d);
  EXPECT_EQ(d.items()[0].second, "2");  // mean of 1 and 3: each sample counted once
}

TEST(ModelTest, SaveLoadRoundTripPredictsIdentically) {
  auto model = Model::create("preprocessing.StandardScaler | linear_model.LogisticRegression(l2=0.01)",
                             {.seed = 7, .pos_label = "", .target = "label"})
                   .value();
  const FeatureIndex x = model.space().intern("x");
  const ClassId up = model.labels().intern("up"), down = model.labels().intern("down");
  for (int i = 0; i < 50; ++i) model.predict_then_learn(Features{{x, i * 0.1}}, i % 3 ? up : down, nullptr);
  const std::string path = (std::filesystem::temp_directory_path() / "rivulet_model_test.rvm").string();
  ASSERT_TRUE(model.save(path).ok());
  auto loaded = Model::load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->spec(), model.spec());
  EXPECT_EQ(loaded->options().target, "label");
  EXPECT_EQ(loaded->n_learned(), 50u);
  EXPECT_EQ(loaded->space().find("x"), x);
  EXPECT_EQ(loaded->labels().name(down), "down");
  std::vector<double> p1, p2;
  for (int i = 0; i < 20; ++i) {
    Features f{{x, i * 0.37}};
    ASSERT_TRUE(model.predict_proba_one(f, p1));
    ASSERT_TRUE(loaded->predict_proba_one(f, p2));
    EXPECT_EQ(p1, p2);
  }
  std::filesystem::remove(path);
}

TEST(ModelTest, CorruptBytesAreDataLoss) {
  auto model = Model::create("naive_bayes.GaussianNB").value();
  model.learn_one(Features{{model.space().intern("a"), 1.0}}, model.labels().intern("c"));
  std::string bytes = model.save_bytes();
  ASSERT_TRUE(Model::load_bytes(bytes).ok());
  for (size_t cut : {size_t{0}, size_t{7}, size_t{20}, bytes.size() - 1}) {
    auto r = Model::load_bytes(bytes.substr(0, cut));
    EXPECT_EQ(r.status().code(), StatusCode::kDataLoss) << cut;
  }
  for (size_t i = 8; i < bytes.size(); i += 3) {
    std::string flipped = bytes;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
    EXPECT_EQ(Model::load_bytes(flipped).status().code(), StatusCode::kDataLoss) << i;
  }
}

// Anomaly detection follows the same pipeline rule: scoring updates the scaler, learning does
// not; the detector learns without a label.
TEST(ModelTest, AnomalyDetectorScoresThenLearnsUnlabeled) {
  auto model =
      Model::create("preprocessing.StandardScaler | anomaly.GaussianScorer(grace_period=1)")
          .value();
  EXPECT_EQ(model.task(), Task::kAnomalyDetection);
  EXPECT_EQ(task_name(model.task()), "anomaly detection");
  EXPECT_FALSE(model.has_decision());
  EXPECT_EQ(model.classify(0.9), std::nullopt);
  const FeatureIndex x = model.space().intern("x");
  (void)model.score_one(Features{{x, 1.0}});
  model.learn_unlabeled(Features{{x, 1.0}});
  (void)model.score_one(Features{{x, 3.0}});
  model.learn_unlabeled(Features{{x, 3.0}});
  Description d;
  model.step(0).describe(d);
  EXPECT_EQ(d.items()[0].second, "2");  // the scaler saw 1 and 3 once each
  EXPECT_EQ(model.n_learned(), 2u);
  // The scorer learned 0 (1 scaled when the scaler knew only 1) and 1 (3 scaled by mean 2, std
  // 1); 2 scales to 0: 2 |Phi((0 - 0.5) / sqrt(0.5)) - 0.5| = 0.5205.
  auto b = Model::load_bytes(model.save_bytes()).value();
  EXPECT_NEAR(b.score_then_learn(Features{{x, 2.0}}), 0.5205, 1e-4);
  EXPECT_EQ(b.n_learned(), 3u);
}

TEST(ModelTest, ScoreThenLearnEqualsScoreFollowedByLearn) {
  const std::string spec =
      "preprocessing.MinMaxScaler | anomaly.HalfSpaceTrees(window_size=20, seed=3)";
  auto a = Model::create(spec).value();
  auto b = Model::create(spec).value();
  for (auto* m : {&a, &b}) {
    m->space().intern("u");
    m->space().intern("v");
  }
  for (int i = 0; i < 200; ++i) {
    const Features x{{0, std::sin(i)}, {1, std::cos(3.0 * i)}};
    const double sa = a.score_then_learn(x);
    const double sb = b.score_one(x);
    b.learn_unlabeled(x);
    ASSERT_EQ(sa, sb) << i;
  }
  EXPECT_EQ(a.save_bytes(), b.save_bytes());
}

TEST(ModelTest, ClustererPredictsThenLearns) {
  const std::string spec = "preprocessing.StandardScaler | cluster.KMeans(n_clusters=3, seed=1)";
  auto a = Model::create(spec).value();
  auto b = Model::create(spec).value();
  EXPECT_EQ(a.task(), Task::kClustering);
  EXPECT_EQ(task_name(a.task()), "clustering");
  for (auto* m : {&a, &b}) m->space().intern("u");
  for (int i = 0; i < 100; ++i) {
    const Features x{{0, std::sin(0.3 * i) * 5}};
    const int ca = a.predict_then_learn_cluster(x);
    const int cb = b.predict_cluster(x);
    b.learn_unlabeled(x);
    ASSERT_EQ(ca, cb) << i;
    ASSERT_GE(ca, 0);
    ASSERT_LT(ca, 3);
  }
  auto loaded = Model::load_bytes(a.save_bytes());
  ASSERT_TRUE(loaded.ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->save_bytes(), a.save_bytes());
}

TEST(ModelTest, SpecErrors) {
  EXPECT_NE(Model::create("naive_bayes.GaussianNB | preprocessing.StandardScaler").status().message().find(
                "every step before the last must be a transformer"),
            std::string::npos);
  EXPECT_EQ(Model::create("nope").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(Model::create("preprocessing.StandardScaler")
                .status()
                .message()
                .find("the last step must be a classifier, a regressor, an anomaly detector or a "
                      "clusterer"),
            std::string::npos);
  EXPECT_NE(Model::create("anomaly.HalfSpaceTrees | cluster.KMeans")
                .status()
                .message()
                .find("every step before the last must be a transformer"),
            std::string::npos);
}

}  // namespace
}  // namespace rivulet::ml
