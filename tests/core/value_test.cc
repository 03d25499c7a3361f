#include "rivulet/core/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>

namespace rivulet {
namespace {

static_assert(std::is_trivially_copyable_v<Value>);
static_assert(sizeof(Value) == 16);

std::string fmt(double d) {
  char buf[32];
  return std::string(buf, format_double(d, buf));
}

TEST(ValueTest, TypeNamesAreFlinkSqlNames) {
  EXPECT_EQ(type_name(Type::kNull), "null");
  EXPECT_EQ(type_name(Type::kBool), "boolean");
  EXPECT_EQ(type_name(Type::kInt), "bigint");
  EXPECT_EQ(type_name(Type::kDouble), "double");
  EXPECT_EQ(type_name(Type::kString), "string");
}

TEST(ValueTest, ParseTypeAcceptsAliasesCaseInsensitively) {
  for (const char* n : {"boolean", "BOOL", "Boolean"}) EXPECT_EQ(parse_type(n), Type::kBool) << n;
  for (const char* n : {"bigint", "INT", "integer", "Long", "smallint", "TINYINT"}) {
    EXPECT_EQ(parse_type(n), Type::kInt) << n;
  }
  for (const char* n : {"double", "FLOAT", "real", "decimal", "numeric"}) {
    EXPECT_EQ(parse_type(n), Type::kDouble) << n;
  }
  for (const char* n : {"string", "VARCHAR", "char", "text"}) {
    EXPECT_EQ(parse_type(n), Type::kString) << n;
  }
  EXPECT_EQ(parse_type("null"), Type::kNull);
  EXPECT_FALSE(parse_type("strin").has_value());
  EXPECT_FALSE(parse_type("").has_value());
  EXPECT_FALSE(parse_type("timestamp").has_value());
}

TEST(ValueTest, ConstructionAndAccessors) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_EQ(Value::null().type(), Type::kNull);
  EXPECT_TRUE(Value::of_bool(true).as_bool());
  EXPECT_FALSE(Value::of_bool(false).as_bool());
  EXPECT_EQ(Value::of_int(-5).as_int(), -5);
  EXPECT_EQ(Value::of_int(-5).to_double(), -5.0);
  EXPECT_EQ(Value::of_double(2.5).as_double(), 2.5);
  EXPECT_EQ(Value::of_double(2.5).to_double(), 2.5);
  EXPECT_EQ(Value::of_string("abc").as_string(), "abc");
  EXPECT_EQ(Value::of_string("").as_string(), "");
  constexpr Value c = Value::of_int(3);  // usable in constant expressions
  static_assert(c.as_int() == 3);
}

TEST(ValueTest, EqualityIsIdentity) {
  EXPECT_EQ(Value(), Value());
  EXPECT_EQ(Value::of_int(1), Value::of_int(1));
  EXPECT_NE(Value::of_int(1), Value::of_int(2));
  EXPECT_NE(Value::of_int(1), Value::of_double(1.0));  // different types
  EXPECT_NE(Value::of_int(1), Value::of_bool(true));
  EXPECT_NE(Value::of_int(0), Value());
  const std::string a = "same", b = "same";
  EXPECT_EQ(Value::of_string(a), Value::of_string(b));  // by content
  EXPECT_NE(Value::of_string("a"), Value::of_string("b"));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(Value::of_double(nan), Value::of_double(nan));
  EXPECT_EQ(Value::of_double(0.0), Value::of_double(-0.0));
}

TEST(ValueTest, FormatsDoublesAsJava) {
  EXPECT_EQ(fmt(1.0), "1.0");
  EXPECT_EQ(fmt(2.5), "2.5");
  EXPECT_EQ(fmt(-2.5), "-2.5");
  EXPECT_EQ(fmt(100.0), "100.0");
  EXPECT_EQ(fmt(0.001), "0.001");
  EXPECT_EQ(fmt(0.00123), "0.00123");
  EXPECT_EQ(fmt(1.0e-4), "1.0E-4");
  EXPECT_EQ(fmt(123456.789), "123456.789");
  EXPECT_EQ(fmt(1234567.0), "1234567.0");
  EXPECT_EQ(fmt(9999999.0), "9999999.0");
  EXPECT_EQ(fmt(1.0e7), "1.0E7");
  EXPECT_EQ(fmt(12345678.9), "1.23456789E7");
  EXPECT_EQ(fmt(1e10), "1.0E10");
  EXPECT_EQ(fmt(-1.5e300), "-1.5E300");
  EXPECT_EQ(fmt(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(fmt(0.0), "0.0");
  EXPECT_EQ(fmt(-0.0), "-0.0");
  EXPECT_EQ(fmt(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(fmt(std::numeric_limits<double>::infinity()), "Infinity");
  EXPECT_EQ(fmt(-std::numeric_limits<double>::infinity()), "-Infinity");
  EXPECT_EQ(fmt(std::numeric_limits<double>::max()), "1.7976931348623157E308");
  EXPECT_EQ(fmt(-std::numeric_limits<double>::lowest()), "1.7976931348623157E308");
}

TEST(ValueTest, ToString) {
  EXPECT_EQ(to_string(Value()), "NULL");
  EXPECT_EQ(to_string(Value::of_bool(true)), "TRUE");
  EXPECT_EQ(to_string(Value::of_bool(false)), "FALSE");
  EXPECT_EQ(to_string(Value::of_int(std::numeric_limits<int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(to_string(Value::of_double(3.0)), "3.0");
  EXPECT_EQ(to_string(Value::of_string("it's")), "it's");
  std::string out = "x=";
  append_to(out, Value::of_int(42));
  EXPECT_EQ(out, "x=42");
  std::ostringstream os;
  os << Value::of_string("FR") << ", " << Value::of_int(1) << ", " << Value();
  EXPECT_EQ(os.str(), "string 'FR', bigint 1, NULL");
}

}  // namespace
}  // namespace rivulet
