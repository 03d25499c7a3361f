#include "rivulet/ml/drift/hddm_a.h"

#include <gtest/gtest.h>

#include "ml/drift/detector_test_util.h"

namespace rivulet::ml {
namespace {

using drift_testing::events;

TEST(HDDM_ATest, MatchesRiversDocstring) {
  auto hddm = HDDM_A::create({}).value();
  EXPECT_EQ(events(*hddm, drift_testing::binary_errors()), (std::vector<std::string>{"W451", "D1206"}));
}

TEST(HDDM_ATest, TwoSidedTestSeesDecreases) {
  std::vector<double> xs;
  for (int i = 0; i < 600; ++i) xs.push_back(i < 300 ? (i % 2) : (i % 10 == 0));  // 50%, then 10%
  auto one = HDDM_A::create({}).value();
  auto two = HDDM_A::create({.two_sided_test = true}).value();
  EXPECT_TRUE(events(*one, xs).empty());
  const auto found = events(*two, xs);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.back()[0], 'D');
}

TEST(HDDM_ATest, LifecycleResetCloneSaveLoad) {
  drift_testing::expect_lifecycle("drift.HDDM_A", drift_testing::binary_errors());
  drift_testing::expect_lifecycle("HDDM_A(two_sided_test=True)", drift_testing::binary_errors());
}

TEST(HDDM_ATest, RegistryParametersAndValidation) {
  auto made = drift_testing::make("drift.HDDM_A(0.01, 0.05, True)");
  ASSERT_NE(made, nullptr);
  const auto& o = static_cast<HDDM_A&>(*made).options();
  EXPECT_EQ(o.drift_confidence, 0.01);
  EXPECT_EQ(o.warning_confidence, 0.05);
  EXPECT_TRUE(o.two_sided_test);
  EXPECT_FALSE(drift_testing::make_status("HDDM_A(drift_confidence=0)").ok());
  EXPECT_FALSE(drift_testing::make_status("HDDM_A(warning_confidence=1)").ok());
}

}  // namespace
}  // namespace rivulet::ml
