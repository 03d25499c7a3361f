#include "rivulet/ml/ensemble/ada_boost_classifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ml/ensemble/fake_members.h"
#include "ml/eval_helper.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/model.h"

namespace rivulet::ml {
namespace {

using test_members::FixedClassifier;
using test_members::FixedMaker;

// Members: m0 and m2 always predict "a", m1 always "b". Two samples, "a" then "b".
// Sample "a" (lambda = 1): m0 right: c0 = 1, lambda *= (1 + 0) / (2 * 1) -> 0.5;
//   m1 wrong: w1 = 0.5, lambda *= 0.5 / (2 * 0.5) -> 0.25; m2 right: c2 = 0.25,
//   lambda *= 0.25 / (2 * 0.25) -> 0.125.
// Sample "b" (lambda = 1): m0 wrong: w0 = 1, lambda *= 2 / 2 -> 1; m1 right: c1 = 1,
//   lambda *= 1.5 / 2 -> 0.75; m2 wrong: w2 = 0.75, lambda *= 1 / 1.5 -> 0.5.
// Each member learns Poisson(lambda) times with the lambda it was given.
TEST(AdaBoostClassifierTest, LambdaAndWeightUpdatesOnAToyStream) {
  FixedMaker fixed{{{0u, {1.0, 0.0}}, {1u, {0.0, 1.0}}, {0u, {1.0, 0.0}}}};
  auto model =
      AdaBoostClassifier::create({.model = fixed.maker(), .n_models = 3, .seed = 4}).value();
  LabelEncoder labels;
  const ClassId a = labels.intern("a"), b = labels.intern("b");
  model->attach({nullptr, &labels});
  model->learn_one(Features{}, a);
  EXPECT_DOUBLE_EQ(model->correct_weight(0), 1.0);
  EXPECT_DOUBLE_EQ(model->wrong_weight(1), 0.5);
  EXPECT_DOUBLE_EQ(model->correct_weight(2), 0.25);
  model->learn_one(Features{}, b);
  const std::vector<double> correct = {1.0, 1.0, 0.25}, wrong = {1.0, 0.5, 0.75};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_DOUBLE_EQ(model->correct_weight(i), correct[i]) << i;
    EXPECT_DOUBLE_EQ(model->wrong_weight(i), wrong[i]) << i;
  }
  Random rng(4);
  std::vector<int> expected(3, 0);
  const double lambdas[2][3] = {{1.0, 0.5, 0.25}, {1.0, 1.0, 0.75}};
  for (const auto& sample : lambdas) {
    for (size_t i = 0; i < 3; ++i) expected[i] += rng.poisson(sample[i]);
  }
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(dynamic_cast<const FixedClassifier&>(model->member(i)).learned(), expected[i]) << i;
  }
  // Vote weights: m0 has epsilon = 1/2 -> log(1) = 0; m1 epsilon = 1/3 -> log(2); m2 epsilon =
  // 3/4 > 1/2 -> 1 (River's rule).
  EXPECT_DOUBLE_EQ(model->model_weight(0), 0.0);
  EXPECT_DOUBLE_EQ(model->model_weight(1), std::log(2.0));
  EXPECT_DOUBLE_EQ(model->model_weight(2), 1.0);
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(Features{}, proba));
  const double total = 1.0 + std::log(2.0);
  EXPECT_DOUBLE_EQ(proba[a], 1.0 / total);
  EXPECT_DOUBLE_EQ(proba[b], std::log(2.0) / total);
  EXPECT_EQ(model->predict_one(Features{}, proba), a);
}

TEST(AdaBoostClassifierTest, UntrainedMembersVoteWithWeightOne) {
  FixedMaker fixed{{{0u, {0.3, 0.7}}, {1u, {0.9, 0.1}}}};
  auto model = AdaBoostClassifier::create({.model = fixed.maker(), .n_models = 2}).value();
  EXPECT_DOUBLE_EQ(model->model_weight(0), 1.0);  // epsilon = 1e-16 / 1e-16 = 1 > 0.5
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(Features{}, proba));
  EXPECT_DOUBLE_EQ(proba[0], 0.6);
  EXPECT_DOUBLE_EQ(proba[1], 0.4);
}

TEST(AdaBoostClassifierTest, SaveLoadContinuesExactly) {
  const std::string spec =
      "ensemble.AdaBoostClassifier(model=naive_bayes.GaussianNB(), n_models=4, seed=2)";
  auto a = Model::create(spec).value();
  const auto f = a.space().intern("x"), g = a.space().intern("z");
  Random data(8);
  std::vector<double> pa, pb;
  auto label = [&](double u, double v) { return a.labels().intern(u * v > 0 ? "same" : "diff"); };
  for (int t = 0; t < 400; ++t) {
    const double u = data.normal(), v = data.normal();
    a.learn_one(Features{{f, u}, {g, v}}, label(u, v));
  }
  auto b = Model::load_bytes(a.save_bytes()).value();
  for (int t = 0; t < 400; ++t) {
    const double u = data.normal(), v = data.normal();
    const ClassId y = label(u, v);
    EXPECT_EQ(a.predict_then_learn(Features{{f, u}, {g, v}}, y, &pa),
              b.predict_then_learn(Features{{f, u}, {g, v}}, y, &pb));
    ASSERT_EQ(pa, pb) << t;
  }
  EXPECT_EQ(a.save_bytes(), b.save_bytes());
  EXPECT_EQ(dynamic_cast<const AdaBoostClassifier&>(b.step(0)).correct_weight(3),
            dynamic_cast<const AdaBoostClassifier&>(a.step(0)).correct_weight(3));
}

TEST(AdaBoostClassifierTest, BadParametersAreRejectedWithTheColumn) {
  for (const std::string spec :
       {"ensemble.AdaBoostClassifier(n_models=-3)",
        "ensemble.AdaBoostClassifier(model=linear_model.LinearRegression())",
        "ensemble.AdaBoostClassifier(model=naive_bayes.GaussianNB(), seed=-1)"}) {
    auto made = Model::create(spec);
    ASSERT_FALSE(made.ok()) << spec;
    EXPECT_NE(made.status().message().find("column"), std::string::npos) << made.status().message();
  }
}

// River 0.12.1's docstring: AdaBoostClassifier(HoeffdingTreeClassifier(split_criterion='gini',
// delta=1e-5, grace_period=2000), n_models=5, seed=42) on Phishing, LogLoss 0.370805. With a
// grace period longer than the stream the trees never split: each member is a leaf whose naive
// Bayes predictions follow its Poisson weights. Mean over 5 seeds within 0.015 (over 20 seeds:
// 0.3676).
TEST(AdaBoostClassifierTest, RiverPhishingLogLossWithHoeffdingTrees) {
  double sum = 0.0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto loss = test_support::evaluate_spec(
        "ensemble.AdaBoostClassifier(model=tree.HoeffdingTreeClassifier(split_criterion='gini', "
        "delta=1e-5, grace_period=2000), n_models=5, seed=" +
            std::to_string(seed) + ")",
        "river/phishing.csv.gz", "is_phishing", {.metric = "LogLoss"});
    ASSERT_TRUE(loss.ok()) << loss.status().to_string();
    sum += loss->value;
  }
  EXPECT_NEAR(sum / 5.0, 0.370805, 0.015);
}

}  // namespace
}  // namespace rivulet::ml
