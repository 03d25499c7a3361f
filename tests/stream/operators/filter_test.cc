#include <gtest/gtest.h>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr payments() {
  return schema_of({{"amount", Type::kDouble}, {"country", Type::kString}, {"qty", Type::kString}});
}

TEST(FilterOperatorTest, KeepsRowsWhereTheConditionIsTrue) {
  auto op = create_ok(FilterOperator::create({.condition = "amount > 0 AND country <> 'XX'"}));
  const SchemaPtr in = payments();
  EXPECT_EQ(open_ok(*op, in), in);  // the schema is unchanged
  const RunResult r = run(*op, payments(),
                          {{D(12.5), S("FR"), S("1")},
                           {D(-1), S("FR"), S("1")},
                           {D(3), S("XX"), S("1")},
                           {N(), S("FR"), S("1")},  // NULL > 0 is NULL: dropped
                           {D(4), N(), S("1")},     // NULL <> 'XX' is NULL: dropped
                           {D(7), S("DE"), N()}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"amount": 12.5, "country": "FR", "qty": "1"})",
                                              R"({"amount": 7, "country": "DE", "qty": null})"}));
  EXPECT_EQ(r.counts.in, 6u);
  EXPECT_EQ(r.counts.out, 2u);
  EXPECT_EQ(r.counts.filtered, 4u);
  EXPECT_EQ(r.counts.dead, 0u);
  EXPECT_EQ(*r.schema, *payments());
}

TEST(FilterOperatorTest, FailedCastGoesToDeadLettersNotFiltered) {
  auto op = create_ok(FilterOperator::create({.condition = "amount > 0 AND CAST(qty AS bigint) > 1",
                                              .condition_pos = {.line = 4, .column = 13}}));
  op->set_name("big_orders");
  open_ok(*op, payments());
  const RunResult r = run(*op, payments(),
                          {{D(1), S("FR"), S("5")},
                           {D(2), S("FR"), S("abc")},
                           {D(-3), S("FR"), S("abc")},  // leaves at amount > 0: CAST not run
                           {D(4), S("FR"), S("0")},
                           {D(5), S("FR"), S(" 7 ")}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"amount": 1, "country": "FR", "qty": "5"})",
                                              R"({"amount": 5, "country": "FR", "qty": " 7 "})"}));
  ASSERT_EQ(r.dead.size(), 1u);
  EXPECT_EQ(r.dead[0].stage, "big_orders");
  EXPECT_EQ(r.dead[0].reason,
            "line 4, column 28: cannot CAST 'abc' AS bigint; use TRY_CAST to get NULL instead");
  EXPECT_EQ(r.dead[0].record, R"({"amount": 2, "country": "FR", "qty": "abc"})");
  EXPECT_EQ(r.dead[0].origin, "events.jsonl");
  EXPECT_EQ(r.dead[0].event_time, 1001);
  EXPECT_EQ(r.counts.in, 5u);
  EXPECT_EQ(r.counts.out, 2u);
  EXPECT_EQ(r.counts.filtered, 2u);
  EXPECT_EQ(r.counts.dead, 1u);
}

TEST(FilterOperatorTest, StageDefaultsToTheKind) {
  auto op = create_ok(FilterOperator::create({.condition = "CAST(qty AS double) > 0"}));
  open_ok(*op, payments());
  const RunResult r = run(*op, payments(), {{D(1), S("FR"), S("x")}});
  ASSERT_EQ(r.dead.size(), 1u);
  EXPECT_EQ(r.dead[0].stage, "filter");
  EXPECT_EQ(r.dead[0].reason,
            "line 1, column 1: cannot CAST 'x' AS double; use TRY_CAST to get NULL instead");
}

TEST(FilterOperatorTest, ErrorsNameThePipelineLineAndColumn) {
  EXPECT_EQ(create_error(FilterOperator::create(
                {.condition = "  ", .condition_pos = {.line = 3, .column = 13}})),
            "line 3, column 13: filter: the condition is empty (write a boolean expression, e.g. "
            "amount > 0 AND country <> 'XX')");
  auto unknown = create_ok(FilterOperator::create(
      {.condition = "amout > 1", .condition_pos = {.line = 12, .column = 18}}));
  EXPECT_EQ(open_error(*unknown, payments()),
            "line 12, column 18: unknown field 'amout' (did you mean 'amount'?)");
  auto not_boolean = create_ok(FilterOperator::create(
      {.condition = "amount * 2", .condition_pos = {.line = 3, .column = 16}}));
  EXPECT_EQ(open_error(*not_boolean, payments()),
            "line 3, column 23: a filter condition must be boolean, got double (compare it, e.g. "
            "x > 0)");
}

TEST(FilterOperatorTest, EmptyBatchAndAllKept) {
  auto op = create_ok(FilterOperator::create({.condition = "TRUE"}));
  open_ok(*op, payments());
  EXPECT_TRUE(run(*op, payments(), {}).rows.empty());
  const RunResult r = run(*op, payments(), {{N(), N(), N()}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{R"({"amount": null, "country": null, "qty": null})"}));
}

TEST(FilterOperatorTest, CloneBehavesTheSameAndSnapshotIsEmpty) {
  auto op = create_ok(FilterOperator::create({.condition = "amount BETWEEN 1 AND 5"}));
  auto copy = op->clone();
  EXPECT_EQ(copy->kind(), "filter");
  open_ok(*op, payments());
  open_ok(*copy, payments());
  const std::vector<std::vector<Value>> rows = {
      {D(0), N(), N()}, {D(1), N(), N()}, {D(5), N(), N()}, {D(6), N(), N()}};
  EXPECT_EQ(run(*op, payments(), rows).rows, run(*copy, payments(), rows).rows);
  EXPECT_EQ(run(*op, payments(), rows).rows.size(), 2u);
  EXPECT_EQ(snapshot_round_trip(*op).size(), snapshot_round_trip(*copy).size());
  EXPECT_EQ(run(*op, payments(), rows).rows.size(), 2u);
}

}  // namespace
}  // namespace rivulet::stream
