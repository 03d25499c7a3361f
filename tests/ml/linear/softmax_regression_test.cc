#include "rivulet/ml/linear/softmax_regression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/ml/optim/adam.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// Expected values computed by hand with River 0.12's SoftmaxRegression (Python floats).
TEST(SoftmaxRegressionTest, ThreeStepsByHand) {
  auto model = SoftmaxRegression::create({}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  const ClassId a = labels.intern("a"), b = labels.intern("b");
  std::vector<double> proba;
  EXPECT_FALSE(model->predict_proba_one(Features{{0, 1.0}}, proba));  // River: {} before learning
  std::vector<double> scratch;
  EXPECT_EQ(model->predict_one(Features{{0, 1.0}}, scratch), std::nullopt);

  model->learn_one(Features{{0, 1.0}, {1, 2.0}}, a);  // a is new: p = 0, clamped to 1e-15
  EXPECT_EQ(model->weights(a), (std::vector<double>{0.00999999999999999, 0.01999999999999998}));
  EXPECT_TRUE(model->weights(b).empty());
  model->learn_one(Features{{0, 1.0}}, b);  // p_a = 1 (alone): both classes step
  EXPECT_EQ(model->weights(a)[0], 0.0);
  EXPECT_EQ(model->weights(b), (std::vector<double>{0.00999999999999999}));
  model->learn_one(Features{{1, 1.0}}, a);
  EXPECT_DOUBLE_EQ(model->weights(a)[1], 0.024950001666599983);
  EXPECT_DOUBLE_EQ(model->weights(b)[1], -0.004950001666600003);
  ASSERT_TRUE(model->predict_proba_one(Features{{0, 1.0}, {1, 1.0}}, proba));
  ASSERT_EQ(proba.size(), 2u);
  EXPECT_DOUBLE_EQ(proba[a], 0.5049748366605731);
  EXPECT_DOUBLE_EQ(proba[b], 0.495025163339427);
  EXPECT_EQ(model->classes(), (std::vector<ClassId>{a, b}));
}

TEST(SoftmaxRegressionTest, UnlearnedClassesGetZeroProbability) {
  auto model = SoftmaxRegression::create({}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  labels.intern("a");
  const ClassId b = labels.intern("b");
  labels.intern("c");
  model->learn_one(Features{{0, 1.0}}, b);
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(Features{{0, 1.0}}, proba));
  EXPECT_EQ(proba, (std::vector<double>{0.0, 1.0, 0.0}));
}

TEST(SoftmaxRegressionTest, EachClassHasItsOwnOptimizer) {
  auto model = SoftmaxRegression::create({.optimizer = Adam::create({}).value()}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  const ClassId a = labels.intern("a"), b = labels.intern("b");
  model->learn_one(Features{{0, 1.0}}, a);
  // a's optimizer took its first step (t = 0): Adam moves by ~lr whatever the gradient's size.
  EXPECT_NEAR(model->weights(a)[0], 0.1, 1e-6);
  model->learn_one(Features{{0, 1.0}}, b);
  // b is new, so its fresh optimizer also takes a first step: ~lr against the gradient 1e-15 - 1.
  EXPECT_NEAR(model->weights(b)[0], 0.1, 1e-6);
}

// River 0.12.1's SoftmaxRegression docstring: ImageSegments, StandardScaler | SoftmaxRegression,
// "MacroF1: 81.88%".
TEST(SoftmaxRegressionTest, ImageSegmentsMatchesRiver) {
  auto f1 =
      test_support::evaluate_spec("preprocessing.StandardScaler | linear_model.SoftmaxRegression",
                                  "river/segment.csv.gz", "category", {.metric = "MacroF1"});
  ASSERT_TRUE(f1.ok()) << f1.status().to_string();
  EXPECT_EQ(f1->samples, 2310u);
  EXPECT_EQ(f1->scored, 2309u);  // nothing to predict from before the first sample
  EXPECT_NEAR(f1->value, 0.8188, 5e-5);
}

TEST(SoftmaxRegressionTest, SaveLoadRoundTrip) {
  LabelEncoder labels;
  const ClassId a = labels.intern("a"), b = labels.intern("b"), c = labels.intern("c");
  auto make = [] {
    return SoftmaxRegression::create({.optimizer = Adam::create({}).value(), .l2 = 0.01}).value();
  };
  auto m1 = make();
  m1->attach({nullptr, &labels});
  for (int i = 0; i < 30; ++i)
    m1->learn_one(Features{{0, i % 5 - 2.0}, {1, 1.0}}, i % 3 == 0 ? c : (i % 2 ? a : b));
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    m1->save(out);
  }
  auto m2 = make();
  m2->attach({nullptr, &labels});
  {
    StateReader in(bytes);
    m2->load(in);
  }
  EXPECT_EQ(m2->classes(), m1->classes());
  m1->learn_one(Features{{0, 1.0}, {3, 1.0}}, a);
  m2->learn_one(Features{{0, 1.0}, {3, 1.0}}, a);
  std::vector<double> p1, p2;
  ASSERT_TRUE(m1->predict_proba_one(Features{{0, 0.5}, {1, 1.0}}, p1));
  ASSERT_TRUE(m2->predict_proba_one(Features{{0, 0.5}, {1, 1.0}}, p2));
  EXPECT_EQ(p1, p2);
  for (ClassId k : {a, b, c}) EXPECT_EQ(m2->weights(k), m1->weights(k));
}

TEST(SoftmaxRegressionTest, RegistryUsesRiversNamesAndDefaults) {
  const auto* entry = find_entry("linear_model.SoftmaxRegression");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kClassifier);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "optimizer");
  EXPECT_EQ(params[1].name, "l2");
  EXPECT_FALSE(SoftmaxRegression::create({.l2 = -1.0}).ok());
}

}  // namespace
}  // namespace rivulet::ml
