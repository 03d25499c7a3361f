#include "rivulet/core/features.h"

#include <gtest/gtest.h>

#include "rivulet/core/feature_extractor.h"

namespace rivulet {
namespace {

TEST(FeatureSpaceTest, InternFindReserveAndNames) {
  FeatureSpace s;
  EXPECT_EQ(s.intern("a"), 0u);
  EXPECT_EQ(s.intern("b"), 1u);
  EXPECT_EQ(s.intern("a"), 0u);
  EXPECT_EQ(s.reserve_block("hash", 4), 2u);
  EXPECT_EQ(s.reserve_block("hash", 4), 2u);
  EXPECT_EQ(s.intern("c"), 6u);
  EXPECT_EQ(s.size(), 7u);
  EXPECT_EQ(s.name(3), "hash[1]");
  EXPECT_EQ(s.name(6), "c");
  EXPECT_EQ(s.find("zzz"), std::nullopt);

  std::stringstream ss;
  {
    StateWriter w(ss);
    w(s);
  }
  FeatureSpace t;
  StateReader r(ss);
  r(t);
  EXPECT_EQ(t.size(), 7u);
  EXPECT_EQ(t.find("c"), 6u);
  EXPECT_EQ(t.name(5), "hash[3]");
  EXPECT_EQ(t.intern("d"), 7u);
}

TEST(Regression, ReserveBlockOfAnotherSizeUnderTheSamePrefixIsANewBlock) {
  // Two FeatureHashers of different n_features in one pipeline used to share the first block,
  // so the larger one indexed past its end into other features.
  FeatureSpace s;
  EXPECT_EQ(s.reserve_block("hash", 4), 0u);
  EXPECT_EQ(s.reserve_block("hash", 8), 4u);
  EXPECT_EQ(s.reserve_block("hash", 8), 4u);
  EXPECT_EQ(s.reserve_block("hash", 4), 0u);
  EXPECT_EQ(s.size(), 12u);
  EXPECT_EQ(s.name(3), "hash[3]");
  EXPECT_EQ(s.name(11), "hash/8[7]");
}

TEST(FeatureExtractorTest, NumbersTextMissingAndNewColumns) {
  FeatureSpace s;
  FeatureExtractor e(s);
  e.set_columns({"x", "color", "y"});
  e.exclude(2);
  Record r;
  r.add_number(0, 2.5, "2.5");
  r.add_text(1, "red");
  r.add_text(2, "label");
  Features f;
  e.extract(r, f);
  EXPECT_EQ(f, (Features{{0, 2.5}, {1, 1.0}}));
  EXPECT_EQ(s.name(1), "color=red");
  r.clear();
  r.add_text(1, "blue");  // x missing: left out
  e.extract(r, f);
  EXPECT_EQ(f, (Features{{2, 1.0}}));
  e.set_columns({"x", "color", "y", "z"});
  r.clear();
  r.add_number(3, 1.0, "1");
  r.add_text(1, "red");
  e.extract(r, f);
  EXPECT_EQ(f, (Features{{3, 1.0}, {1, 1.0}}));
  EXPECT_EQ(s.name(3), "z");
}

}  // namespace
}  // namespace rivulet
