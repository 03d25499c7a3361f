#include "rivulet/ml/drift/kswin.h"

#include <gtest/gtest.h>

#include "ml/drift/detector_test_util.h"

namespace rivulet::ml {
namespace {

using drift_testing::events;

TEST(KSWINTest, MatchesRiversDocstring) {
  // River: drift.KSWIN(alpha=0.0001, seed=42); Python's random.sample is reproduced exactly.
  auto kswin = KSWIN::create({.alpha = 0.0001, .seed = 42}).value();
  EXPECT_EQ(events(*kswin, drift_testing::two_distributions()), std::vector<std::string>{"D1016"});
}

TEST(KSWINTest, DefaultAlphaMatchesRiversCode) {
  // River's KSWIN(seed=42) on the same stream, run with SciPy's exact ks_2samp.
  auto kswin = KSWIN::create({.seed = 42}).value();
  EXPECT_EQ(events(*kswin, drift_testing::two_distributions()), (std::vector<std::string>{"D818", "D1011"}));
}

TEST(KSWINTest, KolmogorovSmirnovMatchesSciPy) {
  // scipy.stats.ks_2samp([1, 2, 3], [4, 5, 6]) -> statistic 1.0, p-value 0.1;
  // ks_2samp([1, 2, 3, 4], [3, 4, 5, 6]) -> 0.5, 0.7714285714285715.
  std::vector<double> a{3, 1, 2}, b{6, 5, 4};
  double statistic = 0, p = 0;
  KSWIN::ks_2samp(a, b, statistic, p);
  EXPECT_EQ(statistic, 1.0);
  EXPECT_NEAR(p, 0.1, 1e-15);
  std::vector<double> c{1, 2, 3, 4}, d{3, 4, 5, 6};
  KSWIN::ks_2samp(c, d, statistic, p);
  EXPECT_EQ(statistic, 0.5);
  EXPECT_NEAR(p, 0.7714285714285715, 1e-15);
  std::vector<double> e{1, 2}, f{1, 2};
  KSWIN::ks_2samp(e, f, statistic, p);
  EXPECT_EQ(statistic, 0.0);
  EXPECT_EQ(p, 1.0);
}

TEST(KSWINTest, LargeWindowsSampleByRejection) {
  // Python draws by rejection of repeats when the old part of the window is large.
  auto kswin = KSWIN::create({.window_size = 1000, .stat_size = 30, .seed = 7}).value();
  const auto xs = drift_testing::two_distributions();
  const auto found = events(*kswin, xs);
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(found.front().substr(0, 3), "D10");  // soon after the change at 1000
}

TEST(KSWINTest, LifecycleResetCloneSaveLoad) {
  drift_testing::expect_lifecycle("drift.KSWIN(seed=3)", drift_testing::two_distributions());
  drift_testing::expect_lifecycle("KSWIN(alpha=0.01, window_size=60, stat_size=20, seed=5)",
                                  drift_testing::two_distributions());
}

TEST(KSWINTest, RegistryParametersAndValidation) {
  auto made = drift_testing::make("drift.KSWIN(0.01, 200, 50, seed=9)");
  ASSERT_NE(made, nullptr);
  const auto& o = static_cast<KSWIN&>(*made).options();
  EXPECT_EQ(o.alpha, 0.01);
  EXPECT_EQ(o.window_size, 200);
  EXPECT_EQ(o.stat_size, 50);
  EXPECT_EQ(o.seed, 9u);
  EXPECT_FALSE(drift_testing::make_status("KSWIN(alpha=2)").ok());
  EXPECT_FALSE(drift_testing::make_status("KSWIN(window_size=50, stat_size=30)").ok());
  EXPECT_FALSE(drift_testing::make_status("KSWIN(stat_size=0)").ok());
}

}  // namespace
}  // namespace rivulet::ml
