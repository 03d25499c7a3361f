#include <gtest/gtest.h>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr orders() {
  return schema_of({{"price", Type::kDouble}, {"qty", Type::kInt}, {"name", Type::kString}});
}

TEST(MapOperatorTest, AddsAndReplacesFieldsInOrder) {
  auto op = create_ok(MapOperator::create({.fields = {
                                               {"total", "price * qty", {}},
                                               {"name", "UPPER(name)", {}},
                                               {"label", "name || '-' || CAST(qty AS string)", {}},
                                               {"qty", "qty * 2", {}},
                                           }}));
  const SchemaPtr out = open_ok(*op, orders());
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->to_string(), "price double, qty bigint, name string, total double, label string");
  const RunResult r = run(*op, orders(), {{D(2.5), I(4), S("ab")}, {D(1), N(), S("x")}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{
                R"({"price": 2.5, "qty": 8, "name": "AB", "total": 10, "label": "AB-4"})",
                R"({"price": 1, "qty": null, "name": "X", "total": null, "label": null})"}));
  EXPECT_EQ(r.counts.in, 2u);
  EXPECT_EQ(r.counts.out, 2u);
  EXPECT_EQ(*r.schema, *out);
}

TEST(MapOperatorTest, ReplacingAFieldChangesItsType) {
  auto op = create_ok(MapOperator::create(
      {.fields = {{"qty", "CAST(qty AS double) / 2", {}}, {"big", "qty > 2", {}}}}));
  const SchemaPtr out = open_ok(*op, orders());
  EXPECT_EQ(out->to_string(), "price double, qty double, name string, big boolean");
  const RunResult r = run(*op, orders(), {{D(1), I(5), S("a")}, {D(1), I(3), S("a")}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{R"({"price": 1, "qty": 2.5, "name": "a", "big": true})",
                                      R"({"price": 1, "qty": 1.5, "name": "a", "big": false})"}));
}

TEST(MapOperatorTest, NonNullableResultsAreNotNull) {
  auto op = create_ok(
      MapOperator::create({.fields = {{"seen", "COALESCE(name, 'none')", {}}, {"one", "1", {}}}}));
  const SchemaPtr out = open_ok(*op, orders());
  EXPECT_EQ(out->to_string(),
            "price double, qty bigint, name string, seen string NOT NULL, one bigint NOT NULL");
  const RunResult r = run(*op, orders(), {{N(), N(), N()}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{
                R"({"price": null, "qty": null, "name": null, "seen": "none", "one": 1})"}));
}

TEST(MapOperatorTest, FailedCastsGoToDeadLettersOncePerRowInRowOrder) {
  const SchemaPtr in = schema_of({{"a", Type::kString}, {"b", Type::kString}});
  auto op = create_ok(
      MapOperator::create({.fields = {{"x", "CAST(a AS bigint)", {.line = 5, .column = 8}},
                                      {"y", "CAST(b AS double)", {.line = 6, .column = 8}}}}));
  op->set_name("parse");
  open_ok(*op, in);
  const RunResult r =
      run(*op, in, {{S("1"), S("2")}, {S("q"), S("2")}, {S("1"), S("w")}, {S("q"), S("w")}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"a": "1", "b": "2", "x": 1, "y": 2})"}));
  EXPECT_EQ(r.reasons, (std::vector<std::string>{
                           "computing 'x': line 5, column 8: cannot CAST 'q' AS bigint; use "
                           "TRY_CAST to get NULL instead",
                           "computing 'y': line 6, column 8: cannot CAST 'w' AS double; use "
                           "TRY_CAST to get NULL instead",
                           "computing 'x': line 5, column 8: cannot CAST 'q' AS bigint; use "
                           "TRY_CAST to get NULL instead"}));
  ASSERT_EQ(r.dead.size(), 3u);
  EXPECT_EQ(r.dead[0].record, R"({"a": "q", "b": "2"})");  // the input record
  EXPECT_EQ(r.dead[0].stage, "parse");
  EXPECT_EQ(r.dead[0].event_time, 1001);
  EXPECT_EQ(r.dead[1].event_time, 1002);
  EXPECT_EQ(r.counts.in, 4u);
  EXPECT_EQ(r.counts.out, 1u);
  EXPECT_EQ(r.counts.dead, 3u);
}

TEST(MapOperatorTest, OutputStringsBelongToTheOutputBatch) {
  // Constants, copies of input strings and computed strings must stay valid after the operator
  // has processed other batches and the input is gone.
  auto op = create_ok(MapOperator::create(
      {.fields = {
           {"tag", "'constant'", {}}, {"copy", "name", {}}, {"shout", "UPPER(name) || '!'", {}}}}));
  open_ok(*op, orders());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch first = batch_of(orders(), {{D(1), I(1), S("alpha")}});
  ASSERT_TRUE(op->process(first, ctx).ok());
  for (int i = 0; i < 3; ++i) {
    Batch other = batch_of(orders(), {{D(2), I(2), S("beta-beta-beta-beta")}});
    ASSERT_TRUE(op->process(other, ctx).ok());
    EXPECT_EQ(rows_of(other)[0],
              R"({"price": 2, "qty": 2, "name": "beta-beta-beta-beta", "tag": "constant", )"
              R"("copy": "beta-beta-beta-beta", "shout": "BETA-BETA-BETA-BETA!"})");
  }
  auto op2 = std::move(op);
  op2.reset();  // the expressions' constants are gone too
  EXPECT_EQ(rows_of(first)[0],
            R"({"price": 1, "qty": 1, "name": "alpha", "tag": "constant", "copy": "alpha", )"
            R"("shout": "ALPHA!"})");
}

TEST(MapOperatorTest, Errors) {
  EXPECT_EQ(create_error(MapOperator::create({})),
            "map: 'fields' is empty (give name: expression pairs, e.g. total: price * quantity)");
  EXPECT_EQ(create_error(MapOperator::create({.fields = {{"", "1", {.line = 2, .column = 5}}}})),
            "line 2, column 5: map: a field name is empty");
  EXPECT_EQ(create_error(MapOperator::create({.fields = {{"x", " ", {.line = 2, .column = 8}}}})),
            "line 2, column 8: map: the expression of 'x' is empty");

  auto unknown =
      create_ok(MapOperator::create({.fields = {{"t", "pricee * 2", {.line = 2, .column = 10}}}}));
  EXPECT_EQ(open_error(*unknown, orders()),
            "line 2, column 10: unknown field 'pricee' (did you mean 'price'?)");
  // A field is only visible to the expressions after the one that defines it.
  auto later =
      create_ok(MapOperator::create({.fields = {{"a", "zz + 1", {.line = 2, .column = 8}},
                                                {"zz", "qty", {.line = 3, .column = 9}}}}));
  EXPECT_EQ(open_error(*later, orders()),
            "line 2, column 8: unknown field 'zz' (fields: price, qty, name)");
  auto untyped =
      create_ok(MapOperator::create({.fields = {{"x", "NULL", {.line = 4, .column = 8}}}}));
  EXPECT_EQ(open_error(*untyped, orders()),
            "line 4, column 8: map: the value of 'x' is NULL of no type (give it one, e.g. "
            "CAST(NULL AS bigint))");
  auto bad_types =
      create_ok(MapOperator::create({.fields = {{"x", "name + 1", {.line = 4, .column = 8}}}}));
  EXPECT_EQ(open_error(*bad_types, orders()),
            "line 4, column 13: operator '+' expects numbers, got string and bigint (use || or "
            "CONCAT to join strings)");
}

TEST(MapOperatorTest, CloneBehavesTheSameAndSnapshotIsEmpty) {
  auto op = create_ok(MapOperator::create({.fields = {{"v", "price * qty", {}}}}));
  auto copy = op->clone();
  EXPECT_EQ(copy->kind(), "map");
  open_ok(*op, orders());
  open_ok(*copy, orders());
  const std::vector<std::vector<Value>> rows = {{D(1.5), I(2), S("a")}, {N(), I(1), N()}};
  EXPECT_EQ(run(*op, orders(), rows).rows, run(*copy, orders(), rows).rows);
  snapshot_round_trip(*op);
  EXPECT_EQ(run(*op, orders(), rows).rows,
            (std::vector<std::string>{R"({"price": 1.5, "qty": 2, "name": "a", "v": 3})",
                                      R"({"price": null, "qty": 1, "name": null, "v": null})"}));
}

TEST(MapOperatorTest, EmptyBatchHasTheOutputSchema) {
  auto op = create_ok(MapOperator::create({.fields = {{"v", "price * qty", {}}}}));
  const SchemaPtr out = open_ok(*op, orders());
  const RunResult r = run(*op, orders(), {});
  EXPECT_TRUE(r.rows.empty());
  EXPECT_EQ(r.schema, out);
}

}  // namespace
}  // namespace rivulet::stream
