#include "rivulet/ml/drift/page_hinkley.h"

#include <gtest/gtest.h>

#include "ml/drift/detector_test_util.h"

namespace rivulet::ml {
namespace {

using drift_testing::events;

TEST(PageHinkleyTest, MatchesRiversDocstring) {
  auto ph = PageHinkley::create({}).value();
  EXPECT_EQ(events(*ph, drift_testing::two_distributions()), std::vector<std::string>{"D1006"});
}

TEST(PageHinkleyTest, ModesWatchTheirDirection) {
  std::vector<double> down(400, 10.0);
  for (size_t i = 200; i < down.size(); ++i) down[i] = 0.0;
  auto up = PageHinkley::create({.mode = PageHinkley::Mode::kUp}).value();
  auto dn = PageHinkley::create({.mode = PageHinkley::Mode::kDown}).value();
  EXPECT_TRUE(events(*up, down).empty());
  EXPECT_EQ(events(*dn, down), std::vector<std::string>{"D205"});
}

TEST(PageHinkleyTest, WaitsForMinInstances) {
  // The jump at index 3 is only tested once min_instances (5) values were seen.
  auto ph = PageHinkley::create({.min_instances = 5, .threshold = 0.5}).value();
  const std::vector<double> xs{0, 0, 0, 100, 100, 100, 100, 100, 100, 100, 100};
  EXPECT_EQ(events(*ph, xs), std::vector<std::string>{"D4"});
}

TEST(PageHinkleyTest, LifecycleResetCloneSaveLoad) {
  drift_testing::expect_lifecycle("drift.PageHinkley", drift_testing::two_distributions());
  drift_testing::expect_lifecycle("PageHinkley(threshold=5, mode='up')", drift_testing::two_distributions());
}

TEST(PageHinkleyTest, RegistryParametersAndValidation) {
  auto made = drift_testing::make("drift.PageHinkley(10, 0.01, 20, 0.99, 'down')");
  ASSERT_NE(made, nullptr);
  const auto& o = static_cast<PageHinkley&>(*made).options();
  EXPECT_EQ(o.min_instances, 10);
  EXPECT_EQ(o.delta, 0.01);
  EXPECT_EQ(o.threshold, 20.0);
  EXPECT_EQ(o.alpha, 0.99);
  EXPECT_EQ(o.mode, PageHinkley::Mode::kDown);
  EXPECT_FALSE(drift_testing::make_status("PageHinkley(mode='sideways')").ok());
  EXPECT_FALSE(drift_testing::make_status("PageHinkley(threshold=0)").ok());
  EXPECT_FALSE(drift_testing::make_status("PageHinkley(alpha=1.5)").ok());
  EXPECT_FALSE(drift_testing::make_status("PageHinkley(min_instances=-1)").ok());
  EXPECT_FALSE(drift_testing::make_status("PageHinkley(delta=-0.1)").ok());
}

}  // namespace
}  // namespace rivulet::ml
