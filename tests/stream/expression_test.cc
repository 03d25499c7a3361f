#include "rivulet/stream/expression.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iomanip>
#include <limits>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "stream/expression_internal.h"
#include "stream/expression_gen.h"

namespace rivulet::stream {
namespace {

Value I(int64_t i) { return Value::of_int(i); }
Value D(double d) { return Value::of_double(d); }
Value S(std::string_view s) { return Value::of_string(s); }
Value B(bool b) { return Value::of_bool(b); }
const Value N = Value::null();

constexpr int64_t kTs = 1700000000000;  // 2023-11-14T22:13:20Z, a Tuesday

Schema test_schema() {
  return *Schema::create({
      {"i", Type::kInt},            // 0: 7
      {"d", Type::kDouble},         // 1: 2.5
      {"s", Type::kString},         // 2: 'Hello'
      {"t", Type::kBool},           // 3: TRUE
      {"f", Type::kBool},           // 4: FALSE
      {"u", Type::kBool},           // 5: NULL
      {"n", Type::kInt},            // 6: NULL
      {"nd", Type::kDouble},        // 7: NULL
      {"ns", Type::kString},        // 8: NULL
      {"ts", Type::kInt, false},    // 9: kTs
      {"amount", Type::kDouble},    // 10: 150.0
      {"country", Type::kString},   // 11: 'FR'
      {"odd name", Type::kString},  // 12: 'x'
      {"user.id", Type::kInt},      // 13: 42
      {"iso", Type::kString},       // 14: '2024-02-29T12:34:56.789Z'
      {"num", Type::kString},       // 15: ' 42 '
      {"zero", Type::kInt},         // 16: 0
      {"neg", Type::kInt},          // 17: -7
      {"big", Type::kInt},          // 18: INT64_MAX
      {"pat", Type::kString},       // 19: 'H%o'
  });
}

std::vector<Value> test_row() {
  return {I(7),
          D(2.5),
          S("Hello"),
          B(true),
          B(false),
          N,
          N,
          N,
          N,
          I(kTs),
          D(150.0),
          S("FR"),
          S("x"),
          I(42),
          S("2024-02-29T12:34:56.789Z"),
          S(" 42 "),
          I(0),
          I(-7),
          I(std::numeric_limits<int64_t>::max()),
          S("H%o")};
}

class ExpressionTest : public ::testing::Test {
 protected:
  // Evaluates `text` on the test row, checking the result against the compiled type and
  // nullability. Fails the test on a compile error.
  Value ev(std::string_view text) {
    auto e = Expression::compile(text, schema_);
    if (!e.ok()) {
      ADD_FAILURE() << text << ": " << e.status().message();
      return N;
    }
    // Strings of the result may point into the expression's constants: keep it alive.
    keep_.push_back(std::make_unique<Expression>(std::move(*e)));
    EvalError error;
    error.row = 99;
    const Value v = keep_.back()->eval(row_.data(), arena_, &error);
    EXPECT_EQ(error.row, 99u) << text << ": unexpected row error " << error.message;
    if (!v.is_null()) {
      EXPECT_EQ(v.type(), keep_.back()->result_type()) << text;
    } else {
      EXPECT_TRUE(keep_.back()->nullable()) << text << " gave NULL but is not nullable";
    }
    return v;
  }
  Type type(std::string_view text) {
    auto e = Expression::compile(text, schema_);
    EXPECT_TRUE(e.ok()) << text << ": " << e.status().message();
    return e.ok() ? e->result_type() : Type::kNull;
  }
  // The compile error message of `text` ("" when it compiles).
  std::string err(std::string_view text, SourcePos origin = {}) {
    auto e = Expression::compile(text, schema_, origin);
    if (e.ok()) return "";
    EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    return e.status().message();
  }
  std::string row_error(std::string_view text) {
    auto e = Expression::compile(text, schema_);
    if (!e.ok()) return "compile error: " + e.status().message();
    EvalError error;
    const Value v = e->eval(row_.data(), arena_, &error);
    EXPECT_TRUE(v.is_null());
    return error.message;
  }
  std::string explain(std::string_view text) {
    auto e = Expression::compile(text, schema_);
    return e.ok() ? e->explain() : "compile error: " + e.status().message();
  }

  Schema schema_ = test_schema();
  std::vector<Value> row_ = test_row();
  Arena arena_;
  std::vector<std::unique_ptr<Expression>> keep_;
};

TEST_F(ExpressionTest, Literals) {
  EXPECT_EQ(ev("42"), I(42));
  EXPECT_EQ(ev("-42"), I(-42));
  EXPECT_EQ(ev("-9223372036854775808"), I(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(ev("9223372036854775807"), I(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(ev("2.5"), D(2.5));
  EXPECT_EQ(ev(".5"), D(0.5));
  EXPECT_EQ(ev("1."), D(1.0));
  EXPECT_EQ(ev("1e3"), D(1000.0));
  EXPECT_EQ(ev("1.5E-2"), D(0.015));
  EXPECT_EQ(ev("2e+2"), D(200.0));
  EXPECT_EQ(ev("1e-400"), D(0.0));
  EXPECT_EQ(ev("'it''s'"), S("it's"));
  EXPECT_EQ(ev("''"), S(""));
  EXPECT_EQ(ev("'héllo'"), S("héllo"));
  EXPECT_EQ(ev("TRUE"), B(true));
  EXPECT_EQ(ev("false"), B(false));
  EXPECT_EQ(ev("NULL"), N);
  EXPECT_EQ(type("NULL"), Type::kNull);
  EXPECT_EQ(type("42"), Type::kInt);
  EXPECT_EQ(type("4.2"), Type::kDouble);
  EXPECT_EQ(ev("  42 -- a comment\n"), I(42));
}

TEST_F(ExpressionTest, FieldReferences) {
  EXPECT_EQ(ev("i"), I(7));
  EXPECT_EQ(ev("s"), S("Hello"));
  EXPECT_EQ(ev("`odd name`"), S("x"));
  EXPECT_EQ(ev("`user.id`"), I(42));
  EXPECT_EQ(ev("user.id"), I(42));
  EXPECT_EQ(ev("`i`"), I(7));
  EXPECT_EQ(ev("n"), N);
  EXPECT_EQ(type("amount"), Type::kDouble);
  auto e = Expression::compile("ts", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->nullable());
  EXPECT_EQ(err("I"), "line 1, column 1: unknown field 'I' (did you mean 'i'?)");
}

TEST_F(ExpressionTest, IntegerArithmetic) {
  EXPECT_EQ(ev("i + 3"), I(10));
  EXPECT_EQ(ev("i - 10"), I(-3));
  EXPECT_EQ(ev("i * 6"), I(42));
  EXPECT_EQ(ev("i / 2"), I(3));     // integer division, as in Flink
  EXPECT_EQ(ev("neg / 2"), I(-3));  // truncates toward zero
  EXPECT_EQ(ev("i % 3"), I(1));
  EXPECT_EQ(ev("neg % 3"), I(-1));  // the sign of the dividend
  EXPECT_EQ(ev("i % -3"), I(1));
  EXPECT_EQ(ev("-i"), I(-7));
  EXPECT_EQ(ev("+i"), I(7));
  EXPECT_EQ(ev("- -i"), I(7));
  EXPECT_EQ(type("i / 2"), Type::kInt);
}

TEST_F(ExpressionTest, DivisionByZeroIsNull) {
  EXPECT_EQ(ev("i / zero"), N);
  EXPECT_EQ(ev("i % zero"), N);
  EXPECT_EQ(ev("d / zero"), N);
  EXPECT_EQ(ev("d / 0.0"), N);
  EXPECT_EQ(ev("d / -0.0"), N);
  EXPECT_EQ(ev("d % 0.0"), N);
  EXPECT_EQ(ev("MOD(i, 0)"), N);
  EXPECT_EQ(ev("1 / 0"), N);  // folded at compile time, same rule
  auto e = Expression::compile("i / 2", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->nullable());
}

TEST_F(ExpressionTest, IntegerOverflowWrapsAround) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(ev("big + 1"), I(kMin));
  EXPECT_EQ(ev("-big - 2"), I(kMax));
  EXPECT_EQ(ev("big * 2"), I(-2));
  EXPECT_EQ(ev("(-big - 1) / -1"), I(kMin));
  EXPECT_EQ(ev("(-big - 1) % -1"), I(0));
  EXPECT_EQ(ev("-(-big - 1)"), I(kMin));
  EXPECT_EQ(ev("ABS(-big - 1)"), I(kMin));
  EXPECT_EQ(ev("9223372036854775807 + 1"), I(kMin));  // folded the same way
}

TEST_F(ExpressionTest, DoubleArithmeticAndPromotion) {
  EXPECT_EQ(ev("d + 1"), D(3.5));
  EXPECT_EQ(ev("i + d"), D(9.5));
  EXPECT_EQ(ev("i / 2.0"), D(3.5));
  EXPECT_EQ(ev("d * 2"), D(5.0));
  EXPECT_EQ(ev("d - 0.5"), D(2.0));
  EXPECT_EQ(ev("d % 1"), D(0.5));
  EXPECT_EQ(ev("-d"), D(-2.5));
  EXPECT_EQ(ev("CAST(i AS double) / 2"), D(3.5));
  EXPECT_EQ(type("i + d"), Type::kDouble);
  EXPECT_EQ(ev("0.1 + 0.2"), D(0.1 + 0.2));
}

TEST_F(ExpressionTest, NanAndInfinityPropagate) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(ev("1e308 * 10"), D(inf));
  EXPECT_EQ(ev("-1e308 * d * 10"), D(-inf));
  EXPECT_EQ(ev("LN(0)"), D(-inf));
  const Value nan = ev("SQRT(-1)");
  ASSERT_EQ(nan.type(), Type::kDouble);
  EXPECT_TRUE(std::isnan(nan.as_double()));
  EXPECT_TRUE(std::isnan(ev("SQRT(-1) + 1").as_double()));
  EXPECT_TRUE(std::isnan(ev("1e308 * 10 - 1e308 * 10").as_double()));
  EXPECT_EQ(ev("SQRT(-1) = SQRT(-1)"), B(false));  // IEEE: NaN equals nothing
  EXPECT_EQ(ev("SQRT(-1) <> SQRT(-1)"), B(true));
  EXPECT_EQ(ev("SQRT(-1) > 1"), B(false));
  EXPECT_EQ(ev("CAST('NaN' AS double) < 0"), B(false));
  EXPECT_EQ(ev("CAST('-Infinity' AS double)"), D(-inf));
}

TEST_F(ExpressionTest, Precedence) {
  EXPECT_EQ(ev("1 + 2 * 3"), I(7));
  EXPECT_EQ(ev("(1 + 2) * 3"), I(9));
  EXPECT_EQ(ev("2 - 3 - 4"), I(-5));  // left to right
  EXPECT_EQ(ev("100 / 10 / 5"), I(2));
  EXPECT_EQ(ev("-2 * 3"), I(-6));
  EXPECT_EQ(ev("7 % 4 * 2"), I(6));
  EXPECT_EQ(ev("'a' || 1 + 2"), S("a3"));  // + binds tighter than ||
  EXPECT_EQ(ev("1 + 1 = 2"), B(true));
  EXPECT_EQ(ev("NOT 1 = 2"), B(true));               // NOT (1 = 2)
  EXPECT_EQ(ev("TRUE OR TRUE AND FALSE"), B(true));  // AND before OR
  EXPECT_EQ(ev("(TRUE OR TRUE) AND FALSE"), B(false));
  EXPECT_EQ(ev("NOT FALSE AND FALSE"), B(false));  // NOT before AND
  EXPECT_EQ(ev("1 = 1 IS TRUE"), B(true));         // (1 = 1) IS TRUE
  EXPECT_EQ(ev("i BETWEEN 1 AND 10 AND t"), B(true));
}

TEST_F(ExpressionTest, Comparisons) {
  EXPECT_EQ(ev("i = 7"), B(true));
  EXPECT_EQ(ev("i == 7"), B(true));
  EXPECT_EQ(ev("i <> 7"), B(false));
  EXPECT_EQ(ev("i != 8"), B(true));
  EXPECT_EQ(ev("i < 8"), B(true));
  EXPECT_EQ(ev("i <= 7"), B(true));
  EXPECT_EQ(ev("i > 7"), B(false));
  EXPECT_EQ(ev("i >= 8"), B(false));
  EXPECT_EQ(ev("d = 2.5"), B(true));
  EXPECT_EQ(ev("d < i"), B(true));
  EXPECT_EQ(ev("i = 7.0"), B(true));
  EXPECT_EQ(ev("amount > 100"), B(true));
  EXPECT_EQ(ev("s = 'Hello'"), B(true));
  EXPECT_EQ(ev("s < 'World'"), B(true));
  EXPECT_EQ(ev("s > 'Hello world'"), B(false));
  EXPECT_EQ(ev("'B' < 'a'"), B(true));  // byte order
  EXPECT_EQ(ev("t = TRUE"), B(true));
  EXPECT_EQ(ev("f < t"), B(true));  // FALSE < TRUE
  EXPECT_EQ(ev("t <> f"), B(true));
  EXPECT_EQ(ev("n = 1"), N);
  EXPECT_EQ(ev("n = n"), N);
  EXPECT_EQ(ev("i = NULL"), N);
  EXPECT_EQ(ev("NULL = NULL"), N);
  EXPECT_EQ(ev("9007199254740993 = 9007199254740992"), B(false));  // bigints compare exactly
}

// SQL's three-valued logic, through constant folding and through fields (the evaluator).
TEST_F(ExpressionTest, ThreeValuedAndOrNot) {
  const char* names[] = {"TRUE", "FALSE", "NULL"};
  const char* fields[] = {"t", "f", "u"};
  const Value values[] = {B(true), B(false), N};
  // and_table[x][y], or_table[x][y] with x, y in {TRUE, FALSE, NULL}.
  const Value and_table[3][3] = {
      {B(true), B(false), N}, {B(false), B(false), B(false)}, {N, B(false), N}};
  const Value or_table[3][3] = {
      {B(true), B(true), B(true)}, {B(true), B(false), N}, {B(true), N, N}};
  for (int x = 0; x < 3; ++x) {
    for (int y = 0; y < 3; ++y) {
      for (const char** src : {names, fields}) {
        const std::string a = src[x], b = src[y];
        EXPECT_EQ(ev(a + " AND " + b), and_table[x][y]) << a << " AND " << b;
        EXPECT_EQ(ev(a + " OR " + b), or_table[x][y]) << a << " OR " << b;
      }
    }
    EXPECT_EQ(ev(std::string("NOT ") + fields[x]),
              values[x].is_null() ? N : B(!values[x].as_bool()));
    EXPECT_EQ(ev(std::string("NOT ") + names[x]),
              values[x].is_null() ? N : B(!values[x].as_bool()));
  }
  // The right operand is only evaluated where it matters: a CAST that would fail is skipped.
  EXPECT_EQ(ev("f AND CAST(s AS bigint) = 1"), B(false));
  EXPECT_EQ(ev("t OR CAST(s AS bigint) = 1"), B(true));
  EXPECT_EQ(row_error("t AND CAST(s AS bigint) = 1"),
            "line 1, column 7: cannot CAST 'Hello' AS bigint; use TRY_CAST to get NULL instead");
}

TEST_F(ExpressionTest, IsTests) {
  struct Case {
    const char* test;
    bool on_true, on_false, on_null;
  };
  const Case cases[] = {
      {"IS NULL", false, false, true},    {"IS NOT NULL", true, true, false},
      {"IS TRUE", true, false, false},    {"IS NOT TRUE", false, true, true},
      {"IS FALSE", false, true, false},   {"IS NOT FALSE", true, false, true},
      {"IS UNKNOWN", false, false, true}, {"IS NOT UNKNOWN", true, true, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ev(std::string("t ") + c.test), B(c.on_true)) << c.test;
    EXPECT_EQ(ev(std::string("f ") + c.test), B(c.on_false)) << c.test;
    EXPECT_EQ(ev(std::string("u ") + c.test), B(c.on_null)) << c.test;
    EXPECT_EQ(ev(std::string("NULL ") + c.test), B(c.on_null)) << c.test;
  }
  EXPECT_EQ(ev("n IS NULL"), B(true));
  EXPECT_EQ(ev("i IS NULL"), B(false));
  EXPECT_EQ(ev("ns IS NOT NULL"), B(false));
  EXPECT_EQ(ev("s IS NOT NULL"), B(true));
  EXPECT_EQ(ev("i / zero IS NULL"), B(true));
  EXPECT_EQ(ev("n IS DISTINCT FROM 1"), B(true));
  EXPECT_EQ(ev("n IS DISTINCT FROM NULL"), B(false));
  EXPECT_EQ(ev("n IS NOT DISTINCT FROM nd"), B(true));
  EXPECT_EQ(ev("i IS NOT DISTINCT FROM 7.0"), B(true));
  EXPECT_EQ(ev("s IS DISTINCT FROM 'Hello'"), B(false));
  auto e = Expression::compile("n IS NULL", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->nullable());
}

TEST_F(ExpressionTest, Between) {
  EXPECT_EQ(ev("i BETWEEN 1 AND 10"), B(true));
  EXPECT_EQ(ev("i BETWEEN 7 AND 7"), B(true));
  EXPECT_EQ(ev("i BETWEEN 8 AND 10"), B(false));
  EXPECT_EQ(ev("i NOT BETWEEN 8 AND 10"), B(true));
  EXPECT_EQ(ev("i BETWEEN 6.5 AND 7.5"), B(true));
  EXPECT_EQ(ev("d BETWEEN 2 AND 3"), B(true));
  EXPECT_EQ(ev("s BETWEEN 'A' AND 'Z'"), B(true));
  EXPECT_EQ(ev("i BETWEEN 10 AND 1"), B(false));  // not symmetric
  EXPECT_EQ(ev("n BETWEEN 1 AND 10"), N);
  EXPECT_EQ(ev("i BETWEEN n AND 10"), N);
  EXPECT_EQ(ev("i BETWEEN n AND 5"), B(false));  // FALSE whatever the low bound
  EXPECT_EQ(ev("i NOT BETWEEN n AND 5"), B(true));
  EXPECT_EQ(ev("i BETWEEN 1 + 1 AND i * 2"), B(true));
}

TEST_F(ExpressionTest, InList) {
  EXPECT_EQ(ev("country IN ('FR', 'DE')"), B(true));
  EXPECT_EQ(ev("country IN ('US', 'DE')"), B(false));
  EXPECT_EQ(ev("country NOT IN ('US', 'DE')"), B(true));
  EXPECT_EQ(ev("i IN (1, 7)"), B(true));
  EXPECT_EQ(ev("i IN (1.5, 7.0)"), B(true));
  EXPECT_EQ(ev("d IN (2, 2.5)"), B(true));
  EXPECT_EQ(ev("i IN (1, NULL)"), N);        // not found, a NULL in the list
  EXPECT_EQ(ev("i IN (7, NULL)"), B(true));  // found
  EXPECT_EQ(ev("i NOT IN (1, NULL)"), N);
  EXPECT_EQ(ev("i NOT IN (7, NULL)"), B(false));
  EXPECT_EQ(ev("n IN (1, 2)"), N);
  EXPECT_EQ(ev("i IN (n, 7)"), B(true));
  EXPECT_EQ(ev("i IN (i - 1, i + 1)"), B(false));
  EXPECT_EQ(ev("t IN (FALSE)"), B(false));
}

TEST_F(ExpressionTest, Like) {
  EXPECT_EQ(ev("s LIKE 'Hello'"), B(true));   // exact
  EXPECT_EQ(ev("s LIKE 'hello'"), B(false));  // case-sensitive
  EXPECT_EQ(ev("s LIKE 'He%'"), B(true));     // prefix
  EXPECT_EQ(ev("s LIKE '%llo'"), B(true));    // suffix
  EXPECT_EQ(ev("s LIKE '%ell%'"), B(true));   // contains
  EXPECT_EQ(ev("s LIKE '%xyz%'"), B(false));
  EXPECT_EQ(ev("s LIKE 'H_llo'"), B(true));  // general
  EXPECT_EQ(ev("s LIKE 'H%l_'"), B(true));
  EXPECT_EQ(ev("s LIKE 'H%x%'"), B(false));
  EXPECT_EQ(ev("s LIKE '%'"), B(true));
  EXPECT_EQ(ev("s LIKE '_____'"), B(true));
  EXPECT_EQ(ev("s LIKE '____'"), B(false));
  EXPECT_EQ(ev("s LIKE '%%l%o'"), B(true));
  EXPECT_EQ(ev("s NOT LIKE 'He%'"), B(false));
  EXPECT_EQ(ev("'héllo' LIKE 'h_llo'"), B(true));  // _ is one character, not one byte
  EXPECT_EQ(ev("'' LIKE '%'"), B(true));
  EXPECT_EQ(ev("'' LIKE '_'"), B(false));
  EXPECT_EQ(ev("'100%' LIKE '100!%' ESCAPE '!'"), B(true));
  EXPECT_EQ(ev("'1000' LIKE '100!%' ESCAPE '!'"), B(false));
  EXPECT_EQ(ev("'a_c' LIKE 'a\\_c' ESCAPE '\\'"), B(true));
  EXPECT_EQ(ev("'abc' LIKE 'a\\_c' ESCAPE '\\'"), B(false));
  EXPECT_EQ(ev("'50% off' LIKE '%!%%' ESCAPE '!'"), B(true));
  EXPECT_EQ(ev("s LIKE pat"), B(true));  // a pattern from a field, matched per row
  EXPECT_EQ(ev("'Hxo' LIKE pat"), B(true));
  EXPECT_EQ(ev("ns LIKE 'a%'"), N);
  EXPECT_EQ(ev("s LIKE ns"), N);
  EXPECT_EQ(ev("'aaa' LIKE '%a%a%a%'"), B(true));
  EXPECT_EQ(ev("'aa' LIKE '%a%a%a%'"), B(false));
}

TEST_F(ExpressionTest, Concatenation) {
  EXPECT_EQ(ev("s || ' world'"), S("Hello world"));
  EXPECT_EQ(ev("'a' || 'b' || 'c'"), S("abc"));
  EXPECT_EQ(ev("s || '-' || i"), S("Hello-7"));
  EXPECT_EQ(ev("'x' || d"), S("x2.5"));
  EXPECT_EQ(ev("'x' || t"), S("xTRUE"));
  EXPECT_EQ(ev("s || ns"), N);
  EXPECT_EQ(ev("s || NULL"), N);
  EXPECT_EQ(ev("CONCAT(s, ', ', country, '!')"), S("Hello, FR!"));
  EXPECT_EQ(ev("CONCAT('n=', i)"), S("n=7"));
  EXPECT_EQ(ev("CONCAT(s, ns)"), N);
  EXPECT_EQ(ev("CONCAT(s)"), S("Hello"));
  EXPECT_EQ(ev("'' || ''"), S(""));
  EXPECT_EQ(explain("s || 'a' || i"), "(|| s 'a' (CAST AS string i))");
}

TEST_F(ExpressionTest, CaseExpressions) {
  EXPECT_EQ(ev("CASE WHEN amount > 1000 THEN 'high' ELSE 'low' END"), S("low"));
  EXPECT_EQ(ev("CASE WHEN amount > 100 THEN 'high' ELSE 'low' END"), S("high"));
  EXPECT_EQ(ev("CASE WHEN i < 5 THEN 'a' WHEN i < 10 THEN 'b' ELSE 'c' END"), S("b"));
  EXPECT_EQ(ev("CASE WHEN i < 5 THEN 'a' END"), N);
  EXPECT_EQ(ev("CASE WHEN u THEN 1 ELSE 2 END"), I(2));      // NULL is not TRUE
  EXPECT_EQ(ev("CASE WHEN t THEN 1 ELSE 2.5 END"), D(1.0));  // branches unify to double
  EXPECT_EQ(type("CASE WHEN t THEN 1 ELSE 2.5 END"), Type::kDouble);
  EXPECT_EQ(ev("CASE WHEN t THEN NULL ELSE 1 END"), N);
  EXPECT_EQ(type("CASE WHEN t THEN NULL ELSE 1 END"), Type::kInt);
  EXPECT_EQ(ev("CASE country WHEN 'DE' THEN 1 WHEN 'FR' THEN 2 ELSE 3 END"), I(2));
  EXPECT_EQ(ev("CASE i WHEN 1 THEN 'one' WHEN 7.0 THEN 'seven' END"), S("seven"));
  EXPECT_EQ(ev("CASE n WHEN 1 THEN 'one' ELSE 'other' END"), S("other"));
  EXPECT_EQ(ev("CASE WHEN t THEN CASE WHEN f THEN 1 ELSE 2 END ELSE 3 END"), I(2));
  // Branches not taken are not evaluated: no CAST error.
  EXPECT_EQ(ev("CASE WHEN s = 'x' THEN CAST(s AS bigint) ELSE 0 END"), I(0));
  EXPECT_EQ(ev("CASE WHEN 1 = 1 THEN 'const' END"), S("const"));
  auto e = Expression::compile("CASE WHEN t THEN 1 ELSE 2 END", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->nullable());
}

TEST_F(ExpressionTest, CastAndTryCast) {
  // to bigint
  EXPECT_EQ(ev("CAST(d AS bigint)"), I(2));
  EXPECT_EQ(ev("CAST(-2.9 AS bigint)"), I(-2));  // truncation toward zero
  EXPECT_EQ(ev("CAST(num AS bigint)"), I(42));   // surrounding spaces allowed
  EXPECT_EQ(ev("CAST('+5' AS INT)"), I(5));
  EXPECT_EQ(ev("CAST(t AS integer)"), I(1));
  EXPECT_EQ(ev("CAST(f AS long)"), I(0));
  EXPECT_EQ(ev("TRY_CAST(s AS bigint)"), N);
  EXPECT_EQ(ev("TRY_CAST('1.5' AS bigint)"), N);
  EXPECT_EQ(ev("TRY_CAST('9223372036854775808' AS bigint)"), N);
  EXPECT_EQ(ev("TRY_CAST(1e19 AS bigint)"), N);
  EXPECT_EQ(ev("TRY_CAST(SQRT(-1) AS bigint)"), N);
  // to double
  EXPECT_EQ(ev("CAST(i AS double)"), D(7.0));
  EXPECT_EQ(ev("CAST('2.5e1' AS double)"), D(25.0));
  EXPECT_EQ(ev("CAST(' -1.5 ' AS float)"), D(-1.5));
  EXPECT_EQ(ev("CAST(t AS double)"), D(1.0));
  EXPECT_EQ(ev("CAST('1' AS DECIMAL(10, 2))"), D(1.0));
  EXPECT_EQ(ev("TRY_CAST('abc' AS double)"), N);
  EXPECT_EQ(ev("CAST(CAST('Infinity' AS double) AS string)"), S("Infinity"));
  // to string
  EXPECT_EQ(ev("CAST(i AS string)"), S("7"));
  EXPECT_EQ(ev("CAST(d AS VARCHAR)"), S("2.5"));
  EXPECT_EQ(ev("CAST(1e10 AS varchar(20))"), S("1.0E10"));
  EXPECT_EQ(ev("CAST(100.0 AS string)"), S("100.0"));
  EXPECT_EQ(ev("CAST(t AS string)"), S("TRUE"));
  EXPECT_EQ(ev("CAST(s AS string)"), S("Hello"));
  // to boolean
  EXPECT_EQ(ev("CAST(i AS boolean)"), B(true));
  EXPECT_EQ(ev("CAST(zero AS bool)"), B(false));
  EXPECT_EQ(ev("CAST(0.0 AS boolean)"), B(false));
  EXPECT_EQ(ev("CAST('yes' AS boolean)"), B(true));
  EXPECT_EQ(ev("CAST(' False ' AS boolean)"), B(false));
  EXPECT_EQ(ev("TRY_CAST('maybe' AS boolean)"), N);
  // NULL stays NULL, typed
  EXPECT_EQ(ev("CAST(n AS string)"), N);
  EXPECT_EQ(ev("CAST(NULL AS bigint)"), N);
  EXPECT_EQ(type("CAST(NULL AS bigint)"), Type::kInt);
  // Nullability: a TRY_CAST that can fail is nullable, a CAST is not (it fails the row).
  auto e = Expression::compile("TRY_CAST(CAST(ts AS string) AS bigint)", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->nullable());
  e = Expression::compile("CAST(ts AS double)", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->nullable());
}

TEST_F(ExpressionTest, FailedCastIsARowErrorWithPosition) {
  EXPECT_EQ(row_error("CAST(s AS bigint)"),
            "line 1, column 1: cannot CAST 'Hello' AS bigint; use TRY_CAST to get NULL instead");
  EXPECT_EQ(row_error("1 + CAST(s AS double)"),
            "line 1, column 5: cannot CAST 'Hello' AS double; use TRY_CAST to get NULL instead");
  EXPECT_EQ(row_error("CAST(s AS boolean)"),
            "line 1, column 1: cannot CAST 'Hello' AS boolean (valid: true, false, t, f, yes, no, "
            "y, n, 1, 0); use TRY_CAST to get NULL instead");
  EXPECT_EQ(row_error("CAST(EXP(amount * 10) AS bigint)"),
            "line 1, column 1: cannot CAST Infinity AS bigint (out of range); use TRY_CAST to get "
            "NULL instead");
  EXPECT_EQ(row_error("CAST(amount * 1e17 AS bigint)"),
            "line 1, column 1: cannot CAST 1.5E19 AS bigint (out of range); use TRY_CAST to get "
            "NULL instead");
  // A constant CAST that always fails is a compile error.
  EXPECT_EQ(err("CAST('abc' AS bigint) > 1"),
            "line 1, column 1: cannot CAST 'abc' AS bigint; use TRY_CAST to get NULL instead");
}

TEST_F(ExpressionTest, NullHandlingFunctions) {
  EXPECT_EQ(ev("COALESCE(n, 3)"), I(3));
  EXPECT_EQ(ev("COALESCE(n, nd, 2.5)"), D(2.5));
  EXPECT_EQ(ev("COALESCE(i, 3)"), I(7));
  EXPECT_EQ(ev("COALESCE(n, NULL)"), N);
  EXPECT_EQ(ev("COALESCE(ns, s)"), S("Hello"));
  EXPECT_EQ(ev("COALESCE(i, CAST(s AS bigint))"), I(7));  // later arguments only when needed
  EXPECT_EQ(type("COALESCE(n, 1.5)"), Type::kDouble);
  EXPECT_EQ(ev("IFNULL(n, 4)"), I(4));
  EXPECT_EQ(ev("IFNULL(i, 4)"), I(7));
  EXPECT_EQ(ev("NULLIF(i, 7)"), N);
  EXPECT_EQ(ev("NULLIF(i, 8)"), I(7));
  EXPECT_EQ(ev("NULLIF(i, 7.0)"), N);
  EXPECT_EQ(ev("NULLIF(n, 7)"), N);
  EXPECT_EQ(ev("NULLIF(i, n)"), I(7));
  EXPECT_EQ(ev("IF(t, 'yes', 'no')"), S("yes"));
  EXPECT_EQ(ev("IF(f, 'yes', 'no')"), S("no"));
  EXPECT_EQ(ev("IF(u, 'yes', 'no')"), S("no"));
  EXPECT_EQ(ev("IF(i > 5, 1, 2.5)"), D(1.0));  // branches unify to double
  auto e = Expression::compile("COALESCE(n, 0)", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->nullable());
}

TEST_F(ExpressionTest, MathFunctions) {
  EXPECT_EQ(ev("ABS(neg)"), I(7));
  EXPECT_EQ(ev("ABS(-2.5)"), D(2.5));
  EXPECT_EQ(ev("ABS(n)"), N);
  EXPECT_EQ(ev("SQRT(16)"), D(4.0));
  EXPECT_EQ(ev("SQRT(2)"), D(std::sqrt(2.0)));
  EXPECT_EQ(ev("LN(1)"), D(0.0));
  EXPECT_EQ(ev("LN(EXP(2))"), D(std::log(std::exp(2.0))));
  EXPECT_EQ(ev("LOG10(1000)"), D(3.0));
  EXPECT_EQ(ev("LOG2(8)"), D(3.0));
  EXPECT_EQ(ev("LOG(8)"), D(std::log(8.0)));  // one argument: natural logarithm
  EXPECT_EQ(ev("LOG(2, 8)"), D(std::log(8.0) / std::log(2.0)));
  EXPECT_EQ(ev("EXP(0)"), D(1.0));
  EXPECT_EQ(ev("EXP(1)"), D(std::exp(1.0)));
  EXPECT_EQ(ev("POWER(2, 10)"), D(1024.0));
  EXPECT_EQ(ev("POW(d, 2)"), D(6.25));
  EXPECT_EQ(ev("POWER(4, 0.5)"), D(2.0));
  EXPECT_EQ(ev("FLOOR(d)"), D(2.0));
  EXPECT_EQ(ev("FLOOR(-2.5)"), D(-3.0));
  EXPECT_EQ(ev("FLOOR(i)"), I(7));
  EXPECT_EQ(ev("CEIL(d)"), D(3.0));
  EXPECT_EQ(ev("CEILING(-2.5)"), D(-2.0));
  EXPECT_EQ(ev("CEIL(i)"), I(7));
  EXPECT_EQ(ev("SIGN(neg)"), I(-1));
  EXPECT_EQ(ev("SIGN(zero)"), I(0));
  EXPECT_EQ(ev("SIGN(i)"), I(1));
  EXPECT_EQ(ev("SIGN(-0.5)"), D(-1.0));
  EXPECT_EQ(ev("SIGN(0.0)"), D(0.0));
  EXPECT_EQ(ev("MOD(i, 3)"), I(1));
  EXPECT_EQ(ev("MOD(neg, 3)"), I(-1));
  EXPECT_EQ(ev("MOD(7.5, 2)"), D(1.5));
  EXPECT_EQ(ev("SIN(0)"), D(0.0));
  EXPECT_EQ(ev("COS(0)"), D(1.0));
  EXPECT_EQ(ev("TAN(0)"), D(0.0));
  EXPECT_EQ(ev("ASIN(1)"), D(std::asin(1.0)));
  EXPECT_EQ(ev("ACOS(1)"), D(0.0));
  EXPECT_EQ(ev("ATAN(1)"), D(std::atan(1.0)));
  EXPECT_EQ(ev("DEGREES(ACOS(-1))"), D(std::acos(-1.0) * (180.0 / std::numbers::pi)));
  EXPECT_EQ(ev("RADIANS(180)"), D(180.0 * (std::numbers::pi / 180.0)));
  EXPECT_EQ(ev("LEAST(3, i, 5)"), I(3));
  EXPECT_EQ(ev("GREATEST(3, i, 5)"), I(7));
  EXPECT_EQ(ev("GREATEST(1, 2.5)"), D(2.5));
  EXPECT_EQ(ev("LEAST(i, 2.5)"), D(2.5));
  EXPECT_EQ(ev("GREATEST('apple', s, 'Zebra')"), S("apple"));
  EXPECT_EQ(ev("GREATEST(i, n)"), N);  // NULL if any argument is NULL, as in Flink
  EXPECT_EQ(ev("LEAST(i)"), I(7));
}

TEST_F(ExpressionTest, Round) {
  EXPECT_EQ(ev("ROUND(2.5)"), D(3.0));  // half away from zero
  EXPECT_EQ(ev("ROUND(-2.5)"), D(-3.0));
  EXPECT_EQ(ev("ROUND(2.4)"), D(2.0));
  EXPECT_EQ(ev("ROUND(1.005, 2)"), D(1.01));  // on the decimal form, as Flink's BigDecimal
  EXPECT_EQ(ev("ROUND(3.14159, 3)"), D(3.142));
  EXPECT_EQ(ev("ROUND(1234.5678, -2)"), D(1200.0));
  EXPECT_EQ(ev("ROUND(0.4)"), D(0.0));
  EXPECT_EQ(ev("ROUND(99.99, 1)"), D(100.0));
  EXPECT_EQ(ev("ROUND(1.5e300, 2)"), D(1.5e300));
  EXPECT_EQ(ev("ROUND(d, i)"), D(2.5));
  EXPECT_EQ(ev("ROUND(i)"), I(7));
  EXPECT_EQ(ev("ROUND(1250, -2)"), I(1300));
  EXPECT_EQ(ev("ROUND(-1250, -2)"), I(-1300));
  EXPECT_EQ(ev("ROUND(1249, -2)"), I(1200));
  EXPECT_EQ(ev("ROUND(i, -30)"), I(0));
  EXPECT_EQ(ev("ROUND(d, n)"), N);
  EXPECT_TRUE(std::isnan(ev("ROUND(SQRT(-1), 2)").as_double()));
}

TEST_F(ExpressionTest, StringFunctions) {
  EXPECT_EQ(ev("LOWER(s)"), S("hello"));
  EXPECT_EQ(ev("UPPER(s)"), S("HELLO"));
  EXPECT_EQ(ev("upper('straße')"), S("STRAßE"));  // ASCII letters only
  EXPECT_EQ(ev("CHAR_LENGTH(s)"), I(5));
  EXPECT_EQ(ev("LENGTH('héllo')"), I(5));  // characters, not bytes
  EXPECT_EQ(ev("CHARACTER_LENGTH('')"), I(0));
  EXPECT_EQ(ev("TRIM('  a b  ')"), S("a b"));
  EXPECT_EQ(ev("LTRIM('  a  ')"), S("a  "));
  EXPECT_EQ(ev("RTRIM('  a  ')"), S("  a"));
  EXPECT_EQ(ev("TRIM(BOTH 'x' FROM 'xxaxx')"), S("a"));
  EXPECT_EQ(ev("TRIM(LEADING 'x' FROM 'xxaxx')"), S("axx"));
  EXPECT_EQ(ev("TRIM(TRAILING 'xy' FROM 'xxayxy')"), S("xxa"));
  EXPECT_EQ(ev("TRIM(LEADING FROM '  a ')"), S("a "));
  EXPECT_EQ(ev("TRIM('-' FROM '--a--')"), S("a"));
  EXPECT_EQ(ev("TRIM('é' FROM 'ééaé')"), S("a"));
  EXPECT_EQ(ev("SUBSTRING(s, 2)"), S("ello"));
  EXPECT_EQ(ev("SUBSTRING(s, 2, 3)"), S("ell"));
  EXPECT_EQ(ev("SUBSTRING(s FROM 2 FOR 3)"), S("ell"));
  EXPECT_EQ(ev("SUBSTRING(s FROM 4)"), S("lo"));
  EXPECT_EQ(ev("SUBSTR(s, 0, 2)"), S("He"));    // position 0 counts as 1, as in Flink
  EXPECT_EQ(ev("SUBSTRING(s, -3)"), S("llo"));  // negative: from the end
  EXPECT_EQ(ev("SUBSTRING(s, -3, 2)"), S("ll"));
  EXPECT_EQ(ev("SUBSTRING(s, 10)"), S(""));
  EXPECT_EQ(ev("SUBSTRING(s, -10)"), S(""));
  EXPECT_EQ(ev("SUBSTRING(s, 2, 100)"), S("ello"));
  EXPECT_EQ(ev("SUBSTRING(s, 2, -1)"), N);  // a negative length gives NULL, as in Flink
  EXPECT_EQ(ev("SUBSTRING('héllo', 2, 2)"), S("él"));
  EXPECT_EQ(ev("SUBSTRING(s, 1, 0)"), S(""));
  EXPECT_EQ(ev("POSITION('ll' IN s)"), I(3));
  EXPECT_EQ(ev("POSITION('z' IN s)"), I(0));
  EXPECT_EQ(ev("POSITION('' IN s)"), I(1));
  EXPECT_EQ(ev("POSITION('l', s)"), I(3));
  EXPECT_EQ(ev("POSITION('l' IN 'héllo')"), I(3));  // characters
  EXPECT_EQ(ev("LOCATE('l', s)"), I(3));
  EXPECT_EQ(ev("LOCATE('l', s, 4)"), I(4));
  EXPECT_EQ(ev("LOCATE('l', s, 5)"), I(0));
  EXPECT_EQ(ev("LOCATE('H', s, -3)"), I(1));
  EXPECT_EQ(ev("LOCATE('l', s, 100)"), I(0));
  EXPECT_EQ(ev("REPLACE(s, 'l', 'L')"), S("HeLLo"));
  EXPECT_EQ(ev("REPLACE(s, 'll', '')"), S("Heo"));
  EXPECT_EQ(ev("REPLACE(s, 'x', 'y')"), S("Hello"));
  EXPECT_EQ(ev("REPLACE(s, '', 'y')"), S("Hello"));
  EXPECT_EQ(ev("REPLACE('aaa', 'a', 'bb')"), S("bbbbbb"));
  EXPECT_EQ(ev("STARTS_WITH(s, 'He')"), B(true));
  EXPECT_EQ(ev("STARTS_WITH(s, 'he')"), B(false));
  EXPECT_EQ(ev("ENDS_WITH(s, 'llo')"), B(true));
  EXPECT_EQ(ev("ENDS_WITH(s, '')"), B(true));
  EXPECT_EQ(ev("UPPER(ns)"), N);
  EXPECT_EQ(ev("SUBSTRING(s, n)"), N);
  EXPECT_EQ(ev("lower(UPPER(s)) || Upper('x')"), S("helloX"));  // names are case-insensitive
}

TEST_F(ExpressionTest, RegularExpressionFunctions) {
  // REGEXP: a match anywhere; an empty pattern matches nothing, as in Flink.
  EXPECT_EQ(ev("REGEXP(s, 'l+')"), B(true));
  EXPECT_EQ(ev("REGEXP(s, '^l')"), B(false));
  EXPECT_EQ(ev("REGEXP(s, 'l+o$')"), B(true));  // the examples of docs/expressions.md
  EXPECT_EQ(ev("SPLIT_INDEX('a,b,,c', ',', 3)"), S("c"));
  EXPECT_EQ(ev("SPLIT_INDEX('a,b,,c', ',', 2)"), S(""));
  EXPECT_EQ(ev("REGEXP(s, '^H.*o$')"), B(true));
  EXPECT_EQ(ev("REGEXP(s, 'x*')"), B(true));  // the empty substring matches
  EXPECT_EQ(ev("REGEXP(s, '')"), B(false));
  EXPECT_EQ(ev("REGEXP('', 'x*')"), B(true));
  EXPECT_EQ(ev("REGEXP('800 439 3207', '.?(\\d{3}).*(\\d{3}).*(\\d{4})')"), B(true));
  EXPECT_EQ(ev("REGEXP(s, pat)"), B(false));  // a pattern from the row: 'H%o'
  EXPECT_EQ(ev("REGEXP(ns, 'a')"), N);
  EXPECT_EQ(ev("REGEXP(s, ns)"), N);
  EXPECT_EQ(ev("REGEXP(s, NULL)"), N);
  // REGEXP_EXTRACT: the group of the first match (default 0, the whole match, as Flink's).
  EXPECT_EQ(ev("REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 2)"), S("bar"));
  EXPECT_EQ(ev("REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 1)"), S("the"));
  EXPECT_EQ(ev("REGEXP_EXTRACT('foothebar', 'foo(.*?)(bar)', 0)"), S("foothebar"));
  EXPECT_EQ(ev("REGEXP_EXTRACT('foothebar', 'o+')"), S("oo"));
  EXPECT_EQ(ev("REGEXP_EXTRACT(s, 'z(.)')"), N);          // no match
  EXPECT_EQ(ev("REGEXP_EXTRACT('ac', 'a(b)?c', 1)"), N);  // the group took no part
  EXPECT_EQ(ev("REGEXP_EXTRACT('abc', 'a(b)?c', 1)"), S("b"));
  EXPECT_EQ(ev("REGEXP_EXTRACT('ac', 'a(b*)c', 1)"), S(""));  // it matched the empty string
  EXPECT_EQ(ev("REGEXP_EXTRACT('', '(x*)', 1)"), S(""));
  EXPECT_EQ(ev("REGEXP_EXTRACT(s, '(l)', i)"), N);  // a group beyond the pattern's: NULL
  EXPECT_EQ(ev("REGEXP_EXTRACT(s, '(l)', neg)"), N);
  EXPECT_EQ(ev("REGEXP_EXTRACT(s, '(l)', n)"), N);
  EXPECT_EQ(ev("REGEXP_EXTRACT(ns, '(l)', 1)"), N);
  EXPECT_EQ(ev("REGEXP_EXTRACT(s, '(l)', NULL)"), N);
  EXPECT_EQ(ev("REGEXP_EXTRACT(s, NULL)"), N);
  EXPECT_EQ(ev("REGEXP_EXTRACT(s, CAST(NULL AS string), 1)"), N);
  EXPECT_EQ(ev("SPLIT_INDEX(s, NULL, 0)"), N);
  EXPECT_EQ(ev("REGEXP_EXTRACT('héllo wörld', '(\\w+) w(.)', 2)"), S("ö"));
  // Nexmark q21's pattern.
  const auto q21_on = [&](const char* url) {
    return ev(std::string("REGEXP_EXTRACT('") + url + "', '(&|^)channel_id=([^&]*)', 2)");
  };
  EXPECT_EQ(q21_on("https://x/item.htm?query=1&channel_id=-1230004224"), S("-1230004224"));
  EXPECT_EQ(q21_on("channel_id=7&b=2"), S("7"));
  EXPECT_EQ(q21_on("https://x/item.htm?query=1&xchannel_id=5"), N);
  EXPECT_EQ(q21_on("https://x/item.htm?query=1&channel_id="), S(""));
  // REGEXP_REPLACE: every match, the replacement taken literally (Java's quoteReplacement).
  EXPECT_EQ(ev("REGEXP_REPLACE('foobar', 'oo|ar', '')"), S("fb"));
  EXPECT_EQ(ev("REGEXP_REPLACE(s, 'l', 'L')"), S("HeLLo"));
  EXPECT_EQ(ev("REGEXP_REPLACE(s, '[aeiou]', '$1\\0')"), S("H$1\\0ll$1\\0"));
  EXPECT_EQ(ev("REGEXP_REPLACE(s, 'z', 'y')"), S("Hello"));
  EXPECT_EQ(ev("REGEXP_REPLACE('abc', 'x*', '-')"), S("-a-b-c-"));
  EXPECT_EQ(ev("REGEXP_REPLACE('abc', 'b*', '-')"), S("-a--c-"));  // as Java's replaceAll
  EXPECT_EQ(ev("REGEXP_REPLACE('abc', '', '-')"), S("-a-b-c-"));
  EXPECT_EQ(ev("REGEXP_REPLACE('héé', '', '.')"), S(".h.é.é."));  // characters, not bytes
  EXPECT_EQ(ev("REGEXP_REPLACE('', 'x*', '-')"), S("-"));
  EXPECT_EQ(ev("REGEXP_REPLACE('aaa', '^a', 'b')"), S("baa"));  // ^ only at the start
  EXPECT_EQ(ev("REGEXP_REPLACE('a1b22c333', '[0-9]+', '#')"), S("a#b#c#"));
  EXPECT_EQ(ev("REGEXP_REPLACE(s, 'l', '')"), S("Heo"));
  EXPECT_EQ(ev("REGEXP_REPLACE(s, pat, 'x')"), S("Hello"));
  EXPECT_EQ(ev("REGEXP_REPLACE(s, 'l', ns)"), N);
  EXPECT_EQ(ev("REGEXP_REPLACE(ns, 'l', 'x')"), N);
  // SPLIT_INDEX: 0-based fields between whole delimiters, empty ones kept.
  EXPECT_EQ(ev("SPLIT_INDEX('https://www.nexmark.com/kg_/fpwc/atq/item.htm', '/', 0)"),
            S("https:"));
  EXPECT_EQ(ev("SPLIT_INDEX('https://www.nexmark.com/kg_/fpwc/atq/item.htm', '/', 1)"), S(""));
  EXPECT_EQ(ev("SPLIT_INDEX('https://www.nexmark.com/kg_/fpwc/atq/item.htm', '/', 3)"), S("kg_"));
  EXPECT_EQ(ev("SPLIT_INDEX('https://www.nexmark.com/kg_/fpwc/atq/item.htm', '/', 6)"),
            S("item.htm"));
  EXPECT_EQ(ev("SPLIT_INDEX('https://www.nexmark.com/kg_/fpwc/atq/item.htm', '/', 7)"), N);
  EXPECT_EQ(ev("SPLIT_INDEX('a,b,', ',', 2)"), S(""));
  EXPECT_EQ(ev("SPLIT_INDEX(',', ',', 0)"), S(""));
  EXPECT_EQ(ev("SPLIT_INDEX(',', ',', 1)"), S(""));
  EXPECT_EQ(ev("SPLIT_INDEX(',', ',', 2)"), N);
  EXPECT_EQ(ev("SPLIT_INDEX('a::b:c', '::', 1)"), S("b:c"));
  EXPECT_EQ(ev("SPLIT_INDEX('aaa', 'aa', 1)"), S("a"));
  EXPECT_EQ(ev("SPLIT_INDEX(s, ',', 0)"), S("Hello"));
  EXPECT_EQ(ev("SPLIT_INDEX(s, ',', 1)"), N);
  EXPECT_EQ(ev("SPLIT_INDEX('', ',', 0)"), N);  // an empty string has no field
  EXPECT_EQ(ev("SPLIT_INDEX(s, ',', -1)"), N);
  EXPECT_EQ(ev("SPLIT_INDEX('a b\tc', '', 2)"), S("c"));  // empty delimiter: whitespace
  EXPECT_EQ(ev("SPLIT_INDEX('a  b', '', 1)"), S(""));
  EXPECT_EQ(ev("SPLIT_INDEX('a\u3000b\u00a0c', '', 1)"), S("b\u00a0c"));
  EXPECT_EQ(ev("SPLIT_INDEX('é,ü', ',', 1)"), S("ü"));
  EXPECT_EQ(ev("SPLIT_INDEX(ns, ',', 0)"), N);
  EXPECT_EQ(ev("SPLIT_INDEX(s, ns, 0)"), N);
  EXPECT_EQ(ev("SPLIT_INDEX(s, ',', n)"), N);
  // Names are case-insensitive; constant calls fold.
  EXPECT_EQ(explain("regexp_extract('ab', 'a(b)', 1)"), "'b'");
  EXPECT_EQ(explain("REGEXP(s, 'l')"), "(REGEXP s 'l')");
  EXPECT_EQ(type("REGEXP(s, 'l')"), Type::kBool);
  EXPECT_EQ(type("SPLIT_INDEX(s, ',', 0)"), Type::kString);
}

TEST_F(ExpressionTest, RegularExpressionErrors) {
  EXPECT_EQ(err("REGEXP(s, 'a(b')"),
            "line 1, column 11: invalid regular expression 'a(b' in REGEXP: missing ): a(b");
  EXPECT_EQ(err("REGEXP_REPLACE(s, '*', 'x')"),
            "line 1, column 19: invalid regular expression '*' in REGEXP_REPLACE: no argument "
            "for repetition operator: *");
  EXPECT_EQ(err("REGEXP_EXTRACT(s, 'a(?=b)')"),
            "line 1, column 19: invalid regular expression 'a(?=b)' in REGEXP_EXTRACT: invalid "
            "perl operator: (?= (patterns are RE2's: Java's syntax without lookaround or "
            "backreferences)");
  EXPECT_EQ(err("REGEXP_EXTRACT(s, '(a)(b)', 3)"),
            "line 1, column 29: REGEXP_EXTRACT group 3 does not exist: the pattern has 2 groups "
            "(0 is the whole match)");
  EXPECT_EQ(err("REGEXP_EXTRACT(s, 'ab', -1)"),
            "line 1, column 25: REGEXP_EXTRACT group -1 does not exist: the pattern has 0 "
            "groups (0 is the whole match)");
  EXPECT_NE(err("REGEXP_EXTRACT(s, 'a', 'b')").find("REGEXP_EXTRACT"), std::string::npos);
  EXPECT_NE(err("REGEXP(s, 1)").find("REGEXP"), std::string::npos);
  EXPECT_NE(err("SPLIT_INDEX(s, ',', 1.5)").find("SPLIT_INDEX"), std::string::npos);
  EXPECT_EQ(err("SPLIT_INDEX(s, ',')"),
            "line 1, column 1: function SPLIT_INDEX takes 3 arguments, got 2");
  EXPECT_EQ(err("REGEXP_EXTRACT(s)"),
            "line 1, column 1: function REGEXP_EXTRACT takes 2 to 3 arguments, got 1");
}

// Patterns that come from the rows: compiled per run of equal patterns; one that is not a
// regular expression makes REGEXP FALSE and the others NULL, as Flink's.
TEST(ExpressionRegexTest, PatternsFromTheRows) {
  auto schema = std::make_shared<const Schema>(
      *Schema::create({{"text", Type::kString}, {"pattern", Type::kString}}));
  Batch batch(schema);
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"abc", "b"}, {"abc", "b"}, {"abc", "(c)"}, {"abc", "("},  {"abc", "("},
      {"xyz", "b"}, {"", ""},     {"abc", "x*"},  {"abc", "^a"}, {"cab", "^a"}};
  for (size_t r = 0; r < 600; ++r) {  // several chunks
    const auto& [text, pattern] = rows[r % rows.size()];
    const size_t row = batch.add_row(0);
    batch.set_string(row, 0, text);
    batch.set_string(row, 1, pattern);
  }
  const auto run = [&](const char* text) {
    auto e = Expression::compile(text, *schema);
    EXPECT_TRUE(e.ok()) << e.status().message();
    std::vector<Value> out(batch.size());
    Arena arena;
    e->eval_batch(batch, out, arena, nullptr);
    std::vector<std::string> shown;
    for (size_t r = 0; r < batch.size(); ++r) {
      const std::string v = out[r].is_null()               ? "NULL"
                            : out[r].type() == Type::kBool ? (out[r].as_bool() ? "T" : "F")
                                                           : std::string(out[r].as_string());
      if (r < rows.size()) {
        shown.push_back(v);
      } else {
        EXPECT_EQ(v, shown[r % rows.size()]) << text << " row " << r;
      }
    }
    return shown;
  };
  EXPECT_EQ(run("REGEXP(text, pattern)"),
            (std::vector<std::string>{"T", "T", "T", "F", "F", "F", "F", "T", "T", "F"}));
  EXPECT_EQ(run("REGEXP_EXTRACT(text, pattern)"),
            (std::vector<std::string>{"b", "b", "c", "NULL", "NULL", "NULL", "", "", "a", "NULL"}));
  EXPECT_EQ(run("REGEXP_REPLACE(text, pattern, '.')"),
            (std::vector<std::string>{"a.c", "a.c", "ab.", "NULL", "NULL", "xyz", ".", ".a.b.c.",
                                      ".bc", "cab"}));
}

TEST_F(ExpressionTest, TimeFunctions) {
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-02-29T12:34:56.789Z')"), I(1709210096789));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-01-01')"), I(1704067200000));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2000-02-29 00:00:00')"), I(951782400000));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-03-10T08:00:00+02:00')"), I(1710050400000));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-03-10T08:00:00+0200')"), I(1710050400000));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-03-10T06:00')"), I(1710050400000));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('1969-12-31T23:59:59.999Z')"), I(-1));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-02-29T12:34:56.789123456Z')"), I(1709210096789));
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2023-02-29')"), N);  // not a leap year
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-13-01')"), N);
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-01-01T24:00:00')"), N);
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('yesterday')"), N);
  EXPECT_EQ(ev("TO_TIMESTAMP_MS('2024-01-01T00:00:00Zjunk')"), N);
  EXPECT_EQ(ev("TO_TIMESTAMP_MS(ts)"), I(kTs));
  EXPECT_EQ(ev("YEAR(ts)"), I(2023));
  EXPECT_EQ(ev("QUARTER(ts)"), I(4));
  EXPECT_EQ(ev("MONTH(ts)"), I(11));
  EXPECT_EQ(ev("DAYOFMONTH(ts)"), I(14));
  EXPECT_EQ(ev("DAYOFWEEK(ts)"), I(3));  // Tuesday; 1 = Sunday as in Flink
  EXPECT_EQ(ev("DAYOFYEAR(ts)"), I(318));
  EXPECT_EQ(ev("HOUR(ts)"), I(22));
  EXPECT_EQ(ev("MINUTE(ts)"), I(13));
  EXPECT_EQ(ev("SECOND(ts)"), I(20));
  EXPECT_EQ(ev("MILLISECOND(ts + 5)"), I(5));
  EXPECT_EQ(ev("HOUR(iso)"), I(12));  // ISO-8601 strings are accepted
  EXPECT_EQ(ev("MONTH(iso)"), I(2));
  EXPECT_EQ(ev("DAYOFMONTH(iso)"), I(29));
  EXPECT_EQ(ev("HOUR(s)"), N);           // not a timestamp
  EXPECT_EQ(ev("DAYOFWEEK(-1)"), I(4));  // 1969-12-31, a Wednesday
  EXPECT_EQ(ev("YEAR(-1)"), I(1969));
  EXPECT_EQ(ev("EXTRACT(HOUR FROM ts)"), I(22));
  EXPECT_EQ(ev("EXTRACT(DOW FROM ts)"), I(3));
  EXPECT_EQ(ev("EXTRACT(day FROM iso)"), I(29));
  EXPECT_EQ(ev("DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')"), S("2023-11-14 22:13:20"));
  EXPECT_EQ(ev("DATE_FORMAT(iso, 'yyyy-MM-dd''T''HH:mm:ss.SSS')"), S("2024-02-29T12:34:56.789"));
  EXPECT_EQ(ev("DATE_FORMAT(ts, 'EEE, d MMM yy h:mm a')"), S("Tue, 14 Nov 23 10:13 PM"));
  EXPECT_EQ(ev("DATE_FORMAT(ts, 'EEEE MMMM D')"), S("Tuesday November 318"));
  EXPECT_EQ(ev("DATE_FORMAT(ts, 'HH:mm:ssX')"), S("22:13:20Z"));
  EXPECT_EQ(ev("DATE_FORMAT(ts, 'HH:mm Z')"), S("22:13 +0000"));
  EXPECT_EQ(ev("DATE_FORMAT(0, 'yyyy-MM-dd')"), S("1970-01-01"));
  EXPECT_EQ(ev("DATE_FORMAT(ts, s)"), N);  // 'Hello': 'l' is not a pattern letter
  EXPECT_EQ(ev("DATE_FORMAT(n, 'yyyy')"), N);
}

TEST_F(ExpressionTest, ConstantFoldingAndExplain) {
  EXPECT_EQ(explain("1 + 2 * 3"), "7");
  EXPECT_EQ(explain("amount > 100"), "(> amount 100.0)");
  EXPECT_EQ(explain("i + d"), "(+ (double i) d)");
  EXPECT_EQ(explain("i BETWEEN 1 AND 10"), "(BETWEEN i 1 10)");
  EXPECT_EQ(explain("country IN ('FR', 'DE')"), "(IN country 'FR' 'DE')");
  EXPECT_EQ(explain("amount > 100 AND country IN ('FR','DE') AND NOT t"),
            "(AND (AND (> amount 100.0) (IN country 'FR' 'DE')) (NOT t))");
  EXPECT_EQ(explain("`odd name` = 'it''s'"), "(= `odd name` 'it''s')");
  EXPECT_EQ(explain("UPPER('abc') || LOWER(s)"), "(|| 'ABC' (LOWER s))");
  EXPECT_EQ(explain("IF(t, 1, 2)"), "(CASE t 1 2)");
  EXPECT_EQ(explain("CASE i WHEN 1 THEN 'a' END"), "(CASE (= i 1) 'a')");
  EXPECT_EQ(explain("ABS(n) + NULL"), "NULL");
  auto e = Expression::compile("1 + 2", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(e->is_constant());
  EXPECT_FALSE(e->nullable());
  EXPECT_EQ(e->text(), "1 + 2");
  e = Expression::compile("amount > 100 AND country IN ('FR','DE') OR i = n", schema_);
  ASSERT_TRUE(e.ok());
  EXPECT_FALSE(e->is_constant());
  EXPECT_EQ(e->fields_used(), (std::vector<size_t>{0, 6, 10, 11}));
  EXPECT_EQ(e->n_fields(), schema_.size());
}

TEST_F(ExpressionTest, TypeErrors) {
  EXPECT_EQ(err("'a' + 1"),
            "line 1, column 5: operator '+' expects numbers, got string and bigint (use || or "
            "CONCAT to join strings)");
  EXPECT_EQ(err("s * 2"),
            "line 1, column 3: operator '*' expects numbers, got string and bigint (CAST the "
            "string AS double)");
  EXPECT_EQ(err("t + 1"),
            "line 1, column 3: operator '+' expects numbers, got boolean and bigint (CAST the "
            "boolean AS bigint)");
  EXPECT_EQ(err("s = 1"),
            "line 1, column 3: cannot compare string with bigint in '=' (CAST one side, e.g. "
            "CAST(x AS bigint))");
  EXPECT_EQ(err("i > 'a'"),
            "line 1, column 3: cannot compare bigint with string in '>' (CAST one side, e.g. "
            "CAST(x AS bigint))");
  EXPECT_EQ(err("i AND t"),
            "line 1, column 1: AND expects a boolean, got bigint (compare it, e.g. x <> 0)");
  EXPECT_EQ(err("NOT s"),
            "line 1, column 5: NOT expects a boolean, got string (compare it, e.g. x = 'yes')");
  EXPECT_EQ(err("IF(i, 1, 2)"),
            "line 1, column 4: IF expects a boolean, got bigint (compare it, e.g. x <> 0) as its "
            "first argument");
  EXPECT_EQ(err("IF(t, 1, 'a')"),
            "line 1, column 10: IF mixes string with bigint (at line 1, column 7); CAST them "
            "to one type");
  EXPECT_EQ(err("CASE WHEN t THEN 1 ELSE 'x' END"),
            "line 1, column 25: CASE mixes string with bigint (at line 1, column 18); CAST them "
            "to one type");
  EXPECT_EQ(err("CASE WHEN i THEN 1 END"),
            "line 1, column 11: WHEN expects a boolean, got bigint (compare it, e.g. x <> 0) (in "
            "CASE x WHEN v ..., x is compared with v)");
  EXPECT_EQ(err("SQRT(s)"),
            "line 1, column 6: SQRT expects a number as its first argument, got string (CAST it "
            "AS double)");
  EXPECT_EQ(err("UPPER(i)"),
            "line 1, column 7: UPPER expects a string as its first argument, got bigint (CAST it "
            "AS string)");
  EXPECT_EQ(err("ROUND(d, 1.5)"),
            "line 1, column 10: ROUND expects a bigint as its second argument, got double (CAST "
            "it AS bigint)");
  EXPECT_EQ(err("HOUR(d)"),
            "line 1, column 6: HOUR expects epoch milliseconds (bigint) or an ISO-8601 string as "
            "its first argument, got double");
  EXPECT_EQ(err("i IN (1, 'a')"),
            "line 1, column 10: IN list value 2 is string, which cannot be compared with bigint "
            "(CAST one side)");
  EXPECT_EQ(err("i LIKE 'a%'"),
            "line 1, column 1: LIKE expects strings, got bigint (CAST it AS string)");
  EXPECT_EQ(err("-s"), "line 1, column 1: unary - expects a number, got string");
  EXPECT_EQ(err("s BETWEEN 1 AND 2"),
            "line 1, column 3: cannot compare string with bigint in BETWEEN (CAST one side, e.g. "
            "CAST(x AS bigint))");
  EXPECT_EQ(err("COALESCE(i, s)"),
            "line 1, column 13: COALESCE mixes string with bigint (at line 1, column 10); CAST "
            "them to one type");
}

TEST_F(ExpressionTest, SyntaxErrors) {
  EXPECT_EQ(err(""), "line 1, column 1: empty expression");
  EXPECT_EQ(err("   "), "line 1, column 1: empty expression");
  EXPECT_EQ(err("amout > 100"), "line 1, column 1: unknown field 'amout' (did you mean 'amount'?)");
  EXPECT_EQ(err("zzzzzz > 1"),
            "line 1, column 1: unknown field 'zzzzzz' (fields: i, d, s, t, f, u, n, nd, ns, ts, "
            "amount, country, ... 8 more)");
  EXPECT_EQ(err("SQRTT(4)"), "line 1, column 1: unknown function 'SQRTT' (did you mean 'SQRT'?)");
  EXPECT_EQ(err("FROBNICATE(4)"),
            "line 1, column 1: unknown function 'FROBNICATE' (see docs/expressions.md)");
  EXPECT_EQ(err("MAX(i, 2)"),
            "line 1, column 1: aggregate function MAX is not available in expressions "
            "(GREATEST(a, b, ...) gives the largest of several values)");
  EXPECT_EQ(err("(1 + 2"),
            "line 1, column 7: expected ')' to close the '(' at line 1, column 1, found the end "
            "of the expression");
  EXPECT_EQ(err("SQRT(4 5)"),
            "line 1, column 8: expected ')' to close the '(' at line 1, column 5, found number 5");
  EXPECT_EQ(err("1 +"),
            "line 1, column 4: expected an expression, found the end of the expression");
  EXPECT_EQ(err("1 + * 2"), "line 1, column 5: expected an expression, found '*'");
  EXPECT_EQ(err("i i"),
            "line 1, column 3: expected an operator or the end of the expression, found 'i'");
  EXPECT_EQ(err("'abc"), "line 1, column 1: unterminated string: a closing ' is missing");
  EXPECT_EQ(err("`abc"), "line 1, column 1: unterminated quoted name: a closing ` is missing");
  EXPECT_EQ(err("\"FR\""),
            "line 1, column 1: unexpected '\"': strings use single quotes ('text') and odd field "
            "names backquotes (`my field`)");
  EXPECT_EQ(err("t && f"), "line 1, column 3: unexpected '&' (use AND)");
  EXPECT_EQ(err("s | 'a'"),
            "line 1, column 3: unexpected '|' (use || to join strings, OR for logic)");
  EXPECT_EQ(err("i # 2"), "line 1, column 3: unexpected character '#'");
  EXPECT_EQ(err("1e"),
            "line 1, column 1: malformed number '1e' (an exponent needs digits, e.g. 1e3)");
  EXPECT_EQ(err("12abc"), "line 1, column 3: unexpected 'a' after the number 12");
  EXPECT_EQ(err("99999999999999999999"),
            "line 1, column 1: integer 99999999999999999999 is out of range for bigint (write "
            "99999999999999999999.0 for a double)");
  EXPECT_EQ(err("1e999"), "line 1, column 1: number 1e999 is out of range for double");
  EXPECT_EQ(err("1 < i < 10"),
            "line 1, column 7: comparisons cannot be chained: write a < b AND b < c, or use "
            "BETWEEN");
  EXPECT_EQ(err("CASE WHEN t THEN 1"),
            "line 1, column 19: expected WHEN, ELSE or END to close the CASE at line 1, column 1, "
            "found the end of the expression");
  EXPECT_EQ(err("CASE END"), "line 1, column 6: expected WHEN in CASE, found keyword END");
  EXPECT_EQ(err("CASE WHEN t 1 END"),
            "line 1, column 13: expected THEN after the WHEN condition, found number 1");
  EXPECT_EQ(err("CAST(i AS strin)"),
            "line 1, column 11: unknown type 'strin' in CAST (valid: boolean, bigint, double, "
            "string) (did you mean 'string'?)");
  EXPECT_EQ(err("CAST(i AS timestamp)"),
            "line 1, column 11: unknown type 'timestamp' in CAST (valid: boolean, bigint, double, "
            "string; times are bigint epoch milliseconds: TO_TIMESTAMP_MS(text))");
  EXPECT_EQ(err("CAST(i string)"),
            "line 1, column 8: expected AS in CAST(x AS type), found 'string'");
  EXPECT_EQ(err("ROUND(1, 2, 3)"),
            "line 1, column 1: function ROUND takes 1 to 2 arguments, got 3");
  EXPECT_EQ(err("SQRT()"), "line 1, column 1: function SQRT takes 1 argument, got 0");
  EXPECT_EQ(err("IF(t, 1)"), "line 1, column 1: function IF takes 3 arguments, got 2");
  EXPECT_EQ(err("COALESCE()"),
            "line 1, column 1: function COALESCE takes at least 1 argument, got 0");
  EXPECT_EQ(err("i IN ()"), "line 1, column 7: IN needs at least one value");
  EXPECT_EQ(err("i IN 1"),
            "line 1, column 6: expected '(' after IN, found number 1 (write x IN ('a', 'b'))");
  EXPECT_EQ(err("i BETWEEN 1 OR 2"),
            "line 1, column 13: expected AND in BETWEEN low AND high, found keyword OR");
  EXPECT_EQ(err("i IS 5"),
            "line 1, column 6: expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM after IS, "
            "found number 5");
  EXPECT_EQ(err("AND"),
            "line 1, column 1: expected an expression, found keyword AND (write `AND` "
            "for a field of that name)");
  EXPECT_EQ(err("s LIKE 'a!' ESCAPE '!'"),
            "line 1, column 8: LIKE pattern 'a!' ends with its escape character");
  EXPECT_EQ(err("s LIKE 'a' ESCAPE 'ab'"),
            "line 1, column 19: ESCAPE takes a string of one character, e.g. ESCAPE '\\', found "
            "string 'ab'");
  EXPECT_EQ(err("DATE_FORMAT(ts, 'yyyy-QQ')"),
            "line 1, column 17: DATE_FORMAT pattern letter 'Q' is not supported (valid: y M d D H "
            "h m s S a E X Z, and 'quoted text')");
  EXPECT_EQ(err("EXTRACT(WEEK FROM ts)"),
            "line 1, column 9: unknown EXTRACT unit 'WEEK' (valid: YEAR, QUARTER, MONTH, DAY, "
            "DOW, DOY, HOUR, MINUTE, SECOND, MILLISECOND)");
  EXPECT_EQ(err("()"), "line 1, column 2: expected an expression inside ( )");
  EXPECT_EQ(err("i;"), "line 1, column 2: unexpected ';': an expression is a single expression");
  EXPECT_EQ(err("TRIM(LEADING 'x' 'y')"),
            "line 1, column 18: expected FROM in TRIM(LEADING characters FROM text), found "
            "string 'y'");
}

TEST_F(ExpressionTest, ErrorPositionsAreRelativeToOrigin) {
  // The expression starts at line 12, column 18 of a pipeline file.
  EXPECT_EQ(err("amout > 100", {.line = 12, .column = 18}),
            "line 12, column 18: unknown field 'amout' (did you mean 'amount'?)");
  EXPECT_EQ(err("amount > 100 AND\n  contry = 'FR'", {.line = 12, .column = 18}),
            "line 13, column 3: unknown field 'contry' (did you mean 'country'?)");
  // A YAML block scalar: later lines lost their indentation of 4 columns.
  EXPECT_EQ(err("amount > 100 AND\ncontry = 'FR'", {.line = 5, .column = 5, .indent = 4}),
            "line 6, column 5: unknown field 'contry' (did you mean 'country'?)");
  // Columns count characters, not bytes.
  EXPECT_EQ(err("'é' = amout"), "line 1, column 7: unknown field 'amout' (did you mean 'amount'?)");
}

TEST_F(ExpressionTest, PredicateMustBeBoolean) {
  auto ok = Expression::compile_predicate("amount > 100", schema_);
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(Expression::compile_predicate("NULL", schema_).ok());
  auto bad = Expression::compile_predicate("amount + 1", schema_, {.line = 3, .column = 9});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "line 3, column 16: a filter condition must be boolean, got double (compare it, e.g. "
            "x > 0)");
}

// String equality, IN and LIKE compare words at a time for short strings: check every length
// and every position of a difference.
TEST(ExpressionInternalsTest, StringComparisonsAtEveryLength) {
  auto schema = *Schema::create({{"a", Type::kString}, {"b", Type::kString}});
  auto eq = Expression::compile("a = b", schema);
  auto ne = Expression::compile("a <> b", schema);
  auto in = Expression::compile("a IN ('', 'zz', b)", schema);
  ASSERT_TRUE(eq.ok() && ne.ok() && in.ok());
  Arena arena;
  for (size_t len = 0; len <= 40; ++len) {
    std::string x(len, 'q');
    for (size_t i = 0; i < len; ++i) x[i] = static_cast<char>('a' + i % 26);
    for (size_t diff = 0; diff <= len; ++diff) {
      std::string y = x;
      if (diff < len) y[diff] = '#';  // diff == len: equal strings
      const bool same = diff == len;
      const Value row[] = {Value::of_string(x), Value::of_string(y)};
      EXPECT_EQ(eq->eval(row, arena), Value::of_bool(same)) << len << " " << diff;
      EXPECT_EQ(ne->eval(row, arena), Value::of_bool(!same)) << len << " " << diff;
      EXPECT_EQ(in->eval(row, arena), Value::of_bool(same || len == 0)) << len << " " << diff;
      auto exact = Expression::compile("a LIKE '" + y + "'", schema);
      auto prefix = Expression::compile("a LIKE '" + y.substr(0, diff) + "%'", schema);
      auto suffix =
          Expression::compile("a LIKE '%" + y.substr(diff == len ? 0 : diff + 1) + "'", schema);
      ASSERT_TRUE(exact.ok() && prefix.ok() && suffix.ok());
      EXPECT_EQ(exact->eval(row, arena), Value::of_bool(same)) << len << " " << diff;
      EXPECT_EQ(prefix->eval(row, arena), Value::of_bool(true)) << len << " " << diff;
      EXPECT_EQ(suffix->eval(row, arena), Value::of_bool(true)) << len << " " << diff;
    }
  }
}

// Random well-typed expressions: evaluating a batch gives what evaluating each row alone gives
// (values, NULLs, row errors), results have the compiled type, non-nullable expressions give no
// NULL, and a filter keeps exactly the rows whose value is TRUE.
TEST(ExpressionDifferentialTest, BatchRowAndFilterAgree) {
  auto schema = std::make_shared<const Schema>(*Schema::create({
      {"i", Type::kInt},
      {"j", Type::kInt, false},
      {"d", Type::kDouble},
      {"e", Type::kDouble, false},
      {"s", Type::kString},
      {"t", Type::kString, false},
      {"b", Type::kBool},
      {"ts", Type::kInt, false},
  }));
  std::mt19937_64 rng(99);
  const char* strings[] = {"",     "abc", "FR",   "héllo",   "2024-02-29T12:34:56.789Z",
                           " 42 ", "a%c", "true", "H%o",     "xyz xyz", "-7", "2.5e1"};
  const int64_t ints[] = {0, 1, -1, 7, 255, -42, std::numeric_limits<int64_t>::max(),
                          std::numeric_limits<int64_t>::min(), 1700000000000, -86400001};
  const double doubles[] = {0.0, -0.0, 2.5, -1.5, 1e308, 1e-308, 3.14159, 0.005, 1234.5678,
                            std::numeric_limits<double>::infinity(),
                            std::numeric_limits<double>::quiet_NaN()};
  Batch batch(schema);
  constexpr size_t kRows = 300;
  for (size_t r = 0; r < kRows; ++r) {
    batch.add_row();
    batch.set(r, 0, rng() % 6 == 0 ? N : I(ints[rng() % 10]));
    batch.set(r, 1, I(ints[rng() % 10]));
    batch.set(r, 2, rng() % 6 == 0 ? N : D(doubles[rng() % 11]));
    batch.set(r, 3, D(doubles[rng() % 11]));
    batch.set(r, 4, rng() % 6 == 0 ? N : S(strings[rng() % 12]));
    batch.set(r, 5, S(strings[rng() % 12]));
    batch.set(r, 6, rng() % 4 == 0 ? N : B(rng() % 2 == 0));
    batch.set(r, 7, I(1700000000000 + static_cast<int64_t>(rng() % 100000000000)));
  }
  testing::ExpressionGenerator gen(*schema, 5);
  size_t compiled = 0, total = 0, with_errors = 0, filters = 0;
  std::vector<Value> out(kRows);
  std::vector<uint8_t> mask(kRows);
  for (int k = 0; k < 1000; ++k) {
    const Type type = gen.any_type();
    const std::string text = gen.gen(type, 3);
    ++total;
    auto e = Expression::compile(text, *schema);
    if (!e.ok()) {
      // The generator may write a constant DATE_FORMAT pattern with unsupported letters, or a
      // CAST of a constant that always fails.
      const std::string m = e.status().message();
      EXPECT_TRUE(m.find("DATE_FORMAT pattern") != std::string::npos ||
                  m.find("cannot CAST") != std::string::npos)
          << text << " -> " << m;
      continue;
    }
    ++compiled;
    Arena arena;
    std::vector<EvalError> errors;
    e->eval_batch(batch, out, arena, &errors);
    std::vector<uint8_t> failed(kRows, 0);
    for (const auto& err : errors) failed[err.row] = 1;
    with_errors += errors.empty() ? 0 : 1;
    Expression single = *e;
    Arena row_arena;
    for (size_t r = 0; r < kRows; ++r) {
      EvalError error;
      error.row = kRows;
      const Value v = single.eval(batch.row(r), row_arena, &error);
      ASSERT_EQ(out[r], v) << text << " row " << r;
      ASSERT_EQ(failed[r], error.row == kRows ? 0 : 1) << text << " row " << r;
      if (!v.is_null()) {
        ASSERT_EQ(v.type(), e->result_type()) << text;
      } else if (!failed[r]) {
        ASSERT_TRUE(e->nullable()) << text << " row " << r << " gave NULL";
      }
    }
    if (e->result_type() == Type::kBool) {
      ++filters;
      std::vector<EvalError> filter_errors;
      const size_t selected = e->filter_batch(batch, mask, &filter_errors);
      size_t expected = 0;
      for (const auto& err : filter_errors) {
        ASSERT_TRUE(failed[err.row]) << text;  // a filter evaluates less, never more
      }
      for (size_t r = 0; r < kRows; ++r) {
        if (failed[r]) {
          ASSERT_EQ(mask[r], 0) << text;
          continue;
        }
        const bool keep = out[r].type() == Type::kBool && out[r].as_bool();
        ASSERT_EQ(mask[r], keep ? 1 : 0) << text << " row " << r;
        expected += keep ? 1 : 0;
      }
      ASSERT_EQ(selected, expected) << text;
    }
  }
  EXPECT_GT(compiled, total * 9 / 10);
  EXPECT_GT(filters, 150u);
  EXPECT_GT(with_errors, 0u);
}

TEST(ExpressionInternalsTest, RoundFastPathMatchesDecimalRounding) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (int k = 0; k < 200000; ++k) {
    const double scale = std::pow(10.0, static_cast<double>(rng() % 12) - 3.0);
    double x = unit(rng) * scale;
    if (k % 3 == 0) x = std::round(x * 1000.0) / 1000.0 + 0.0005;  // near ties
    if (k % 5 == 0) x = static_cast<double>(static_cast<int64_t>(rng() % 200001) - 100000) / 200.0;
    const int64_t d = static_cast<int64_t>(rng() % 8);
    ASSERT_EQ(internal::round_double(x, d), internal::round_double_decimal(x, d))
        << std::setprecision(17) << x << " digits " << d;
  }
  EXPECT_EQ(internal::round_double(-0.0, 2), 0.0);
  EXPECT_FALSE(std::signbit(internal::round_double(-0.0001, 2)));
}

// Builds a batch of `n` rows whose values vary, including NULLs and strings that fail CASTs.
std::unique_ptr<Batch> make_batch(std::shared_ptr<const Schema> schema, size_t n) {
  auto batch = std::make_unique<Batch>(schema);
  const std::vector<Value> base = test_row();
  const char* countries[] = {"FR", "DE", "US", "GB", "fr"};
  for (size_t r = 0; r < n; ++r) {
    const size_t row = batch->add_row(kTs + static_cast<int64_t>(r));
    for (size_t f = 0; f < base.size(); ++f) batch->set(row, f, base[f]);
    batch->set(row, 0, r % 11 == 0 ? N : I(static_cast<int64_t>(r)));
    batch->set(row, 10, D(static_cast<double>(r % 300) * 7.5));
    batch->set_string(row, 11, countries[r % 5]);
    batch->set(row, 5, r % 3 == 0 ? N : B(r % 2 == 0));
    batch->set_string(row, 15, r % 7 == 0 ? "oops" : std::to_string(r));
  }
  return batch;
}

TEST_F(ExpressionTest, BatchEvaluationMatchesRowEvaluation) {
  auto schema = std::make_shared<const Schema>(schema_);
  auto batch = make_batch(schema, 1000);  // several chunks of 256 rows
  const char* texts[] = {
      "amount > 100 AND country IN ('FR', 'DE') AND NOT u",
      "CASE WHEN amount > 1000 THEN 'high' WHEN amount > 500 THEN 'mid' ELSE 'low' END",
      "COALESCE(i, -1) * 2 + LENGTH(country)",
      "u OR i % 2 = 0",
      "IF(u, UPPER(country), LOWER(country) || '!')",
      "TRY_CAST(num AS bigint)",
      "CAST(num AS bigint) + 1",
  };
  for (const char* text : texts) {
    auto e = Expression::compile(text, *schema);
    ASSERT_TRUE(e.ok()) << e.status().message();
    std::vector<Value> out(batch->size());
    std::vector<EvalError> errors;
    Arena arena;
    e->eval_batch(*batch, out, arena, &errors);
    Expression single = *e;  // a copy evaluates on its own
    Arena row_arena;
    size_t n_errors = 0;
    for (size_t r = 0; r < batch->size(); ++r) {
      EvalError error;
      error.row = 12345;
      const Value v = single.eval(batch->row(r), row_arena, &error);
      EXPECT_EQ(out[r], v) << text << " row " << r;
      if (error.row != 12345) {
        ASSERT_LT(n_errors, errors.size());
        EXPECT_EQ(errors[n_errors].row, r);
        EXPECT_EQ(errors[n_errors].message, error.message);
        ++n_errors;
      }
    }
    EXPECT_EQ(n_errors, errors.size()) << text;
  }
}

TEST_F(ExpressionTest, FilterMaskAndRowErrors) {
  auto schema = std::make_shared<const Schema>(schema_);
  auto batch = make_batch(schema, 600);
  auto e = Expression::compile_predicate("country = 'FR' AND CAST(num AS bigint) > 10", *schema);
  ASSERT_TRUE(e.ok()) << e.status().message();
  std::vector<uint8_t> mask(batch->size(), 7);
  std::vector<EvalError> errors;
  const size_t selected = e->filter_batch(*batch, mask, &errors);
  size_t expected_selected = 0;
  std::vector<size_t> expected_errors;
  for (size_t r = 0; r < batch->size(); ++r) {
    const bool fr = r % 5 == 0;
    const bool bad = r % 7 == 0;
    const bool keep = fr && !bad && r > 10;
    if (fr && bad) expected_errors.push_back(r);
    EXPECT_EQ(mask[r], keep ? 1 : 0) << r;
    expected_selected += keep ? 1 : 0;
  }
  EXPECT_EQ(selected, expected_selected);
  ASSERT_EQ(errors.size(), expected_errors.size());
  for (size_t k = 0; k < errors.size(); ++k) {
    EXPECT_EQ(errors[k].row, expected_errors[k]);
    EXPECT_EQ(errors[k].message,
              "line 1, column 20: cannot CAST 'oops' AS bigint; use TRY_CAST to get NULL instead");
  }
  // Keeping the selected rows.
  EXPECT_EQ(batch->retain(mask), expected_selected);
  EXPECT_EQ(batch->get(0, 11), S("FR"));
}

TEST_F(ExpressionTest, StringResultsLiveInTheArena) {
  auto e = Expression::compile("UPPER(s) || '!'", schema_);
  ASSERT_TRUE(e.ok());
  Arena arena;
  const Value v = e->eval(row_.data(), arena);
  EXPECT_EQ(v, S("HELLO!"));
  EXPECT_GE(arena.bytes_used(), 6u);
  arena.clear();
  EXPECT_EQ(arena.bytes_used(), 0u);
}

// Random and truncated texts: compiling never crashes, an error always names a position, and
// what compiles evaluates.
TEST_F(ExpressionTest, FuzzNeverCrashes) {
  const std::vector<std::string> seeds = {
      "amount > 100 AND country IN ('FR','DE') AND NOT t",
      "CASE WHEN amount > 1000 THEN 'high' WHEN i BETWEEN 1 AND 5 THEN 'mid' ELSE 'low' END",
      "COALESCE(n, i, 0) * 2.5 / (i - 7) % 3",
      "s LIKE 'H%l_' ESCAPE '!' OR s NOT LIKE pat",
      "CAST(num AS bigint) + TRY_CAST(s AS double) || 'x'",
      "DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') || EXTRACT(HOUR FROM iso)",
      "SUBSTRING(s FROM 2 FOR 3) || TRIM(BOTH 'x' FROM s) || POSITION('l' IN s)",
      "ROUND(LOG(2, 8), 2) + GREATEST(1, 2.5, i) - LEAST(d, 1)",
      "i IS NOT NULL AND u IS NOT TRUE AND n IS DISTINCT FROM 3",
      "`odd name` || user.id || IF(t, 'a', NULL) || NULLIF(s, 'x')",
      "REGEXP_EXTRACT(s, '(l+)o', 1) || REGEXP_REPLACE(s, 'l|e', '') || SPLIT_INDEX(s, 'l', 2)",
      "REGEXP(s, pat) OR REGEXP(country, '^[A-Z]{2}$') AND REGEXP_EXTRACT(s, pat, i) IS NULL",
  };
  const std::string alphabet =
      "abcdeinstuxz_019 .,()'`+-*/%|=<>!&\"\n\t;ANDORNOTCASEWHENTHENELSEEND";
  const std::vector<std::string> words = {
      " AND ",    " OR ",
      " NOT ",    "(",
      ")",        ",",
      " IS ",     " NULL ",
      " CASE ",   " WHEN ",
      " THEN ",   " ELSE ",
      " END ",    " BETWEEN ",
      " IN ",     " LIKE ",
      "'",        "`",
      "i",        "s",
      "d",        "t",
      "n",        "amount",
      "1",        "2.5",
      "'x'",      "+",
      "-",        "*",
      "/",        "%",
      "||",       "=",
      "<>",       "<",
      "CAST(",    " AS ",
      "bigint",   "SQRT(",
      "CONCAT(",  "SUBSTRING(",
      " FROM ",   " FOR ",
      "TRIM(",    "--",
      "1e",       "9223372036854775808",
      "ESCAPE",   "DATE_FORMAT(",
      "EXTRACT(", "COALESCE(",
      "REGEXP(",  "REGEXP_EXTRACT(",
      "'(a|'",    "SPLIT_INDEX(",
      "\n",
  };
  std::mt19937_64 rng(20240501);
  std::vector<std::string> inputs;
  for (const auto& s : seeds) {
    for (size_t len = 0; len <= s.size(); ++len) inputs.push_back(s.substr(0, len));
  }
  for (int k = 0; k < 3000; ++k) {
    std::string text;
    const size_t n = rng() % 30;
    for (size_t j = 0; j < n; ++j) {
      if (rng() % 2 == 0) {
        text += alphabet[rng() % alphabet.size()];
      } else {
        text += words[rng() % words.size()];
      }
    }
    inputs.push_back(text);
  }
  for (int k = 0; k < 1000; ++k) {  // mutations of the seeds
    std::string text = seeds[rng() % seeds.size()];
    for (int m = 0; m < 3; ++m) {
      const size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0:
          text.insert(at, words[rng() % words.size()]);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1 + rng() % 5);
          break;
        default:
          if (at < text.size()) text[at] = static_cast<char>(rng() % 256);
          break;
      }
    }
    inputs.push_back(text);
  }
  inputs.push_back(std::string(5000, '('));
  std::string minuses, nots;
  for (int k = 0; k < 3000; ++k) minuses += "- ";
  for (int k = 0; k < 3000; ++k) nots += "NOT ";
  inputs.push_back(minuses + "1");
  inputs.push_back(nots + "t");
  std::string chain = "i";
  for (int k = 0; k < 3000; ++k) chain += " + i";
  inputs.push_back(chain);
  std::string in_list = "i IN (0";
  for (int k = 1; k < 3000; ++k) in_list += ", " + std::to_string(k);
  inputs.push_back(in_list + ")");

  size_t compiled = 0;
  Arena arena;
  for (const auto& text : inputs) {
    auto e = Expression::compile(text, schema_);
    if (!e.ok()) {
      EXPECT_TRUE(e.status().message().starts_with("line "))
          << text << " -> " << e.status().message();
      continue;
    }
    ++compiled;
    EvalError error;
    const Value v = e->eval(row_.data(), arena, &error);
    if (!v.is_null()) {
      EXPECT_EQ(v.type(), e->result_type()) << text;
    }
    (void)e->explain();
  }
  EXPECT_GT(compiled, 50u);
  // The 3000-term sum is too deep; the 3000-item IN list is fine.
  EXPECT_TRUE(Expression::compile(in_list + ")", schema_).ok());
  const std::string deep = Expression::compile(chain, schema_).status().message();
  EXPECT_NE(deep.find("expression too deep (more than 1000 nested operations"), std::string::npos)
      << deep;
  EXPECT_NE(Expression::compile(nots + "t", schema_).status().message().find("nested too deeply"),
            std::string::npos);
}

}  // namespace
}  // namespace rivulet::stream
