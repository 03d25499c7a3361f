#include "rivulet/ml/drift/ddm.h"

#include <gtest/gtest.h>

#include "ml/drift/detector_test_util.h"

namespace rivulet::ml {
namespace {

using drift_testing::events;

TEST(DDMTest, MatchesRiversDocstring) {
  auto ddm = DDM::create({}).value();
  EXPECT_EQ(events(*ddm, drift_testing::binary_errors()), (std::vector<std::string>{"W1084", "D1334", "W1492"}));
}

TEST(DDMTest, NoTestDuringWarmStart) {
  auto ddm = DDM::create({.warm_start = 100}).value();
  std::vector<double> xs(50, 0.0);
  xs.resize(100, 1.0);  // an error rate of 0, then 100%
  EXPECT_TRUE(events(*ddm, xs).empty());
}

TEST(DDMTest, LifecycleResetCloneSaveLoad) {
  drift_testing::expect_lifecycle("drift.DDM", drift_testing::binary_errors());
  drift_testing::expect_lifecycle("DDM(warm_start=50, warning_threshold=1.0, drift_threshold=2.0)",
                                  drift_testing::binary_errors());
}

TEST(DDMTest, RegistryParametersAndValidation) {
  auto made = drift_testing::make("drift.DDM(50, 1.0, 4.0)");
  ASSERT_NE(made, nullptr);
  const auto& o = static_cast<DDM&>(*made).options();
  EXPECT_EQ(o.warm_start, 50);
  EXPECT_EQ(o.warning_threshold, 1.0);
  EXPECT_EQ(o.drift_threshold, 4.0);
  EXPECT_FALSE(drift_testing::make_status("DDM(warm_start=-1)").ok());
  EXPECT_FALSE(drift_testing::make_status("DDM(warning_threshold=0)").ok());
  EXPECT_FALSE(drift_testing::make_status("DDM(warning_threshold=3, drift_threshold=2)").ok());
}

}  // namespace
}  // namespace rivulet::ml
