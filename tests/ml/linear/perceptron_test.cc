#include "rivulet/ml/linear/perceptron.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(PerceptronTest, StepsOnlyOnMistakesByHand) {
  auto model = Perceptron::create({}).value();
  model->learn_binary(Features{{0, 1.0}, {1, 2.0}}, true);  // raw 0 counts as a mistake
  EXPECT_EQ(model->weights(), (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(model->intercept(), 1.0);
  model->learn_binary(Features{{0, 1.0}}, true);  // raw 2 > 0: right, nothing moves
  EXPECT_EQ(model->weights(), (std::vector<double>{1.0, 2.0}));
  EXPECT_EQ(model->intercept(), 1.0);
  model->learn_binary(Features{{1, 1.0}}, false);  // raw 3 > 0 for a negative: w -= x, b -= 1
  EXPECT_EQ(model->weights(), (std::vector<double>{1.0, 1.0}));
  EXPECT_EQ(model->intercept(), 0.0);
  EXPECT_DOUBLE_EQ(model->predict_positive(Features{{0, 1.0}}), 1.0 / (1.0 + std::exp(-1.0)));
}

TEST(PerceptronTest, L2ByHand) {
  auto model = Perceptron::create({.l2 = 0.5}).value();
  model->learn_binary(Features{{0, 1.0}}, true);   // w = 1, b = 1
  model->learn_binary(Features{{0, 1.0}}, false);  // raw 2: g = 1, grad = 1 + 0.5 * 1
  EXPECT_EQ(model->weights()[0], -0.5);
  EXPECT_EQ(model->intercept(), 0.0);
}

// River 0.12.1's Perceptron docstring: Phishing, StandardScaler | Perceptron, "Accuracy: 85.84%".
TEST(PerceptronTest, PhishingMatchesRiver) {
  auto acc = test_support::evaluate_spec("preprocessing.StandardScaler | linear_model.Perceptron",
                                         "river/phishing.csv.gz", "is_phishing");
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();
  EXPECT_EQ(acc->value, 1073.0 / 1250.0);
}

TEST(PerceptronTest, SaveLoadRoundTrip) {
  auto a = Perceptron::create({}).value();
  for (int i = 0; i < 10; ++i) a->learn_binary(Features{{0, i - 4.5}, {1, 1.0}}, i % 3 == 0);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = Perceptron::create({}).value();
  {
    StateReader in(bytes);
    b->load(in);
  }
  EXPECT_EQ(b->weights(), a->weights());
  EXPECT_EQ(b->intercept(), a->intercept());
}

TEST(PerceptronTest, RegistryUsesRiversNamesAndDefaults) {
  const auto params = describe_params(*find_entry("linear_model.Perceptron"));
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "l2");
  EXPECT_EQ(params[1].name, "clip_gradient");
  EXPECT_FALSE(Perceptron::create({.l2 = -1.0}).ok());
}

}  // namespace
}  // namespace rivulet::ml
