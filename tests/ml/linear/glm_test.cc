#include "rivulet/ml/linear/glm.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/optim/adam.h"

namespace rivulet::ml {
namespace {

auto squared(double y) {
  return [y](double raw) { return squared_loss_gradient(y, raw); };
}

TEST(GlmTest, L2PenaltyJoinsTheGradientOfThePresentFeatures) {
  Glm glm({.l2 = 0.5});
  glm.learn(Features{{0, 1.0}}, squared(5.0));  // g = -10, w_0 = 0.1, b = 0.1
  glm.learn(Features{{0, 2.0}, {1, 1.0}}, squared(0.0));
  // raw = 0.3, g = 0.6: w_0 -= 0.01 (0.6 * 2 + 0.5 * 0.1), w_1 -= 0.01 (0.6 * 1 + 0.5 * 0).
  EXPECT_DOUBLE_EQ(glm.weights()[0], 0.0875);
  EXPECT_DOUBLE_EQ(glm.weights()[1], -0.006);
  EXPECT_DOUBLE_EQ(glm.intercept(), 0.094);
}

TEST(GlmTest, CumulativeL1Penalty) {
  Glm glm({.l1 = 1.0});
  glm.learn(Features{{0, 1.0}}, squared(5.0));
  // SGD gives 0.1; the budget l1 * lr = 0.01 is taken off: 0.09 (cumulated penalty -0.01).
  EXPECT_DOUBLE_EQ(glm.weights()[0], 0.09);
  glm.learn(Features{{0, 1.0}}, squared(5.0));
  // raw = 0.19, g = -9.62: 0.09 + 0.0962 = 0.1862, minus (0.02 - 0.01).
  EXPECT_DOUBLE_EQ(glm.weights()[0], 0.1762);
  EXPECT_DOUBLE_EQ(glm.intercept(), 0.1962);
}

TEST(GlmTest, L1PenaltyNeverFlipsASign) {
  Glm glm({.l1 = 100.0});
  glm.learn(Features{{0, 1.0}}, squared(5.0));
  EXPECT_EQ(glm.weights()[0], 0.0);
}

TEST(GlmTest, L1IsIgnoredWhenL2IsSet) {
  Glm glm({.l2 = 0.5, .l1 = 1.0});
  glm.learn(Features{{0, 1.0}}, squared(5.0));
  EXPECT_DOUBLE_EQ(glm.weights()[0], 0.1);
}

TEST(GlmTest, L1BudgetFollowsTheOptimizersLearningRate) {
  Glm glm({.optimizer = Adam::create({.lr = 0.5}).value(), .l1 = 0.001});
  glm.learn(Features{{0, 1.0}}, squared(5.0));
  // Adam's first step moves by ~lr (0.5 minus a hair for eps), then the budget 0.001 * 0.5.
  EXPECT_NEAR(glm.weights()[0], 0.5 - 0.0005, 1e-6);
}

TEST(GlmTest, ClipGradientBoundsTheLossGradient) {
  Glm glm({.clip_gradient = 1.0});
  glm.learn(Features{{0, 2.0}}, squared(5.0));  // g = -10 clipped to -1
  EXPECT_DOUBLE_EQ(glm.weights()[0], 0.02);
  EXPECT_DOUBLE_EQ(glm.intercept(), 0.01);
}

TEST(GlmTest, ZeroInterceptRateFreezesTheIntercept) {
  Glm glm({.intercept_init = 3.0, .intercept_lr = 0.0});
  glm.learn(Features{{0, 1.0}}, squared(5.0));
  EXPECT_EQ(glm.intercept(), 3.0);
  EXPECT_DOUBLE_EQ(glm.weights()[0], 0.04);  // g = 2 (3 - 5) = -4
}

TEST(GlmTest, NewAndMissingFeaturesAreTolerated) {
  Glm glm({});
  glm.learn(Features{{5, 1.0}}, squared(1.0));
  EXPECT_EQ(glm.weights().size(), 6u);
  EXPECT_EQ(glm.raw_dot(Features{{100, 1.0}}), glm.intercept());
}

TEST(GlmTest, ValidateNamesTheOwner) {
  const Status s = Glm::validate({.l2 = -1.0}, "linear_model.LinearRegression");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("linear_model.LinearRegression: l2"), std::string::npos);
  EXPECT_FALSE(Glm::validate({.l1 = -1.0}, "x").ok());
  EXPECT_FALSE(Glm::validate({.intercept_lr = -0.1}, "x").ok());
  EXPECT_FALSE(Glm::validate({.clip_gradient = 0.0}, "x").ok());
  EXPECT_TRUE(Glm::validate({}, "x").ok());
}

TEST(GlmTest, PassiveAggressiveTau) {
  const Features x{{0, 3.0}, {1, 4.0}};  // |x|^2 = 25
  EXPECT_DOUBLE_EQ(passive_aggressive_tau(0, 1.0, x, 5.0), 0.2);
  EXPECT_DOUBLE_EQ(passive_aggressive_tau(1, 0.1, x, 5.0), 0.1);
  EXPECT_DOUBLE_EQ(passive_aggressive_tau(2, 0.5, x, 5.0), 5.0 / 26.0);
  EXPECT_EQ(passive_aggressive_tau(1, 1.0, Features{}, 5.0), 0.0);
  EXPECT_EQ(passive_aggressive_tau(2, 0.5, Features{}, 5.0), 5.0);
}

TEST(GlmTest, LossGradientsMatchRiver) {
  EXPECT_EQ(squared_loss_gradient(-4.0, 5.0), 18.0);  // River's Squared docstring
  EXPECT_EQ(log_loss_gradient(true, 0.0), -0.5);
  EXPECT_EQ(log_loss_gradient(false, 0.0), 0.5);
  EXPECT_EQ(hinge_loss_gradient(true, 0.2, 1.0), -1.0);  // River's Hinge docstring
  EXPECT_EQ(hinge_loss_gradient(true, 0.0, 0.0), -1.0);  // <= threshold counts
  EXPECT_EQ(hinge_loss_gradient(false, -0.5, 0.0), 0.0);
}

}  // namespace
}  // namespace rivulet::ml
