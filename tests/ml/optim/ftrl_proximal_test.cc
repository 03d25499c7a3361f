#include "rivulet/ml/optim/ftrl_proximal.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// Expected values computed by hand with River 0.12's update (Python floats).
TEST(FTRLProximalTest, ThreeStepsByHand) {
  auto ftrl = FTRLProximal::create({}).value();
  std::vector<double> w = {0.0, 0.0};
  ftrl->step(w, Features{{0, 1.0}});  // z was 0: w untouched; z = 1, n = 1
  EXPECT_EQ(w[0], 0.0);
  EXPECT_EQ(ftrl->z()[0], 1.0);
  EXPECT_EQ(ftrl->n()[0], 1.0);
  ftrl->step(w, Features{{0, -2.0}, {1, 0.5}});
  EXPECT_DOUBLE_EQ(w[0], -0.024390243902439025);  // -1 / ((1 + 1) / 0.05 + 1)
  EXPECT_EQ(w[1], 0.0);
  EXPECT_DOUBLE_EQ(ftrl->z()[0], -0.3970400109757123);
  EXPECT_EQ(ftrl->z()[1], 0.5);
  EXPECT_EQ(ftrl->n(), (std::vector<double>{5.0, 0.25}));
  ftrl->step(w, Features{{0, 1.0}, {1, 1.0}});
  EXPECT_DOUBLE_EQ(w[0], 0.006041262896785854);
  EXPECT_DOUBLE_EQ(w[1], -0.016129032258064516);
  EXPECT_DOUBLE_EQ(ftrl->z()[0], 0.5771732491848263);
  EXPECT_DOUBLE_EQ(ftrl->z()[1], 1.6993658028225467);
}

TEST(FTRLProximalTest, L1KeepsWeightsUntilZExceedsIt) {
  auto ftrl = FTRLProximal::create({.l1 = 1.5}).value();
  std::vector<double> w = {0.0};
  ftrl->step(w, Features{{0, 1.0}});
  ftrl->step(w, Features{{0, 1.0}});  // |z| = 1 <= 1.5: w stays
  EXPECT_EQ(w[0], 0.0);
  EXPECT_EQ(ftrl->z()[0], 2.0);
  ftrl->step(w, Features{{0, 0.5}});  // |z| = 2 > 1.5: w = -(2 - 1.5) / ((1 + sqrt(2)) / 0.05 + 1)
  EXPECT_DOUBLE_EQ(w[0], -0.010145224578637747);
  EXPECT_DOUBLE_EQ(ftrl->z()[0], 2.517406453510525);
}

TEST(FTRLProximalTest, SaveLoadRoundTrip) {
  auto a = FTRLProximal::create({}).value();
  std::vector<double> wa = {0.0, 0.0};
  a->step(wa, Features{{0, 1.0}, {1, -3.0}});
  a->step(wa, Features{{0, 1.0}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = FTRLProximal::create({}).value();
  {
    StateReader in(bytes);
    b->load(in);
  }
  EXPECT_EQ(b->z(), a->z());
  EXPECT_EQ(b->n(), a->n());
  EXPECT_EQ(b->n_iterations(), 2u);
  std::vector<double> wb = wa;
  a->step(wa, Features{{1, 0.5}});
  b->step(wb, Features{{1, 0.5}});
  EXPECT_EQ(wa, wb);
}

TEST(FTRLProximalTest, CreateChecksOptions) {
  EXPECT_FALSE(FTRLProximal::create({.alpha = 0.0}).ok());
  EXPECT_FALSE(FTRLProximal::create({.beta = -1.0}).ok());
  EXPECT_FALSE(FTRLProximal::create({.l1 = -1.0}).ok());
  EXPECT_FALSE(FTRLProximal::create({.l2 = -1.0}).ok());
}

TEST(FTRLProximalTest, RegistryUsesRiversNamesAndDefaults) {
  const auto* entry = find_entry("optim.FTRLProximal");
  ASSERT_NE(entry, nullptr);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0].name, "alpha");
  EXPECT_EQ(params[1].name, "beta");
  EXPECT_EQ(params[2].name, "l1");
  EXPECT_EQ(params[3].name, "l2");
}

}  // namespace
}  // namespace rivulet::ml
