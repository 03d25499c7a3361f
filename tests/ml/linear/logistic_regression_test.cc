#include "rivulet/ml/linear/logistic_regression.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/ml/optim/adam.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

constexpr const char* kPhishing = "river/phishing.csv.gz";

TEST(LogisticRegressionTest, OneStepByHand) {
  auto model = LogisticRegression::create({}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  const ClassId yes = labels.intern("1");
  labels.intern("0");
  model->learn_one(Features{{0, 2.0}}, yes);  // raw 0: g = -1 / (e^0 + 1) = -0.5
  EXPECT_DOUBLE_EQ(model->weights()[0], 0.01);
  EXPECT_DOUBLE_EQ(model->intercept(), 0.005);
  EXPECT_DOUBLE_EQ(model->predict_positive(Features{{0, 1.0}}), 1.0 / (1.0 + std::exp(-0.015)));
}

TEST(LogisticRegressionTest, OneAdamStepByHand) {
  auto model = LogisticRegression::create({.optimizer = Adam::create({}).value()}).value();
  model->learn_binary(Features{{0, 2.0}}, true);  // gradient -1: Adam's first step is ~lr
  EXPECT_DOUBLE_EQ(model->weights()[0], 0.09999996837723339);
  EXPECT_DOUBLE_EQ(model->intercept(), 0.005);
}

// River 0.12.1 figures on Phishing (StandardScaler | LogisticRegression), from its docstrings.
TEST(LogisticRegressionTest, PhishingMatchesRiver) {
  auto acc = test_support::evaluate_spec(
      "preprocessing.StandardScaler | linear_model.LogisticRegression", kPhishing, "is_phishing");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_EQ(acc->value, 1115.0 / 1250.0);  // 0.8920
  // LogisticRegression docstring: optim.SGD(.1) gives "Accuracy: 88.96%".
  auto sgd = test_support::evaluate_spec(
      "preprocessing.StandardScaler | linear_model.LogisticRegression(optimizer=optim.SGD(0.1))",
      kPhishing, "is_phishing");
  ASSERT_TRUE(sgd.ok()) << sgd.status().to_string();
  EXPECT_EQ(sgd->value, 1112.0 / 1250.0);
}

// The optimizers' docstrings: Adam "F1: 0.86496", AdaGrad "F1: 88.01%".
TEST(LogisticRegressionTest, PhishingWithAdaptiveOptimizersMatchesRiver) {
  auto adam = test_support::evaluate_spec(
      "preprocessing.StandardScaler | linear_model.LogisticRegression(optim.Adam())", kPhishing,
      "is_phishing", {.metric = "F1"});
  ASSERT_TRUE(adam.ok()) << adam.status().to_string();
  EXPECT_NEAR(adam->value, 0.86496, 5e-6);
  auto adagrad = test_support::evaluate_spec(
      "preprocessing.StandardScaler | linear_model.LogisticRegression(optim.AdaGrad())", kPhishing,
      "is_phishing", {.metric = "F1"});
  ASSERT_TRUE(adagrad.ok()) << adagrad.status().to_string();
  EXPECT_NEAR(adagrad->value, 0.8801, 5e-5);
}

// FTRLProximal's docstring says "F1: 87.56%", but that figure comes from a later River whose
// Pipeline no longer updates the scaler in predict_one: replaying that order with rivulet's
// classes gives 0.875568 exactly (and LinearRegression's later "MAE: 0.558735" likewise), so the
// optimizer is River's. With River 0.12.1's Pipeline (rivulet's Model) the figure is 0.876588.
TEST(LogisticRegressionTest, PhishingWithFTRLProximal) {
  auto ftrl = test_support::evaluate_spec(
      "preprocessing.StandardScaler | linear_model.LogisticRegression(optim.FTRLProximal())",
      kPhishing, "is_phishing", {.metric = "F1"});
  ASSERT_TRUE(ftrl.ok()) << ftrl.status().to_string();
  EXPECT_NEAR(ftrl->value, 0.876588, 5e-7);
}

// River 0.12.1 with optim.SGD(0.005) on Electricity (elecNormNew): Accuracy 0.8221.
TEST(LogisticRegressionTest, ElectricityMatchesRiver) {
  auto acc = test_support::evaluate_spec(
      "preprocessing.StandardScaler | linear_model.LogisticRegression(optimizer=optim.SGD(0.005))",
      "electricity/elecNormNew.arff.gz", "class");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_EQ(acc->samples, 45312u);
  EXPECT_NEAR(acc->value, 0.8221, 0.003);
  EXPECT_NEAR(acc->value, 0.822166, 5e-7);  // measured; pins the implementation
}

TEST(LogisticRegressionTest, SaveLoadRoundTrip) {
  LabelEncoder labels;
  const ClassId yes = labels.intern("1");
  const ClassId no = labels.intern("0");
  auto make = [] {
    return LogisticRegression::create({.optimizer = Adam::create({}).value()}).value();
  };
  auto a = make();
  a->attach({nullptr, &labels});
  for (int i = 0; i < 30; ++i) a->learn_one(Features{{0, i % 3 - 1.0}, {1, 0.5}}, i % 2 ? yes : no);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = make();
  b->attach({nullptr, &labels});
  {
    StateReader in(bytes);
    b->load(in);
  }
  a->learn_one(Features{{0, 1.0}, {2, 1.0}}, yes);
  b->learn_one(Features{{0, 1.0}, {2, 1.0}}, yes);
  EXPECT_EQ(b->weights(), a->weights());
  EXPECT_EQ(b->intercept(), a->intercept());
}

TEST(LogisticRegressionTest, RegistryUsesRiversNamesAndDefaults) {
  const auto params = describe_params(*find_entry("linear_model.LogisticRegression"));
  ASSERT_EQ(params.size(), 6u);
  const char* names[] = {"optimizer",      "l2",           "l1",
                         "intercept_init", "intercept_lr", "clip_gradient"};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(params[i].name, names[i]);
}

}  // namespace
}  // namespace rivulet::ml
