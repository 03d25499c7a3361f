#include "rivulet/ml/drift/eddm.h"

#include <gtest/gtest.h>

#include "ml/drift/detector_test_util.h"

namespace rivulet::ml {
namespace {

using drift_testing::events;

TEST(EDDMTest, MatchesRiversDocstring) {
  auto eddm = EDDM::create({.alpha = 0.8, .beta = 0.75}).value();
  EXPECT_EQ(events(*eddm, drift_testing::binary_errors()), (std::vector<std::string>{"W1059", "D1278"}));
}

TEST(EDDMTest, DefaultsMatchRiversCode) {
  // River's EDDM code with its defaults on the docstring stream (many false alarms, which is why
  // the docstring lowers alpha and beta).
  auto eddm = EDDM::create({}).value();
  EXPECT_EQ(events(*eddm, drift_testing::binary_errors()),
            (std::vector<std::string>{"W61", "D103", "W202", "D255", "W319", "D328", "W443", "D618", "D690",
                                      "D745", "W797", "D798", "W850", "D942", "W1004", "D1014", "D1068",
                                      "W1108"}));
}

TEST(EDDMTest, LifecycleResetCloneSaveLoad) {
  drift_testing::expect_lifecycle("drift.EDDM", drift_testing::binary_errors());
  drift_testing::expect_lifecycle("EDDM(alpha=0.8, beta=0.75)", drift_testing::binary_errors());
}

TEST(EDDMTest, RegistryParametersAndValidation) {
  auto made = drift_testing::make("drift.EDDM(20, 0.9, 0.8)");
  ASSERT_NE(made, nullptr);
  const auto& o = static_cast<EDDM&>(*made).options();
  EXPECT_EQ(o.warm_start, 20);
  EXPECT_EQ(o.alpha, 0.9);
  EXPECT_EQ(o.beta, 0.8);
  EXPECT_FALSE(drift_testing::make_status("EDDM(alpha=0.7, beta=0.8)").ok());
  EXPECT_FALSE(drift_testing::make_status("EDDM(warm_start=-3)").ok());
  EXPECT_FALSE(drift_testing::make_status("EDDM(alpha=1.5)").ok());
}

}  // namespace
}  // namespace rivulet::ml
