#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr payments() {
  return schema_of({{"id", Type::kInt},
                    {"amount", Type::kDouble},
                    {"country", Type::kString},
                    {"email", Type::kString},
                    {"qty_text", Type::kString},
                    {"flag", Type::kBool}});
}

ValidationRule rule(std::string field) {
  ValidationRule r;
  r.field = std::move(field);
  return r;
}

TEST(ValidateOperatorTest, EachRuleAndItsReason) {
  ValidateOperator::Options options;
  options.rules.push_back(rule("id"));
  options.rules.back().required = true;
  options.rules.push_back(rule("amount"));
  options.rules.back().min = 0;
  options.rules.back().max = 10000;
  options.rules.push_back(rule("country"));
  options.rules.back().allowed = {"FR", "DE", "ES"};
  options.rules.push_back(rule("email"));
  options.rules.back().pattern = "^[^@]+@[^@]+$";
  options.rules.back().max_length = 20;
  options.rules.push_back(rule("qty_text"));
  options.rules.back().type = Type::kInt;
  options.rules.back().min = 1;
  auto op = create_ok(ValidateOperator::create(std::move(options)));
  const SchemaPtr in = payments();
  EXPECT_EQ(open_ok(*op, in), in);  // passing rows are unchanged
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const RunResult r = run(*op, payments(),
                          {{I(1), D(12.5), S("FR"), S("a@b.c"), S("3"), B(true)},
                           {N(), D(12.5), S("FR"), S("a@b.c"), S("3"), B(true)},
                           {I(2), D(12000), S("FR"), S("a@b.c"), S("3"), B(true)},
                           {I(3), D(-5), S("FR"), S("a@b.c"), S("3"), B(true)},
                           {I(4), D(nan), S("FR"), S("a@b.c"), S("3"), B(true)},
                           {I(5), D(1), S("XX"), S("a@b.c"), S("3"), B(true)},
                           {I(6), D(1), S("DE"), S("bob"), S("3"), B(true)},
                           {I(7), D(1), S("ES"), S("averyveryverylongname@x.y"), S("3"), B(true)},
                           {I(8), D(1), S("ES"), S("a@b"), S("2.5"), B(true)},
                           {I(9), D(1), S("ES"), S("a@b"), S("0"), B(true)},
                           {I(10), N(), N(), N(), N(), N()},
                           {I(11), D(10000), S("DE"), S("x@y"), S(" 7 "), B(false)}});
  EXPECT_EQ(r.reasons,
            (std::vector<std::string>{
                "field 'id': required but NULL", "field 'amount': 12000 is above max 10000",
                "field 'amount': -5 is below min 0",
                "field 'amount': NaN is not a number that can be checked against min 0",
                "field 'country': 'XX' is not one of 'FR', 'DE', 'ES'",
                "field 'email': 'bob' does not match pattern '^[^@]+@[^@]+$'",
                "field 'email': length 25 is above max_length 20",
                "field 'qty_text': '2.5' is not a bigint", "field 'qty_text': 0 is below min 1"}));
  EXPECT_EQ(
      r.rows,
      (std::vector<std::string>{
          R"({"id": 1, "amount": 12.5, "country": "FR", "email": "a@b.c", "qty_text": "3", "flag": true})",
          R"({"id": 10, "amount": null, "country": null, "email": null, "qty_text": null, "flag": null})",
          R"({"id": 11, "amount": 10000, "country": "DE", "email": "x@y", "qty_text": " 7 ", "flag": false})"}));
  EXPECT_EQ(
      r.dead[1].record,
      R"({"id": 2, "amount": 12000, "country": "FR", "email": "a@b.c", "qty_text": "3", "flag": true})");
  EXPECT_EQ(r.dead[1].stage, "validate");
  EXPECT_EQ(r.dead[1].event_time, 1002);
  EXPECT_EQ(r.counts.in, 12u);
  EXPECT_EQ(r.counts.out, 3u);
  EXPECT_EQ(r.counts.dead, 9u);
  EXPECT_EQ(r.counts.filtered, 0u);
}

// Runs one rule over one field's values; returns the reasons (empty string: passed).
std::vector<std::string> check(const ValidationRule& rule, Type field_type,
                               const std::vector<Value>& values) {
  const SchemaPtr schema = schema_of({{rule.field, field_type}});
  auto op = create_ok(ValidateOperator::create({.rules = {rule}}));
  if (op == nullptr) return {};
  open_ok(*op, schema);
  std::vector<std::string> out;
  for (const Value& v : values) {
    const RunResult r = run(*op, schema, {{v}});
    out.push_back(r.reasons.empty() ? "" : r.reasons[0]);
    EXPECT_EQ(r.rows.size() + r.reasons.size(), 1u);
  }
  return out;
}

TEST(ValidateOperatorTest, TypesConvertOnlyWithoutLoss) {
  ValidationRule as_int = rule("x");
  as_int.type = Type::kInt;
  EXPECT_EQ(check(as_int, Type::kDouble, {D(3.0), D(3.5), D(-0.0), D(1e19), D(INFINITY)}),
            (std::vector<std::string>{"", "field 'x': 3.5 is not a bigint", "",
                                      "field 'x': 1e+19 is not a bigint",
                                      "field 'x': Infinity is not a bigint"}));
  EXPECT_EQ(check(as_int, Type::kString, {S("42"), S(" -7 "), S("4x"), S("")}),
            (std::vector<std::string>{"", "", "field 'x': '4x' is not a bigint",
                                      "field 'x': '' is not a bigint"}));
  ValidationRule as_double = rule("x");
  as_double.type = Type::kDouble;
  EXPECT_EQ(check(as_double, Type::kInt, {I(9007199254740992), I(9007199254740993)}),
            (std::vector<std::string>{"", "field 'x': 9007199254740993 is not a double"}));
  EXPECT_EQ(check(as_double, Type::kString, {S("1e3"), S("NaN"), S("abc")}),
            (std::vector<std::string>{"", "", "field 'x': 'abc' is not a double"}));
  ValidationRule as_bool = rule("x");
  as_bool.type = Type::kBool;
  EXPECT_EQ(check(as_bool, Type::kString, {S("yes"), S("FALSE"), S("maybe")}),
            (std::vector<std::string>{"", "", "field 'x': 'maybe' is not a boolean"}));
  ValidationRule as_string = rule("x");
  as_string.type = Type::kString;
  as_string.max_length = 3;
  EXPECT_EQ(check(as_string, Type::kInt, {I(123), I(-123)}),
            (std::vector<std::string>{"", "field 'x': length 4 is above max_length 3"}));
}

TEST(ValidateOperatorTest, AllowedValuesOfEachType) {
  ValidationRule levels = rule("level");
  levels.allowed = {"3", "1", "2"};
  EXPECT_EQ(check(levels, Type::kInt, {I(1), I(3), I(7)}),
            (std::vector<std::string>{"", "", "field 'level': 7 is not one of 3, 1, 2"}));
  ValidationRule ratios = rule("r");
  ratios.allowed = {"0.5", "1"};
  EXPECT_EQ(check(ratios, Type::kDouble, {D(0.5), D(1), D(0.25)}),
            (std::vector<std::string>{"", "", "field 'r': 0.25 is not one of 0.5, 1"}));
  ValidationRule flags = rule("f");
  flags.allowed = {"true"};
  EXPECT_EQ(check(flags, Type::kBool, {B(true), B(false)}),
            (std::vector<std::string>{"", "field 'f': FALSE is not one of TRUE"}));
  ValidationRule many = rule("c");
  for (int i = 0; i < 12; ++i) many.allowed.push_back("c" + std::to_string(i));
  EXPECT_EQ(check(many, Type::kString, {S("c11"), S("zz")}),
            (std::vector<std::string>{"",
                                      "field 'c': 'zz' is not one of 'c0', 'c1', 'c2', 'c3', "
                                      "'c4', 'c5', 'c6', 'c7', 'c8', 'c9', ... (12 values)"}));
}

TEST(ValidateOperatorTest, LengthsCountCharacters) {
  ValidationRule name = rule("name");
  name.min_length = 3;
  name.max_length = 4;
  EXPECT_EQ(check(name, Type::kString, {S("abc"), S("\xC3\xA9t\xC3\xA9"), S("ab"), S("abcde")}),
            (std::vector<std::string>{"", "", "field 'name': length 2 is below min_length 3",
                                      "field 'name': length 5 is above max_length 4"}));
}

TEST(ValidateOperatorTest, LongValuesAreCutAndLongPatternInputsDoNotCrash) {
  ValidationRule pattern = rule("s");
  pattern.pattern = "^(a|b)*$";
  const std::string long_ab(200000, 'a');
  const std::string long_bad = std::string(100, 'a') + "c";
  EXPECT_EQ(check(pattern, Type::kString, {Value::of_string(long_ab), Value::of_string(long_bad)}),
            (std::vector<std::string>{"", "field 's': '" + std::string(60, 'a') +
                                              "...' does not match pattern '^(a|b)*$'"}));
}

TEST(ValidateOperatorTest, ValuesAreCutAtACharacterBoundary) {
  ValidationRule r = rule("s");
  r.max_length = 10;
  // 59 ASCII bytes then a two-byte character that straddles the 60-byte cut.
  const std::string text = std::string(59, 'a') + "\xC3\xA9" + "zz";
  EXPECT_EQ(check(r, Type::kString, {Value::of_string(text)}),
            (std::vector<std::string>{"field 's': length 62 is above max_length 10"}));
  r.max_length.reset();
  r.allowed = {"x"};
  EXPECT_EQ(
      check(r, Type::kString, {Value::of_string(text)}),
      (std::vector<std::string>{"field 's': '" + std::string(59, 'a') + "...' is not one of 'x'"}));
}

TEST(ValidateOperatorTest, CreateErrors) {
  EXPECT_EQ(create_error(ValidateOperator::create({})),
            "validate: 'rules' is empty (give per field: type, required, min, max, allowed, "
            "min_length, max_length, pattern)");
  ValidationRule r = rule("");
  r.pos = {.line = 4, .column = 7};
  r.required = true;
  EXPECT_EQ(create_error(ValidateOperator::create({.rules = {r}})),
            "line 4, column 7: validate: a rule's field name is empty");
  r = rule("amount");
  r.pos = {.line = 4, .column = 7};
  EXPECT_EQ(create_error(ValidateOperator::create({.rules = {r}})),
            "line 4, column 7: validate: the rule of field 'amount' checks nothing (give type, "
            "required, min, max, allowed, min_length, max_length or pattern)");
  r.type = Type::kNull;
  EXPECT_EQ(create_error(ValidateOperator::create({.rules = {r}})),
            "line 4, column 7: validate: field 'amount': type cannot be null (valid: boolean, "
            "bigint, double, string)");
  r.type.reset();
  r.min = 10;
  r.max = 1.5;
  EXPECT_EQ(create_error(ValidateOperator::create({.rules = {r}})),
            "line 4, column 7: validate: field 'amount': min 10 is above max 1.5");
  r.max.reset();
  r.min = std::nan("");
  EXPECT_EQ(create_error(ValidateOperator::create({.rules = {r}})),
            "line 4, column 7: validate: field 'amount': min and max must be numbers, not NaN");
  r = rule("name");
  r.min_length = 5;
  r.max_length = 2;
  EXPECT_EQ(create_error(ValidateOperator::create({.rules = {r}})),
            "line 1, column 1: validate: field 'name': min_length 5 is above max_length 2");
  r = rule("name");
  r.pattern = "(ab";
  EXPECT_EQ(create_error(ValidateOperator::create({.rules = {r}}))
                .rfind("line 1, column 1: validate: field 'name': invalid pattern '(ab': ", 0),
            0u);
}

TEST(ValidateOperatorTest, OpenErrors) {
  auto open_rule = [](ValidationRule r) {
    auto op = create_ok(ValidateOperator::create({.rules = {std::move(r)}}));
    return op == nullptr ? "" : open_error(*op, payments());
  };
  ValidationRule r = rule("amout");
  r.pos = {.line = 3, .column = 7};
  r.required = true;
  EXPECT_EQ(open_rule(r), "line 3, column 7: unknown field 'amout' (did you mean 'amount'?)");
  r = rule("country");
  r.min = 1;
  EXPECT_EQ(open_rule(r),
            "line 1, column 1: validate: field 'country': min and max apply to numbers, and the "
            "field is string (give type: double to check numbers written as text)");
  r = rule("amount");
  r.max_length = 3;
  EXPECT_EQ(open_rule(r),
            "line 1, column 1: validate: field 'amount': min_length, max_length and pattern "
            "apply to strings, and the field is double (give type: string to check its text)");
  r = rule("flag");
  r.type = Type::kInt;
  EXPECT_EQ(open_rule(r),
            "line 1, column 1: validate: field 'flag': it is boolean and can never be bigint");
  r = rule("amount");
  r.type = Type::kBool;
  EXPECT_EQ(open_rule(r),
            "line 1, column 1: validate: field 'amount': it is double and can never be boolean");
  r = rule("id");
  r.allowed = {"1", "x"};
  EXPECT_EQ(open_rule(r),
            "line 1, column 1: validate: field 'id': the allowed value 'x' is not a bigint");
}

TEST(ValidateOperatorTest, CloneBehavesTheSameAndSnapshotIsEmpty) {
  ValidationRule r = rule("country");
  r.allowed = {"FR"};
  r.pattern = "^[A-Z]{2}$";
  auto op = create_ok(ValidateOperator::create({.rules = {r}}));
  auto copy = op->clone();
  EXPECT_EQ(copy->kind(), "validate");
  open_ok(*op, payments());
  open_ok(*copy, payments());
  const std::vector<std::vector<Value>> rows = {{I(1), N(), S("FR"), N(), N(), N()},
                                                {I(2), N(), S("DE"), N(), N(), N()}};
  EXPECT_EQ(run(*op, payments(), rows).rows, run(*copy, payments(), rows).rows);
  EXPECT_EQ(run(*op, payments(), rows).reasons, run(*copy, payments(), rows).reasons);
  snapshot_round_trip(*op);
  EXPECT_EQ(run(*op, payments(), rows).rows.size(), 1u);
}

}  // namespace
}  // namespace rivulet::stream
