#include "rivulet/ml/linear/pa_classifier.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(PAClassifierTest, ModesByHand) {
  const Features x{{0, 3.0}, {1, 4.0}};  // |x|^2 = 25; first step: raw 0, hinge loss 1
  auto pa = PAClassifier::create({.mode = 0}).value();
  pa->learn_binary(x, false);  // tau = 1 / 25, step = -0.04
  EXPECT_DOUBLE_EQ(pa->weights()[0], -0.12);
  EXPECT_DOUBLE_EQ(pa->weights()[1], -0.16);
  EXPECT_DOUBLE_EQ(pa->intercept(), -0.04);
  pa->learn_binary(x, false);  // raw = -0.36 - 0.64 - 0.04 = -1.04: loss 0, passive
  EXPECT_DOUBLE_EQ(pa->intercept(), -0.04);

  auto pa1 = PAClassifier::create({.C = 0.01, .mode = 1}).value();
  pa1->learn_binary(x, true);  // tau = min(0.01, 0.04)
  EXPECT_DOUBLE_EQ(pa1->weights()[0], 0.03);
  EXPECT_DOUBLE_EQ(pa1->intercept(), 0.01);

  auto pa2 = PAClassifier::create({.C = 0.5, .mode = 2, .learn_intercept = false}).value();
  pa2->learn_binary(x, true);  // tau = 1 / (25 + 1)
  EXPECT_DOUBLE_EQ(pa2->weights()[1], 4.0 / 26.0);
  EXPECT_EQ(pa2->intercept(), 0.0);
}

// No published River figure for PAClassifier on Phishing: this pins rivulet's own result.
TEST(PAClassifierTest, PhishingAccuracy) {
  auto acc = test_support::evaluate_spec("preprocessing.StandardScaler | linear_model.PAClassifier",
                                         "river/phishing.csv.gz", "is_phishing");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_EQ(acc->value, 1052.0 / 1250.0);
}

TEST(PAClassifierTest, SaveLoadRoundTrip) {
  auto a = PAClassifier::create({}).value();
  for (int i = 0; i < 10; ++i) a->learn_binary(Features{{0, i - 4.5}, {1, 1.0}}, i % 3 == 0);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = PAClassifier::create({}).value();
  {
    StateReader in(bytes);
    b->load(in);
  }
  EXPECT_EQ(b->weights(), a->weights());
  EXPECT_EQ(b->intercept(), a->intercept());
}

TEST(PAClassifierTest, RegistryUsesRiversNamesAndDefaults) {
  const auto params = describe_params(*find_entry("linear_model.PAClassifier"));
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0].name, "C");
  EXPECT_EQ(params[1].name, "mode");
  EXPECT_EQ(params[2].name, "learn_intercept");
  EXPECT_FALSE(PAClassifier::create({.mode = 3}).ok());
  EXPECT_FALSE(PAClassifier::create({.C = 0.0}).ok());
}

}  // namespace
}  // namespace rivulet::ml
