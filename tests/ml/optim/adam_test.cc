#include "rivulet/ml/optim/adam.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// Expected values computed by hand with River 0.12's update (Python floats).
TEST(AdamTest, TwoStepsByHand) {
  auto adam = Adam::create({}).value();
  std::vector<double> w = {0.0, 0.0};
  adam->step(w, Features{{0, 1.0}});
  // lr_0 = 0.1 sqrt(1 - 0.999) / (1 - 0.9); m = 0.1, v = 0.001.
  EXPECT_DOUBLE_EQ(w[0], -0.09999996837723339);
  EXPECT_EQ(w[1], 0.0);
  adam->step(w, Features{{0, -2.0}, {1, 0.5}});
  // lr_1 = 0.1 sqrt(1 - 0.999^2) / (1 - 0.9^2): the counter is the optimizer's, not a feature's.
  EXPECT_DOUBLE_EQ(adam->m()[0], -0.10999999999999997);
  EXPECT_DOUBLE_EQ(adam->v()[0], 0.004999000000000004);
  EXPECT_DOUBLE_EQ(w[0], -0.06338962085165192);
  EXPECT_DOUBLE_EQ(w[1], -0.0744136352933829);
  EXPECT_EQ(adam->n_iterations(), 2u);
}

TEST(AdamTest, StateGrowsWithTheWeights) {
  auto adam = Adam::create({}).value();
  std::vector<double> w(3, 0.0);
  adam->step(w, Features{{2, 1.0}});
  EXPECT_EQ(adam->m().size(), 3u);
  w.resize(10, 0.0);
  adam->step(w, Features{{9, 1.0}});
  EXPECT_EQ(adam->v().size(), 10u);
  EXPECT_EQ(adam->m()[0], 0.0);
}

TEST(AdamTest, SaveLoadRoundTrip) {
  auto a = Adam::create({.lr = 0.05}).value();
  std::vector<double> wa = {0.0, 0.0};
  a->step(wa, Features{{0, 1.0}, {1, -3.0}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = Adam::create({.lr = 0.05}).value();
  {
    StateReader in(bytes);
    b->load(in);
  }
  EXPECT_EQ(b->n_iterations(), 1u);
  EXPECT_EQ(b->m(), a->m());
  EXPECT_EQ(b->v(), a->v());
  std::vector<double> wb = wa;
  a->step(wa, Features{{0, 0.5}});
  b->step(wb, Features{{0, 0.5}});
  EXPECT_EQ(wa, wb);
}

TEST(AdamTest, CreateChecksOptions) {
  EXPECT_FALSE(Adam::create({.lr = 0.0}).ok());
  EXPECT_FALSE(Adam::create({.beta_1 = 1.0}).ok());
  EXPECT_FALSE(Adam::create({.beta_2 = -0.1}).ok());
  EXPECT_FALSE(Adam::create({.eps = -1.0}).ok());
}

TEST(AdamTest, RegistryUsesRiversNamesAndDefaults) {
  const auto* entry = find_entry("optim.Adam");
  ASSERT_NE(entry, nullptr);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].name, "lr");
  EXPECT_EQ(params[1].name, "beta_1");
  EXPECT_EQ(params[2].name, "beta_2");
  EXPECT_EQ(params[3].name, "eps");
  auto made = make_optimizer(parse_call("optim.Adam(0.2, beta_1=0.8)").value());
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  EXPECT_EQ((*made)->learning_rate(), 0.2);
}

}  // namespace
}  // namespace rivulet::ml
