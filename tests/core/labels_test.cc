#include "rivulet/core/labels.h"

#include <gtest/gtest.h>

namespace rivulet {
namespace {

TEST(LabelEncoderTest, PositiveClassFollowsRiverDatasets) {
  LabelEncoder elec;  // Electricity: class == "UP" is True, and UP comes first
  EXPECT_EQ(elec.intern("UP"), 0u);
  EXPECT_EQ(elec.intern("DOWN"), 1u);
  EXPECT_EQ(elec.positive(), 0u);
  EXPECT_EQ(elec.negative(), 1u);

  LabelEncoder bananas;  // -1 / 1: 1 is True even when -1 comes first
  bananas.intern("-1");
  bananas.intern("1");
  EXPECT_EQ(bananas.positive(), 1u);
  EXPECT_EQ(bananas.negative(), 0u);

  LabelEncoder phishing;  // 1 first
  phishing.intern("1");
  phishing.intern("0");
  EXPECT_EQ(phishing.positive(), 0u);
  EXPECT_EQ(phishing.negative(), 1u);

  LabelEncoder displaced;  // a first-seen text label gives way to a label that reads as true
  displaced.intern("maybe");
  EXPECT_EQ(displaced.positive(), 0u);
  displaced.intern("yes");
  EXPECT_EQ(displaced.positive(), 1u);
  EXPECT_EQ(displaced.negative(), 0u);

  LabelEncoder fixed("DOWN");
  fixed.intern("UP");
  fixed.intern("DOWN");
  EXPECT_EQ(fixed.positive(), 1u);
  EXPECT_EQ(fixed.negative(), 0u);
}

TEST(LabelEncoderTest, SerializesRoundTrip) {
  LabelEncoder a;
  a.intern("x");
  a.intern("y");
  std::stringstream ss;
  {
    StateWriter w(ss);
    w(a);
  }
  LabelEncoder b;
  StateReader r(ss);
  r(b);
  EXPECT_EQ(b.size(), 2u);
  EXPECT_EQ(b.name(1), "y");
  EXPECT_EQ(b.positive(), a.positive());
  EXPECT_EQ(b.find("x"), 0u);
}

}  // namespace
}  // namespace rivulet
