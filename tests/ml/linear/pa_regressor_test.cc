#include "rivulet/ml/linear/pa_regressor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(PARegressorTest, ModesByHand) {
  const Features x{{0, 3.0}, {1, 4.0}};  // |x|^2 = 25
  // River 0.12's loss reads the target as 2y - 1: y = 3 gives |0 - 5| - 0.1 = 4.9.
  auto pa0 = PARegressor::create({.mode = 0}).value();
  pa0->learn_one(x, 3.0);  // tau = 4.9 / 25 = 0.196, direction sign(3 - 0) = +1
  EXPECT_DOUBLE_EQ(pa0->weights()[0], 0.588);
  EXPECT_DOUBLE_EQ(pa0->intercept(), 0.196);

  auto pa1 = PARegressor::create({}).value();  // C = 1: tau = min(1, 0.196)
  pa1->learn_one(x, 3.0);
  EXPECT_DOUBLE_EQ(pa1->weights()[1], 0.784);
  // p = 0.588 * 3 + 0.784 * 4 + 0.196 = 5.096 > y: the direction turns negative, but the loss
  // max(|5.096 - 5| - 0.1, 0) is 0: no step.
  pa1->learn_one(x, 3.0);
  EXPECT_DOUBLE_EQ(pa1->weights()[1], 0.784);

  auto pa2 =
      PARegressor::create({.C = 0.5, .mode = 2, .eps = 0.0, .learn_intercept = false}).value();
  pa2->learn_one(x, 1.0);  // loss |0 - 1| = 1, tau = 1 / 26
  EXPECT_DOUBLE_EQ(pa2->weights()[0], 3.0 / 26.0);
  EXPECT_EQ(pa2->intercept(), 0.0);
}

TEST(PARegressorTest, NoStepWhenThePredictionIsExact) {
  auto pa = PARegressor::create({.eps = 0.0}).value();
  pa->learn_one(Features{{0, 1.0}}, 0.0);  // p = 0 = y: sign 0, although the loss is 1
  EXPECT_EQ(pa->weights()[0], 0.0);
  EXPECT_EQ(pa->intercept(), 0.0);
}

// No published River figure for PARegressor on TrumpApproval: this pins rivulet's own result.
TEST(PARegressorTest, TrumpApprovalMae) {
  auto mae = test_support::evaluate_spec("preprocessing.StandardScaler | linear_model.PARegressor",
                                         "river/trump_approval.csv.gz", "five_thirty_eight");
  ASSERT_TRUE(mae.ok()) << mae.status().to_string();
  EXPECT_NEAR(mae->value, 4.903984, 5e-7);
}

TEST(PARegressorTest, SaveLoadRoundTrip) {
  auto a = PARegressor::create({}).value();
  for (int i = 0; i < 10; ++i) a->learn_one(Features{{0, i - 4.5}, {1, 1.0}}, i * 0.5);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = PARegressor::create({}).value();
  {
    StateReader in(bytes);
    b->load(in);
  }
  EXPECT_EQ(b->weights(), a->weights());
  EXPECT_EQ(b->predict_one(Features{{0, 1.0}}), a->predict_one(Features{{0, 1.0}}));
}

TEST(PARegressorTest, RegistryUsesRiversNamesAndDefaults) {
  const auto* entry = find_entry("linear_model.PARegressor");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kRegressor);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].name, "C");
  EXPECT_EQ(params[1].name, "mode");
  EXPECT_EQ(params[2].name, "eps");
  EXPECT_EQ(params[3].name, "learn_intercept");
  EXPECT_FALSE(PARegressor::create({.eps = -0.1}).ok());
}

}  // namespace
}  // namespace rivulet::ml
