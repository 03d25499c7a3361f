#include "rivulet/ml/drift/hddm_w.h"

#include <gtest/gtest.h>

#include "ml/drift/detector_test_util.h"

namespace rivulet::ml {
namespace {

using drift_testing::events;

TEST(HDDM_WTest, MatchesRiversDocstring) {
  auto hddm = HDDM_W::create({}).value();
  EXPECT_EQ(events(*hddm, drift_testing::binary_errors()), (std::vector<std::string>{"W451", "D1077"}));
}

TEST(HDDM_WTest, TwoSidedTestSeesDecreases) {
  std::vector<double> xs;
  for (int i = 0; i < 600; ++i) xs.push_back(i < 300 ? (i % 2) : (i % 10 == 0));  // 50%, then 10%
  auto one = HDDM_W::create({}).value();
  auto two = HDDM_W::create({.two_sided_test = true}).value();
  EXPECT_TRUE(events(*one, xs).empty());
  const auto found = events(*two, xs);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.back()[0], 'D');
}

TEST(HDDM_WTest, LifecycleResetCloneSaveLoad) {
  drift_testing::expect_lifecycle("drift.HDDM_W", drift_testing::binary_errors());
  drift_testing::expect_lifecycle("HDDM_W(lambda_val=0.1, two_sided_test=True)", drift_testing::binary_errors());
}

TEST(HDDM_WTest, RegistryParametersAndValidation) {
  auto made = drift_testing::make("drift.HDDM_W(0.01, 0.05, 0.2, True)");
  ASSERT_NE(made, nullptr);
  const auto& o = static_cast<HDDM_W&>(*made).options();
  EXPECT_EQ(o.drift_confidence, 0.01);
  EXPECT_EQ(o.warning_confidence, 0.05);
  EXPECT_EQ(o.lambda_val, 0.2);
  EXPECT_TRUE(o.two_sided_test);
  EXPECT_FALSE(drift_testing::make_status("HDDM_W(lambda_val=0)").ok());
  EXPECT_FALSE(drift_testing::make_status("HDDM_W(drift_confidence=2)").ok());
}

}  // namespace
}  // namespace rivulet::ml
