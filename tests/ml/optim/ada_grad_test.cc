#include "rivulet/ml/optim/ada_grad.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// Expected values computed by hand with River 0.12's update (Python floats).
TEST(AdaGradTest, TwoStepsByHand) {
  auto adagrad = AdaGrad::create({}).value();
  std::vector<double> w = {0.0, 0.0};
  adagrad->step(w, Features{{0, 1.0}});  // G = 1: w -= 0.1 / sqrt(1 + 1e-8)
  EXPECT_DOUBLE_EQ(w[0], -0.0999999995);
  adagrad->step(w, Features{{0, -2.0}, {1, 0.5}});  // G_0 = 5, G_1 = 0.25
  EXPECT_DOUBLE_EQ(w[0], -0.010557280489451135);
  EXPECT_DOUBLE_EQ(w[1], -0.09999999800000006);
  EXPECT_EQ(adagrad->g2(), (std::vector<double>{5.0, 0.25}));
  EXPECT_EQ(adagrad->n_iterations(), 2u);
}

TEST(AdaGradTest, SaveLoadRoundTrip) {
  auto a = AdaGrad::create({}).value();
  std::vector<double> wa = {0.0, 0.0, 0.0};
  a->step(wa, Features{{0, 1.0}, {2, -3.0}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = AdaGrad::create({}).value();
  {
    StateReader in(bytes);
    b->load(in);
  }
  EXPECT_EQ(b->g2(), a->g2());
  EXPECT_EQ(b->n_iterations(), 1u);
  std::vector<double> wb = wa;
  a->step(wa, Features{{2, 0.5}});
  b->step(wb, Features{{2, 0.5}});
  EXPECT_EQ(wa, wb);
}

TEST(AdaGradTest, CreateChecksOptions) {
  EXPECT_FALSE(AdaGrad::create({.lr = -1.0}).ok());
  EXPECT_FALSE(AdaGrad::create({.eps = -1e-8}).ok());
}

TEST(AdaGradTest, RegistryUsesRiversNamesAndDefaults) {
  const auto* entry = find_entry("optim.AdaGrad");
  ASSERT_NE(entry, nullptr);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].name, "lr");
  EXPECT_EQ(params[1].name, "eps");
}

}  // namespace
}  // namespace rivulet::ml
