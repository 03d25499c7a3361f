#include "rivulet/pipeline/row_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rivulet/core/feature_extractor.h"

namespace rivulet::pipeline {
namespace {

Schema mixed_schema() {
  return Schema::create({{"amount", Type::kDouble},
                         {"country", Type::kString},
                         {"count", Type::kInt},
                         {"label", Type::kString},
                         {"online", Type::kBool}})
      .value();
}

std::vector<std::string> names(const FeatureSpace& space, const Features& x) {
  std::vector<std::string> out;
  for (const auto& f : x) out.push_back(space.name(f.index));
  return out;
}

TEST(RowFeaturesTest, NamesFeaturesAsTheFeatureExtractor) {
  const Schema schema = mixed_schema();
  auto rf = RowFeatures::create(schema, {.exclude = {"label"}}).value();
  FeatureSpace space;
  auto binding = rf.bind(space);
  const Value row[] = {Value::of_double(12.5), Value::of_string("FR"), Value::of_int(3),
                       Value::of_string("fraud"), Value::of_bool(true)};
  Features x;
  rf.extract(row, binding, x);
  EXPECT_EQ(names(space, x), (std::vector<std::string>{"amount", "country=FR", "count", "online"}));
  EXPECT_EQ(x[0].value, 12.5);
  EXPECT_EQ(x[1].value, 1.0);
  EXPECT_EQ(x[2].value, 3.0);
  EXPECT_EQ(x[3].value, 1.0);

  // The same record through `rivulet eval`'s extractor: the same indices in a fresh space.
  FeatureSpace eval_space;
  FeatureExtractor extractor(eval_space);
  extractor.set_columns({"amount", "country", "count", "label", "online"});
  extractor.exclude(3);
  Record record;
  record.add_number(0, 12.5, "12.5");
  record.add_text(1, "FR");
  record.add_number(2, 3, "3");
  record.add_text(3, "fraud");
  record.add_number(4, 1, "true");
  Features y;
  extractor.extract(record, y);
  EXPECT_EQ(x, y);
}

TEST(RowFeaturesTest, NullNanAndInfinityAreAbsent) {
  const Schema schema = mixed_schema();
  auto rf = RowFeatures::create(schema, {.exclude = {"label"}}).value();
  FeatureSpace space;
  auto binding = rf.bind(space);
  const Value row[] = {Value::of_double(std::nan("")), Value(), Value::of_int(-2),
                       Value::of_string("x"),
                       Value::of_double(std::numeric_limits<double>::infinity())};
  Features x;
  rf.extract(row, binding, x);
  ASSERT_EQ(x.size(), 1u);
  EXPECT_EQ(space.name(x[0].index), "count");
  EXPECT_EQ(x[0].value, -2.0);
  EXPECT_EQ(space.size(), 1u);  // nothing interned for absent values
}

TEST(RowFeaturesTest, InternsInFirstSightOrderLikeEval) {
  const Schema schema = mixed_schema();
  auto rf = RowFeatures::create(schema, {.exclude = {"label"}}).value();
  FeatureSpace space;
  auto binding = rf.bind(space);
  Features x;
  const Value first[] = {Value(), Value::of_string("FR"), Value(), Value(), Value()};
  rf.extract(first, binding, x);
  const Value second[] = {Value::of_double(1), Value::of_string("DE"), Value::of_int(1), Value(),
                          Value::of_bool(false)};
  rf.extract(second, binding, x);
  EXPECT_EQ(space.find("country=FR"), 0u);
  EXPECT_EQ(space.find("amount"), 1u);
  EXPECT_EQ(space.find("country=DE"), 2u);
  EXPECT_EQ(space.find("count"), 3u);
  EXPECT_EQ(space.find("online"), 4u);
  EXPECT_EQ(x[3].value, 0.0);  // false is 0
}

TEST(RowFeaturesTest, ExplicitFieldsInTheirOrder) {
  const Schema schema = mixed_schema();
  auto rf = RowFeatures::create(schema, {.fields = {"count", "amount"}}).value();
  EXPECT_EQ(rf.fields(), (std::vector<size_t>{2, 0}));
  EXPECT_EQ(rf.field_names(), (std::vector<std::string>{"count", "amount"}));
  FeatureSpace space;
  auto binding = rf.bind(space);
  const Value row[] = {Value::of_double(2), Value::of_string("FR"), Value::of_int(7), Value(),
                       Value()};
  Features x;
  rf.extract(row, binding, x);
  EXPECT_EQ(names(space, x), (std::vector<std::string>{"count", "amount"}));
}

TEST(RowFeaturesTest, BindsNamesALoadedSpaceKnows) {
  const Schema schema = mixed_schema();
  auto rf = RowFeatures::create(schema, {.fields = {"amount", "count"}}).value();
  FeatureSpace space;
  space.intern("other");
  space.intern("count");
  auto binding = rf.bind(space);
  const Value row[] = {Value::of_double(2), Value(), Value::of_int(7), Value(), Value()};
  Features x;
  rf.extract(row, binding, x);
  EXPECT_EQ(x, (Features{{2, 2.0}, {1, 7.0}}));
}

TEST(RowFeaturesTest, CapturedRowsExtractTheSame) {
  const Schema schema = mixed_schema();
  auto rf = RowFeatures::create(schema, {.exclude = {"label"}}).value();
  std::vector<Value> values;
  std::string text;
  {
    std::string country = "Switzerland, a long name past the small-string buffer";
    const Value row[] = {Value::of_double(1.5), Value::of_string(country), Value(), Value(),
                         Value::of_bool(true)};
    rf.capture(row, values, text);
    country.assign(country.size(), '?');  // the capture owns its strings
  }
  ASSERT_EQ(values.size(), 4u);
  FeatureSpace space;
  auto binding = rf.bind(space);
  Features x;
  rf.extract_captured(values, binding, x);
  EXPECT_EQ(
      names(space, x),
      (std::vector<std::string>{
          "amount", "country=Switzerland, a long name past the small-string buffer", "online"}));
}

TEST(RowFeaturesTest, ErrorsNameTheField) {
  const Schema schema = mixed_schema();
  auto unknown = RowFeatures::create(schema, {.fields = {"amout"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "features: unknown field 'amout' (did you mean 'amount'?)");
  auto twice = RowFeatures::create(schema, {.fields = {"amount", "amount"}});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().message(), "features: 'amount' is listed twice");
  auto none =
      RowFeatures::create(schema, {.exclude = {"amount", "country", "count", "label", "online"}});
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("no feature field left"), std::string::npos);
}

}  // namespace
}  // namespace rivulet::pipeline
