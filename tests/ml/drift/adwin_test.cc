#include "rivulet/ml/drift/adwin.h"

#include <gtest/gtest.h>

#include "ml/drift/detector_test_util.h"

namespace rivulet::ml {
namespace {

using drift_testing::events;

TEST(ADWINTest, MatchesRiversDocstring) {
  auto adwin = ADWIN::create({}).value();
  EXPECT_EQ(events(*adwin, drift_testing::two_distributions()), std::vector<std::string>{"D1023"});
}

TEST(ADWINTest, WindowStatisticsAsRiver) {
  auto adwin = ADWIN::create({}).value();
  EXPECT_EQ(adwin->estimation(), 0.0);
  for (double x : {1.0, 2.0, 3.0}) adwin->update(x);
  EXPECT_EQ(adwin->width(), 3.0);
  EXPECT_EQ(adwin->total(), 6.0);
  EXPECT_EQ(adwin->estimation(), 2.0);
  EXPECT_EQ(adwin->variance(), 2.0);  // sum of squared deviations, not divided by the width
}

TEST(ADWINTest, DropsTheOldWindowAndStartsOverAfterADrift) {
  auto adwin = ADWIN::create({}).value();
  const auto xs = drift_testing::two_distributions();
  for (size_t i = 0; i <= 1023; ++i) adwin->update(xs[i]);
  ASSERT_TRUE(adwin->drift_detected());
  EXPECT_LT(adwin->width(), 1024.0);
  EXPECT_EQ(adwin->n_detections(), 1);
  adwin->update(xs[1024]);  // River 0.12 resets the detector on the update after a drift
  EXPECT_EQ(adwin->width(), 1.0);
  EXPECT_EQ(adwin->total(), xs[1024]);
}

TEST(ADWINTest, ClockAndGracePeriodGateTheTests) {
  // Only every `clock` updates, and only once the window is longer than grace_period.
  auto adwin = ADWIN::create({.delta = 0.5, .clock = 1, .grace_period = 40}).value();
  int first = -1;
  for (int i = 0; i < 200 && first < 0; ++i) {
    adwin->update(i < 20 ? 0.0 : 100.0);
    if (adwin->drift_detected()) first = i;
  }
  EXPECT_EQ(first, 40);  // the first update with width 41 > grace_period
}

TEST(ADWINTest, LifecycleResetCloneSaveLoad) {
  drift_testing::expect_lifecycle("drift.ADWIN", drift_testing::two_distributions());
  drift_testing::expect_lifecycle("ADWIN(delta=0.2, clock=8, max_buckets=3)", drift_testing::two_distributions());
}

TEST(ADWINTest, RegistryParametersAndValidation) {
  auto made = drift_testing::make("drift.ADWIN(0.01, clock=16, min_window_length=3, grace_period=20)");
  ASSERT_NE(made, nullptr);
  const auto& o = static_cast<ADWIN&>(*made).options();
  EXPECT_EQ(o.delta, 0.01);
  EXPECT_EQ(o.clock, 16);
  EXPECT_EQ(o.max_buckets, 5);
  EXPECT_EQ(o.min_window_length, 3);
  EXPECT_EQ(o.grace_period, 20);
  EXPECT_FALSE(drift_testing::make_status("ADWIN(delta=0)").ok());
  EXPECT_FALSE(drift_testing::make_status("ADWIN(delta=1.5)").ok());
  EXPECT_FALSE(drift_testing::make_status("ADWIN(clock=0)").ok());
  EXPECT_FALSE(drift_testing::make_status("ADWIN(max_buckets=1)").ok());
  EXPECT_FALSE(drift_testing::make_status("ADWIN(min_window_length=0)").ok());
  EXPECT_FALSE(drift_testing::make_status("ADWIN(grace_period=-1)").ok());
  EXPECT_FALSE(drift_testing::make_status("ADWIN(unknown=1)").ok());
}

TEST(ADWINTest, CorruptStateIsRejected) {
  auto adwin = ADWIN::create({}).value();
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    out(1.0, 1.0, 0.0, int64_t{1}, int64_t{0}, false, uint64_t{1}, int32_t{99});  // 99 buckets
  }
  StateReader in(bytes);
  EXPECT_THROW(adwin->load(in), cereal::Exception);
}

}  // namespace
}  // namespace rivulet::ml
