#include <gtest/gtest.h>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr users() {
  return schema_of({{"id", Type::kInt, false},
                    {"name", Type::kString},
                    {"score", Type::kDouble},
                    {"ok", Type::kBool}});
}

TEST(SelectOperatorTest, KeepsRenamesAndReordersFields) {
  auto op = create_ok(SelectOperator::create(
      {.fields = {{"score", "", {}}, {"user", "id", {}}, {"id", "", {}}, {"label", "name", {}}}}));
  const SchemaPtr out = open_ok(*op, users());
  EXPECT_EQ(out->to_string(),
            "score double, user bigint NOT NULL, id bigint NOT NULL, label string");
  const RunResult r =
      run(*op, users(), {{I(1), S("ann"), D(0.5), B(true)}, {I(2), N(), N(), B(false)}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{R"({"score": 0.5, "user": 1, "id": 1, "label": "ann"})",
                                      R"({"score": null, "user": 2, "id": 2, "label": null})"}));
  EXPECT_EQ(r.counts.in, 2u);
  EXPECT_EQ(r.counts.out, 2u);
  EXPECT_EQ(*r.schema, *out);
}

TEST(SelectOperatorTest, KeepsEventTimes) {
  auto op = create_ok(SelectOperator::create({.fields = {{"name", "", {}}}}));
  open_ok(*op, users());
  Batch batch = batch_of(users(), {{I(1), S("a"), N(), N()}, {I(2), S("b"), N(), N()}});
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  ASSERT_TRUE(op->process(batch, ctx).ok());
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch.event_time(0), 1000);
  EXPECT_EQ(batch.event_time(1), 1001);
}

TEST(SelectOperatorTest, Errors) {
  EXPECT_EQ(create_error(SelectOperator::create({})),
            "select: 'fields' is empty (list the fields to keep)");
  EXPECT_EQ(create_error(SelectOperator::create({.fields = {{"", "", {.line = 7, .column = 9}}}})),
            "line 7, column 9: select: a field name is empty");
  EXPECT_EQ(create_error(SelectOperator::create(
                {.fields = {{"id", "", {}}, {"id", "name", {.line = 8, .column = 9}}}})),
            "line 8, column 9: select: the output field 'id' is listed twice (rename one, e.g. "
            "'id_2: name')");
  auto unknown = create_ok(SelectOperator::create(
      {.fields = {{"id", "", {}}, {"nmae", "", {.line = 9, .column = 11}}}}));
  EXPECT_EQ(open_error(*unknown, users()),
            "line 9, column 11: unknown field 'nmae' (did you mean 'name'?)");
  auto unknown_from =
      create_ok(SelectOperator::create({.fields = {{"x", "scroe", {.line = 9, .column = 14}}}}));
  EXPECT_EQ(open_error(*unknown_from, users()),
            "line 9, column 14: unknown field 'scroe' (did you mean 'score'?)");
}

TEST(DropOperatorTest, RemovesTheListedFields) {
  auto op = create_ok(DropOperator::create({.fields = {{"score", {}}, {"id", {}}}}));
  const SchemaPtr out = open_ok(*op, users());
  EXPECT_EQ(out->to_string(), "name string, ok boolean");
  const RunResult r = run(*op, users(), {{I(1), S("ann"), D(0.5), B(true)}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"name": "ann", "ok": true})"}));
  EXPECT_EQ(op->kind(), "drop");
}

TEST(DropOperatorTest, Errors) {
  EXPECT_EQ(create_error(DropOperator::create({})),
            "drop: 'fields' is empty (list the fields to remove)");
  EXPECT_EQ(create_error(DropOperator::create({.fields = {{"", {.line = 2, .column = 3}}}})),
            "line 2, column 3: drop: a field name is empty");
  EXPECT_EQ(create_error(
                DropOperator::create({.fields = {{"id", {}}, {"id", {.line = 2, .column = 13}}}})),
            "line 2, column 13: drop: the field 'id' is listed twice");
  auto unknown =
      create_ok(DropOperator::create({.fields = {{"Score", {.line = 4, .column = 12}}}}));
  EXPECT_EQ(open_error(*unknown, users()),
            "line 4, column 12: unknown field 'Score' (did you mean 'score'?)");
  auto all = create_ok(DropOperator::create(
      {.fields = {{"id", {.line = 5, .column = 12}}, {"name", {}}, {"score", {}}, {"ok", {}}}}));
  EXPECT_EQ(open_error(*all, users()),
            "line 5, column 12: drop: every field would be dropped (a record needs at least one "
            "field)");
}

TEST(SelectOperatorTest, CloneBehavesTheSameAndSnapshotIsEmpty) {
  auto select = create_ok(SelectOperator::create({.fields = {{"n", "name", {}}}}));
  auto drop = create_ok(DropOperator::create({.fields = {{"name", {}}}}));
  const std::vector<std::vector<Value>> rows = {{I(1), S("ann"), D(0.5), B(true)}};
  for (Operator* op : {static_cast<Operator*>(select.get()), static_cast<Operator*>(drop.get())}) {
    auto copy = op->clone();
    EXPECT_EQ(copy->kind(), op->kind());
    open_ok(*op, users());
    open_ok(*copy, users());
    EXPECT_EQ(run(*op, users(), rows).rows, run(*copy, users(), rows).rows);
    snapshot_round_trip(*op);
    EXPECT_EQ(run(*op, users(), rows).rows, run(*copy, users(), rows).rows);
  }
}

}  // namespace
}  // namespace rivulet::stream
