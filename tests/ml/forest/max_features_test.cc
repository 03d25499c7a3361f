#include "rivulet/ml/forest/max_features.h"

#include <gtest/gtest.h>

#include "rivulet/ml/spec.h"

namespace rivulet::ml {
namespace {

MaxFeatures parse(const char* text) {
  auto call = parse_call(std::string("f(max_features=") + text + ")");
  EXPECT_TRUE(call.ok());
  auto mf = MaxFeatures::from_spec(call->args[0].value, "max_features");
  EXPECT_TRUE(mf.ok()) << text;
  return mf.ok() ? *mf : MaxFeatures{};
}

TEST(MaxFeaturesTest, ResolvesEachFormAsRiver) {
  // River's _set_max_features on the data sets of the issue: Phishing has 9 attributes,
  // Electricity 8, ImageSegments 18, Bananas 2.
  EXPECT_EQ(MaxFeatures::sqrt().resolve(9), 3u);
  EXPECT_EQ(MaxFeatures::sqrt().resolve(8), 3u);   // round(2.828)
  EXPECT_EQ(MaxFeatures::sqrt().resolve(18), 4u);  // round(4.243)
  EXPECT_EQ(MaxFeatures::sqrt().resolve(2), 1u);   // round(1.414)
  EXPECT_EQ(MaxFeatures::sqrt().resolve(1), 1u);
  EXPECT_EQ(MaxFeatures::log2().resolve(8), 3u);
  EXPECT_EQ(MaxFeatures::log2().resolve(18), 4u);  // round(4.17)
  EXPECT_EQ(MaxFeatures::log2().resolve(1), 1u);   // round(0) = 0, then at least 1
  EXPECT_EQ(MaxFeatures::count(5).resolve(8), 5u);
  EXPECT_EQ(MaxFeatures::count(0).resolve(8), 1u);
  EXPECT_EQ(MaxFeatures::count(-3).resolve(8), 5u);       // 8 - 3
  EXPECT_EQ(MaxFeatures::count(-30).resolve(8), 1u);      // negative even after adding n
  EXPECT_EQ(MaxFeatures::count(30).resolve(8), 8u);       // at most n
  EXPECT_EQ(MaxFeatures::fraction(0.5).resolve(9), 4u);   // int(4.5)
  EXPECT_EQ(MaxFeatures::fraction(0.99).resolve(8), 7u);  // int(7.92)
  EXPECT_EQ(MaxFeatures::fraction(0.01).resolve(8), 1u);  // int(0.08) = 0, then 1
  EXPECT_EQ(MaxFeatures::all().resolve(8), 8u);
  EXPECT_EQ(MaxFeatures::all().resolve(0), 0u);
}

TEST(MaxFeaturesTest, ReadsSpecValuesAsPython) {
  EXPECT_EQ(parse("'sqrt'"), MaxFeatures::sqrt());
  EXPECT_EQ(parse("\"log2\""), MaxFeatures::log2());
  EXPECT_EQ(parse("5"), MaxFeatures::count(5));
  EXPECT_EQ(parse("-2"), MaxFeatures::count(-2));
  EXPECT_EQ(parse("5.0"), MaxFeatures::fraction(5.0));  // a float, as in Python
  EXPECT_EQ(parse("0.5"), MaxFeatures::fraction(0.5));
  EXPECT_EQ(parse("None"), MaxFeatures::all());
  auto call = parse_call("f(max_features='cube')");
  ASSERT_TRUE(call.ok());
  EXPECT_FALSE(MaxFeatures::from_spec(call->args[0].value, "max_features").ok());
  call = parse_call("f(max_features=True)");
  ASSERT_TRUE(call.ok());
  EXPECT_FALSE(MaxFeatures::from_spec(call->args[0].value, "max_features").ok());
  EXPECT_EQ(MaxFeatures::sqrt().to_string(), "'sqrt'");
  EXPECT_EQ(MaxFeatures::count(5).to_string(), "5");
  EXPECT_EQ(MaxFeatures::fraction(1.0).to_string(), "1.0");
  EXPECT_EQ(MaxFeatures::all().to_string(), "None");
}

}  // namespace
}  // namespace rivulet::ml
