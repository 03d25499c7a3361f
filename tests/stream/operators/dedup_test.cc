#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/stream/operators.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr clicks() { return schema_of({{"user", Type::kString}, {"ad", Type::kInt}}); }

// Rows with explicit event times.
Batch timed(const std::vector<std::tuple<const char*, int64_t, int64_t>>& rows) {
  Batch b(clicks());
  for (const auto& [user, ad, t] : rows) {
    const size_t r = b.add_row(t);
    b.set_string(r, 0, user);
    b.set(r, 1, Value::of_int(ad));
  }
  return b;
}

TEST(DedupOperatorTest, KeepsTheFirstRowOfAKeyWithinTheRange) {
  auto op = create_ok(DedupOperator::create({.key = {{"user", {}}, {"ad", {}}}, .within_ms = 100}));
  open_ok(*op, clicks());
  Batch b = timed({{"ann", 1, 1000},
                   {"ann", 1, 1050},  // 50 ms after the kept one: a duplicate
                   {"ann", 2, 1060},  // another ad: another key
                   {"bob", 1, 1070},
                   {"ann", 1, 1099},    // still within 100 ms of 1000
                   {"ann", 1, 1100}});  // 100 ms after: kept, a new range from 1100
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  ASSERT_TRUE(op->process(b, ctx).ok());
  EXPECT_EQ(rows_of(b), (std::vector<std::string>{
                            R"({"user": "ann", "ad": 1})", R"({"user": "ann", "ad": 2})",
                            R"({"user": "bob", "ad": 1})", R"({"user": "ann", "ad": 1})"}));
  EXPECT_EQ(b.event_time(3), 1100);
  EXPECT_EQ(ctx.counts.in, 6u);
  EXPECT_EQ(ctx.counts.out, 4u);
  EXPECT_EQ(ctx.counts.filtered, 2u);
  EXPECT_EQ(op->keys_held(), 3u);
}

TEST(DedupOperatorTest, TheWatermarkDropsKeysWhoseRangeHasEnded) {
  auto op = create_ok(DedupOperator::create({.key = {{"user", {}}}, .within_ms = 100}));
  open_ok(*op, clicks());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch b = timed({{"ann", 1, 1000}, {"bob", 1, 1080}});
  ASSERT_TRUE(op->process(b, ctx).ok());
  Batch out(clicks());
  ASSERT_TRUE(op->on_watermark(1099, out, ctx).ok());
  EXPECT_EQ(op->keys_held(), 2u);
  ASSERT_TRUE(op->on_watermark(1100, out, ctx).ok());  // ann's range [1000, 1100) is over
  EXPECT_EQ(op->keys_held(), 1u);
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(op->on_watermark(INT64_MAX, out, ctx).ok());
  EXPECT_EQ(op->keys_held(), 0u);
}

TEST(DedupOperatorTest, NullIsAKeyValueLikeAnyOther) {
  auto op = create_ok(DedupOperator::create({.key = {{"user", {}}}, .within_ms = 1000}));
  open_ok(*op, clicks());
  const RunResult r = run(*op, clicks(), {{N(), I(1)}, {N(), I(2)}, {S(""), I(3)}});
  EXPECT_EQ(r.rows,
            (std::vector<std::string>{R"({"user": null, "ad": 1})", R"({"user": "", "ad": 3})"}));
}

TEST(DedupOperatorTest, StateSnapshotsAndRestores) {
  auto op = create_ok(DedupOperator::create({.key = {{"user", {}}}, .within_ms = 100}));
  open_ok(*op, clicks());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch b = timed({{"ann", 1, 1000}, {"bob", 1, 1010}});
  ASSERT_TRUE(op->process(b, ctx).ok());
  std::stringstream bytes;
  {
    StateWriter writer(bytes);
    op->snapshot(writer);
  }
  auto restored = op->clone();
  open_ok(*restored, clicks());
  {
    StateReader reader(bytes);
    ASSERT_TRUE(restored->restore(reader).ok());
  }
  // The restored step still knows ann and bob: their rows within the range are duplicates.
  Batch again = timed({{"ann", 2, 1050}, {"bob", 2, 1200}, {"cy", 1, 1060}});
  OperatorContext ctx2(dead);
  ASSERT_TRUE(restored->process(again, ctx2).ok());
  EXPECT_EQ(rows_of(again), (std::vector<std::string>{R"({"user": "bob", "ad": 2})",
                                                      R"({"user": "cy", "ad": 1})"}));
}

TEST(DedupOperatorTest, OptionAndFieldErrors) {
  EXPECT_EQ(DedupOperator::create({.key = {}, .within_ms = 10, .pos = {.line = 4, .column = 5}})
                .status()
                .message(),
            "line 4, column 5: dedup: 'key' is empty (give the fields that identify a duplicate)");
  EXPECT_EQ(DedupOperator::create(
                {.key = {{"user", {}}}, .within_ms = 0, .pos = {.line = 4, .column = 5}})
                .status()
                .message(),
            "line 4, column 5: dedup: 'within_ms' must be > 0, got 0");
  auto op = create_ok(
      DedupOperator::create({.key = {{"usr", {.line = 6, .column = 12}}}, .within_ms = 10}));
  EXPECT_EQ(open_error(*op, clicks()),
            "line 6, column 12: dedup: unknown field 'usr' (did you mean 'user'?)");
}

}  // namespace
}  // namespace rivulet::stream
