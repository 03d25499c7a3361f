#include "rivulet/core/schema.h"

#include <gtest/gtest.h>

namespace rivulet {
namespace {

Schema payments() {
  return *Schema::create({{"amount", Type::kDouble, false},
                          {"country", Type::kString},
                          {"card_id", Type::kInt},
                          {"is_test", Type::kBool}});
}

TEST(SchemaTest, FieldsInOrder) {
  const Schema s = payments();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_FALSE(s.empty());
  EXPECT_EQ(s.field(0).name, "amount");
  EXPECT_EQ(s.field(0).type, Type::kDouble);
  EXPECT_FALSE(s.field(0).nullable);
  EXPECT_TRUE(s.field(1).nullable);
  EXPECT_EQ(s.fields().back().name, "is_test");
  EXPECT_EQ(s.to_string(),
            "amount double NOT NULL, country string, card_id bigint, is_test boolean");
  EXPECT_TRUE(Schema().empty());
}

TEST(SchemaTest, IndexOfIsExactAndCaseSensitive) {
  const Schema s = payments();
  EXPECT_EQ(s.index_of("amount"), 0u);
  EXPECT_EQ(s.index_of("is_test"), 3u);
  EXPECT_FALSE(s.index_of("Amount").has_value());
  EXPECT_FALSE(s.index_of("").has_value());
}

TEST(SchemaTest, RejectsBadFields) {
  auto dup = Schema::create({{"a", Type::kInt}, {"a", Type::kDouble}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "duplicate field name 'a'");
  auto empty = Schema::create({{"a", Type::kInt}, {"", Type::kInt}});
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "field 2 has an empty name");
  auto null_type = Schema::create({{"a", Type::kNull}});
  ASSERT_FALSE(null_type.ok());
  EXPECT_EQ(null_type.status().message(),
            "field 'a' has type null (valid: boolean, bigint, double, string)");
  Schema s;
  EXPECT_TRUE(s.add({"x", Type::kInt}).ok());
  EXPECT_EQ(s.add({"x", Type::kInt}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.size(), 1u);
}

TEST(SchemaTest, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("amout", "amount"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);          // a transposition is one edit
  EXPECT_EQ(edit_distance("Amount", "amount"), 0u);  // letter case is ignored
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("", ""), 0u);
}

TEST(SchemaTest, SuggestsCloseNames) {
  const Schema s = payments();
  EXPECT_EQ(s.suggest("amout"), (std::vector<std::string_view>{"amount"}));
  EXPECT_EQ(s.suggest("countyr"), (std::vector<std::string_view>{"country"}));
  EXPECT_EQ(s.suggest("AMOUNT"), (std::vector<std::string_view>{"amount"}));
  EXPECT_TRUE(s.suggest("zzz").empty());
  EXPECT_TRUE(s.suggest("amount").empty());  // the name itself is not a suggestion
  const std::vector<std::string_view> names = {"x1", "x2", "x3", "x4", "X"};
  EXPECT_EQ(suggest_names("x", names), (std::vector<std::string_view>{"X"}));  // case only wins
  EXPECT_EQ(suggest_names("x5", names, 2), (std::vector<std::string_view>{"x1", "x2"}));
}

TEST(SchemaTest, UnknownFieldMessages) {
  const Schema s = payments();
  EXPECT_EQ(s.unknown_field_message("amout"), "unknown field 'amout' (did you mean 'amount'?)");
  EXPECT_EQ(s.unknown_field_message("price"),
            "unknown field 'price' (fields: amount, country, card_id, is_test)");
  EXPECT_EQ(Schema().unknown_field_message("x"), "unknown field 'x' (the schema has no fields)");
  EXPECT_EQ(did_you_mean({}), "");
  EXPECT_EQ(did_you_mean({"a"}), " (did you mean 'a'?)");
  EXPECT_EQ(did_you_mean({"a", "b"}), " (did you mean 'a' or 'b'?)");
  EXPECT_EQ(did_you_mean({"a", "b", "c"}), " (did you mean 'a', 'b' or 'c'?)");
}

}  // namespace
}  // namespace rivulet
