#include <gtest/gtest.h>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr baskets() {
  return schema_of({{"id", Type::kInt}, {"items", Type::kString}, {"shop", Type::kString}});
}

TEST(FlatMapOperatorTest, OneRowPerElement) {
  auto op = create_ok(FlatMapOperator::create({.field = "items"}));
  const SchemaPtr out = open_ok(*op, baskets());
  EXPECT_EQ(out->to_string(), "id bigint, items string, shop string");
  const RunResult r = run(*op, baskets(),
                          {{I(1), S(R"(["a", "b\"q", "\u00e9"])"), S("s1")},
                           {I(2), S("[]"), S("s2")},  // no element: filtered
                           {I(3), N(), S("s3")},      // NULL: filtered
                           {I(4), S(" [ 1, 2.5, true, null, {\"k\": [1, 2]}, [3] ] "), S("s4")}});
  EXPECT_EQ(
      r.rows,
      (std::vector<std::string>{
          R"({"id": 1, "items": "a", "shop": "s1"})", R"({"id": 1, "items": "b\"q", "shop": "s1"})",
          "{\"id\": 1, \"items\": \"\xC3\xA9\", \"shop\": \"s1\"}",
          R"({"id": 4, "items": "1", "shop": "s4"})", R"({"id": 4, "items": "2.5", "shop": "s4"})",
          R"({"id": 4, "items": "true", "shop": "s4"})",
          R"({"id": 4, "items": null, "shop": "s4"})",
          R"({"id": 4, "items": "{\"k\": [1, 2]}", "shop": "s4"})",
          R"({"id": 4, "items": "[3]", "shop": "s4"})"}));
  EXPECT_EQ(r.counts.in, 4u);
  EXPECT_EQ(r.counts.out, 9u);
  EXPECT_EQ(r.counts.added, 7u);  // 3 rows from one, 6 from another
  EXPECT_EQ(r.counts.filtered, 2u);
  EXPECT_EQ(r.counts.dead, 0u);
}

TEST(FlatMapOperatorTest, TypedElementsWithPositionAndName) {
  auto op = create_ok(FlatMapOperator::create(
      {.field = "items", .as = "qty", .type = Type::kInt, .position = "pos"}));
  const SchemaPtr out = open_ok(*op, baskets());
  EXPECT_EQ(out->to_string(), "id bigint, qty bigint, shop string, pos bigint NOT NULL");
  const RunResult r = run(*op, baskets(),
                          {{I(1), S("[5, -2, 3.0, null, 9223372036854775807]"), S("s")},
                           {I(2), S("[1, 2.5]"), S("s")},
                           {I(3), S("[1, \"2\"]"), S("s")},
                           {I(4), S("[18446744073709551615]"), S("s")},
                           {I(5), S("[1e300]"), S("s")}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{
                        R"({"id": 1, "qty": 5, "shop": "s", "pos": 0})",
                        R"({"id": 1, "qty": -2, "shop": "s", "pos": 1})",
                        R"({"id": 1, "qty": 3, "shop": "s", "pos": 2})",
                        R"({"id": 1, "qty": null, "shop": "s", "pos": 3})",
                        R"({"id": 1, "qty": 9223372036854775807, "shop": "s", "pos": 4})"}));
  EXPECT_EQ(r.reasons, (std::vector<std::string>{
                           "field 'items': element 2 is 2.5, expected bigint",
                           "field 'items': element 2 is a string, expected bigint",
                           "field 'items': element 1 is 18446744073709551615 (beyond bigint), "
                           "expected bigint",
                           "field 'items': element 1 is 1e+300, expected bigint"}));
  EXPECT_EQ(r.dead[0].record, R"({"id": 2, "items": "[1, 2.5]", "shop": "s"})");
  EXPECT_EQ(r.dead[0].stage, "flat_map");
}

TEST(FlatMapOperatorTest, DoubleAndBooleanElements) {
  auto doubles = create_ok(FlatMapOperator::create({.field = "items", .type = Type::kDouble}));
  open_ok(*doubles, baskets());
  const RunResult d =
      run(*doubles, baskets(), {{I(1), S("[1, 2.5, -0.125]"), N()}, {I(2), S("[true]"), N()}});
  EXPECT_EQ(d.rows, (std::vector<std::string>{R"({"id": 1, "items": 1, "shop": null})",
                                              R"({"id": 1, "items": 2.5, "shop": null})",
                                              R"({"id": 1, "items": -0.125, "shop": null})"}));
  EXPECT_EQ(d.reasons,
            (std::vector<std::string>{"field 'items': element 1 is a boolean, expected double"}));
  auto booleans = create_ok(FlatMapOperator::create({.field = "items", .type = Type::kBool}));
  open_ok(*booleans, baskets());
  const RunResult b =
      run(*booleans, baskets(), {{I(1), S("[true,false]"), N()}, {I(2), S("[1]"), N()}});
  EXPECT_EQ(b.rows, (std::vector<std::string>{R"({"id": 1, "items": true, "shop": null})",
                                              R"({"id": 1, "items": false, "shop": null})"}));
  EXPECT_EQ(b.reasons,
            (std::vector<std::string>{"field 'items': element 1 is a number, expected boolean"}));
}

TEST(FlatMapOperatorTest, OuterKeepsEmptyAndNullRows) {
  auto op = create_ok(FlatMapOperator::create({.field = "items", .position = "i", .outer = true}));
  const SchemaPtr out = open_ok(*op, baskets());
  EXPECT_EQ(out->to_string(), "id bigint, items string, shop string, i bigint");
  const RunResult r = run(
      *op, baskets(), {{I(1), S("[]"), S("a")}, {I(2), N(), S("b")}, {I(3), S("[\"x\"]"), N()}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"id": 1, "items": null, "shop": "a", "i": null})",
                                              R"({"id": 2, "items": null, "shop": "b", "i": null})",
                                              R"({"id": 3, "items": "x", "shop": null, "i": 0})"}));
  EXPECT_EQ(r.counts.filtered, 0u);
  EXPECT_EQ(r.counts.added, 0u);
  EXPECT_EQ(r.counts.out, 3u);
}

TEST(FlatMapOperatorTest, TextThatIsNotAnArrayGoesToDeadLetters) {
  auto op = create_ok(FlatMapOperator::create({.field = "items"}));
  open_ok(*op, baskets());
  const RunResult r = run(*op, baskets(),
                          {{I(1), S("abc"), N()},
                           {I(2), S("{\"a\": 1}"), N()},
                           {I(3), S("[1, 2"), N()},
                           {I(4), S("[1] 2"), N()},
                           {I(5), S(""), N()},
                           {I(6), S("42"), N()},
                           {I(7), S("[nul]"), N()},
                           {I(8), S("[\"a\"]"), N()},
                           {I(9), S("[1, x]"), N()},
                           {I(10), S("[1,]"), N()},
                           {I(11), S("[\"a]"), N()},
                           {I(12), S(" \t"), N()}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"id": 8, "items": "a", "shop": null})"}));
  EXPECT_EQ(
      r.reasons,
      (std::vector<std::string>{
          "field 'items': expected a JSON array, got 'abc'",
          "field 'items': expected a JSON array, got an object '{\"a\": 1}'",
          "field 'items': malformed JSON array '[1, 2': the array is not closed, or text "
          "follows it",
          "field 'items': malformed JSON array '[1] 2': the array is not closed, or text "
          "follows it",
          "field 'items': expected a JSON array, got an empty text",
          "field 'items': expected a JSON array, got a number '42'",
          "field 'items': malformed JSON array '[nul]': Problem while parsing an atom starting "
          "with the letter 'n'",
          "field 'items': malformed JSON array '[1, x]': The JSON document has an improper "
          "structure: missing or superfluous commas, braces, missing keys, etc.",
          "field 'items': malformed JSON array '[1,]': The JSON document has an improper "
          "structure: missing or superfluous commas, braces, missing keys, etc.",
          "field 'items': malformed JSON array '[\"a]': A string is opened, but never closed.",
          "field 'items': expected a JSON array, got an empty text"}));
  EXPECT_EQ(r.counts.dead, 11u);
  EXPECT_EQ(r.counts.out, 1u);
}

TEST(FlatMapOperatorTest, LongBadTextIsCutInTheReason) {
  auto op = create_ok(FlatMapOperator::create({.field = "items"}));
  open_ok(*op, baskets());
  const std::string text = "x" + std::string(100, 'y');
  const RunResult r = run(*op, baskets(), {{I(1), Value::of_string(text), N()}});
  EXPECT_EQ(r.reasons, (std::vector<std::string>{"field 'items': expected a JSON array, got 'x" +
                                                 std::string(59, 'y') + "...'"}));
}

TEST(FlatMapOperatorTest, Errors) {
  EXPECT_EQ(
      create_error(FlatMapOperator::create({.field = "", .field_pos = {.line = 6, .column = 14}})),
      "line 6, column 14: flat_map: 'field' is empty (name the string field holding a JSON "
      "array)");
  EXPECT_EQ(create_error(FlatMapOperator::create({.field = "items", .type = Type::kNull})),
            "line 1, column 1: flat_map: 'type' cannot be null (valid: string, bigint, double, "
            "boolean)");
  EXPECT_EQ(create_error(FlatMapOperator::create({.field = "items", .position = "items"})),
            "line 1, column 1: flat_map: 'position' and 'as' both name 'items'");
  auto unknown =
      create_ok(FlatMapOperator::create({.field = "item", .field_pos = {.line = 6, .column = 14}}));
  EXPECT_EQ(open_error(*unknown, baskets()),
            "line 6, column 14: unknown field 'item' (did you mean 'items'?)");
  auto not_string =
      create_ok(FlatMapOperator::create({.field = "id", .field_pos = {.line = 6, .column = 14}}));
  EXPECT_EQ(open_error(*not_string, baskets()),
            "line 6, column 14: flat_map: field 'id' is bigint; it must be a string holding a "
            "JSON array, e.g. [1, 2, 3]");
  auto taken = create_ok(FlatMapOperator::create({.field = "items", .as = "shop"}));
  EXPECT_EQ(open_error(*taken, baskets()),
            "line 1, column 1: flat_map: 'as' names the existing field 'shop' (choose a new "
            "name; the element replaces the field 'items')");
  auto position_taken = create_ok(FlatMapOperator::create({.field = "items", .position = "id"}));
  EXPECT_EQ(open_error(*position_taken, baskets()),
            "line 1, column 1: flat_map: 'position' names the existing field 'id' (choose a new "
            "name)");
}

TEST(FlatMapOperatorTest, CloneBehavesTheSameAndSnapshotIsEmpty) {
  auto op = create_ok(FlatMapOperator::create({.field = "items", .type = Type::kInt}));
  auto copy = op->clone();
  EXPECT_EQ(copy->kind(), "flat_map");
  open_ok(*op, baskets());
  open_ok(*copy, baskets());
  const std::vector<std::vector<Value>> rows = {{I(1), S("[1,2,3]"), N()}, {I(2), S("[x]"), N()}};
  EXPECT_EQ(run(*op, baskets(), rows).rows, run(*copy, baskets(), rows).rows);
  EXPECT_EQ(run(*op, baskets(), rows).reasons, run(*copy, baskets(), rows).reasons);
  snapshot_round_trip(*op);
  EXPECT_EQ(run(*op, baskets(), rows).rows.size(), 3u);
}

}  // namespace
}  // namespace rivulet::stream
