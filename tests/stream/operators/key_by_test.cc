#include <gtest/gtest.h>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr events() {
  return schema_of({{"user", Type::kString}, {"device", Type::kInt}, {"raw", Type::kString}});
}

TEST(KeyByOperatorTest, AddsTheKeyAtTheEnd) {
  auto op = create_ok(KeyByOperator::create({.key = "user"}));
  const SchemaPtr out = open_ok(*op, events());
  EXPECT_EQ(out->to_string(), "user string, device bigint, raw string, key string NOT NULL");
  EXPECT_EQ(op->key_field(), 3u);
  EXPECT_EQ(op->partition_key_field(), std::optional<size_t>(3));
  EXPECT_FALSE(op->keyed());
  const RunResult r = run(*op, events(), {{S("ann"), I(1), N()}, {S("bob"), N(), S("x")}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{
                        R"({"user": "ann", "device": 1, "raw": null, "key": "ann"})",
                        R"({"user": "bob", "device": null, "raw": "x", "key": "bob"})"}));
}

TEST(KeyByOperatorTest, ExpressionKeysAndNames) {
  auto op = create_ok(KeyByOperator::create({.key = "device % 10", .as = "shard"}));
  const SchemaPtr out = open_ok(*op, events());
  EXPECT_EQ(out->to_string(), "user string, device bigint, raw string, shard bigint NOT NULL");
  const RunResult r = run(*op, events(), {{S("a"), I(23), N()}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{R"({"user": "a", "device": 23, "raw": null, "shard": 3})"}));
}

TEST(KeyByOperatorTest, ReplacesAFieldOfTheSameName) {
  // Re-keying: a second key_by writes its key over the first one's, in place.
  auto op = create_ok(KeyByOperator::create({.key = "LOWER(user) || '/' || device", .as = "user"}));
  const SchemaPtr out = open_ok(*op, events());
  EXPECT_EQ(out->to_string(), "user string NOT NULL, device bigint, raw string");
  EXPECT_EQ(op->key_field(), 0u);
  const RunResult r = run(*op, events(), {{S("Ann"), I(7), S("r")}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"user": "ann/7", "device": 7, "raw": "r"})"}));
}

TEST(KeyByOperatorTest, NullKeysAndFailedCastsGoToDeadLetters) {
  auto op =
      create_ok(KeyByOperator::create({.key = "COALESCE(user, CAST(CAST(raw AS bigint) AS string))",
                                       .key_pos = {.line = 9, .column = 13}}));
  open_ok(*op, events());
  const RunResult r = run(*op, events(),
                          {{S("ann"), I(1), N()},
                           {N(), I(2), N()},
                           {N(), I(3), S("42")},
                           {N(), I(4), S("4x2")},
                           {S(""), I(5), S("4x2")}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{R"({"user": "ann", "device": 1, "raw": null, "key": "ann"})",
                                      R"({"user": null, "device": 3, "raw": "42", "key": "42"})",
                                      R"({"user": "", "device": 5, "raw": "4x2", "key": ""})"}));
  EXPECT_EQ(r.reasons, (std::vector<std::string>{
                           "key is NULL",
                           "computing the key: line 9, column 33: cannot CAST '4x2' AS bigint; "
                           "use TRY_CAST to get NULL instead"}));
  EXPECT_EQ(r.dead[0].record, R"({"user": null, "device": 2, "raw": null})");
  EXPECT_EQ(r.dead[0].stage, "key_by");
  EXPECT_EQ(r.counts.in, 5u);
  EXPECT_EQ(r.counts.out, 3u);
  EXPECT_EQ(r.counts.dead, 2u);
}

TEST(KeyByOperatorTest, Errors) {
  EXPECT_EQ(create_error(KeyByOperator::create({.key = "", .key_pos = {.line = 3, .column = 12}})),
            "line 3, column 12: key_by: the key is empty (give a field or an expression, e.g. "
            "user_id)");
  EXPECT_EQ(create_error(KeyByOperator::create(
                {.key = "user", .key_pos = {.line = 3, .column = 12}, .as = ""})),
            "line 3, column 12: key_by: 'as' is empty (the key field needs a name)");
  auto unknown =
      create_ok(KeyByOperator::create({.key = "usr", .key_pos = {.line = 3, .column = 12}}));
  EXPECT_EQ(open_error(*unknown, events()),
            "line 3, column 12: unknown field 'usr' (did you mean 'user'?)");
  auto wrong_type = create_ok(
      KeyByOperator::create({.key = "device / 2.0", .key_pos = {.line = 3, .column = 12}}));
  EXPECT_EQ(open_error(*wrong_type, events()),
            "line 3, column 12: key_by: a key must be a string or bigint, got double (convert "
            "it, e.g. CAST(x AS string))");
  auto boolean = create_ok(KeyByOperator::create({.key = "device > 2"}));
  EXPECT_EQ(open_error(*boolean, events()),
            "line 1, column 1: key_by: a key must be a string or bigint, got boolean (convert "
            "it, e.g. CAST(x AS string))");
}

TEST(KeyByOperatorTest, CloneBehavesTheSameAndSnapshotIsEmpty) {
  auto op = create_ok(KeyByOperator::create({.key = "UPPER(user)"}));
  auto copy = op->clone();
  EXPECT_EQ(copy->kind(), "key_by");
  EXPECT_EQ(copy->partition_key_field(), std::nullopt);  // not opened yet
  open_ok(*op, events());
  open_ok(*copy, events());
  EXPECT_EQ(copy->partition_key_field(), op->partition_key_field());
  const std::vector<std::vector<Value>> rows = {{S("a"), I(1), N()}, {N(), I(1), N()}};
  EXPECT_EQ(run(*op, events(), rows).rows, run(*copy, events(), rows).rows);
  snapshot_round_trip(*op);
  EXPECT_EQ(run(*op, events(), rows).rows.size(), 1u);
}

}  // namespace
}  // namespace rivulet::stream
