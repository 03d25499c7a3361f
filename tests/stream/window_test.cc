#include "rivulet/stream/window.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr payments() { return schema_of({{"card", Type::kString}, {"amount", Type::kDouble}}); }

Batch timed(const std::vector<std::tuple<const char*, double, int64_t>>& rows) {
  Batch b(payments());
  for (const auto& [card, amount, t] : rows) {
    const size_t r = b.add_row(t);
    b.set_string(r, 0, card);
    b.set(r, 1, Value::of_double(amount));
  }
  return b;
}

// Keeps what goes to side outputs.
class SideContext final : public OperatorContext {
 public:
  explicit SideContext(DeadLetters& dead) : OperatorContext(dead) {}
  void side(size_t id, Batch& batch) override {
    for (const auto& row : rows_of(batch)) sides.push_back(fmt::format("{}: {}", id, row));
    batch.clear();
  }
  std::vector<std::string> sides;
};

struct Harness {
  explicit Harness(WindowOperator::Options o) : op(WindowOperator::create(std::move(o)).value()) {
    out_schema = open_ok(*op, payments());
  }
  std::vector<std::string> process(Batch b) {
    SideContext ctx(dead);
    EXPECT_TRUE(op->process(b, ctx).ok());
    in += ctx.counts.in;
    filtered += ctx.counts.filtered;
    sides.insert(sides.end(), ctx.sides.begin(), ctx.sides.end());
    return rows_of(b);
  }
  std::vector<std::string> sides;
  std::vector<std::string> watermark(int64_t wm) {
    OperatorContext ctx(dead);
    Batch out(out_schema);
    EXPECT_TRUE(op->on_watermark(wm, out, ctx).ok());
    return rows_of(out);
  }
  std::unique_ptr<WindowOperator> op;
  SchemaPtr out_schema;
  CollectingDeadLetters dead;
  uint64_t in = 0, filtered = 0;
};

TEST(WindowOperatorTest, TumblingWindowsFireAtTheWatermark) {
  Harness h(
      {.group_by = {{"card", {}}},
       .size_ms = 1000,
       .aggregates = {
           {"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}, {"biggest", "MAX(amount)", {}}}});
  EXPECT_EQ(h.out_schema->to_string(),
            "card string, window_start bigint NOT NULL, window_end bigint NOT NULL, n bigint, "
            "total double, biggest double");
  EXPECT_TRUE(
      h.process(timed({{"a", 10, 100}, {"b", 5, 200}, {"a", 20, 999}, {"a", 1, 1000}})).empty());
  EXPECT_EQ(h.in, 4u);
  EXPECT_EQ(h.filtered, 4u);
  EXPECT_TRUE(h.watermark(999).empty());  // [0, 1000) ends at 1000
  EXPECT_EQ(
      h.watermark(1000),
      (std::vector<std::string>{
          R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 2, "total": 30, "biggest": 20})",
          R"({"card": "b", "window_start": 0, "window_end": 1000, "n": 1, "total": 5, "biggest": 5})"}));
  EXPECT_EQ(h.op->windows_held(), 1u);  // a's [1000, 2000)
  EXPECT_EQ(
      h.watermark(INT64_MAX),
      (std::vector<std::string>{
          R"({"card": "a", "window_start": 1000, "window_end": 2000, "n": 1, "total": 1, "biggest": 1})"}));
  EXPECT_EQ(h.op->windows_held(), 0u);
}

TEST(WindowOperatorTest, HoppingWindowsHoldEachRowInSizeOverSlideWindows) {
  Harness h({.size_ms = 1000, .slide_ms = 500, .aggregates = {{"n", "COUNT(*)", {}}}});
  h.process(timed({{"a", 1, 200}, {"b", 1, 700}, {"c", 1, 1200}}));
  // [-500, 500): 200; [0, 1000): 200, 700; [500, 1500): 700, 1200; [1000, 2000): 1200.
  EXPECT_EQ(h.watermark(INT64_MAX),
            (std::vector<std::string>{R"({"window_start": -500, "window_end": 500, "n": 1})",
                                      R"({"window_start": 0, "window_end": 1000, "n": 2})",
                                      R"({"window_start": 500, "window_end": 1500, "n": 2})",
                                      R"({"window_start": 1000, "window_end": 2000, "n": 1})"}));
}

TEST(WindowOperatorTest, LateRowsUpdateWithinTheAllowedLatenessElseGoToTheLateOutput) {
  Harness h({.group_by = {{"card", {}}},
             .size_ms = 1000,
             .aggregates = {{"n", "COUNT(*)", {}}},
             .allowed_lateness_ms = 500});
  h.process(timed({{"a", 1, 100}}));
  EXPECT_EQ(h.watermark(1200),
            (std::vector<std::string>{
                R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 1})"}));
  // Late, but within 500 ms of the end: the window fires again with the updated count.
  EXPECT_EQ(h.process(timed({{"a", 1, 300}})),
            (std::vector<std::string>{
                R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 2})"}));
  EXPECT_TRUE(h.watermark(1500).empty());  // the window is dropped, nothing new to say
  EXPECT_EQ(h.op->windows_held(), 0u);
  // Later than that: the late side output (counted, not lost).
  EXPECT_TRUE(h.sides.empty());
  EXPECT_TRUE(h.process(timed({{"a", 1, 400}})).empty());
  EXPECT_EQ(h.filtered, 3u);
  EXPECT_EQ(h.sides, (std::vector<std::string>{R"(0: {"card": "a", "amount": 1})"}));
}

TEST(WindowOperatorTest, SessionWindowsEndAGapAfterTheLastRowAndMerge) {
  Harness h({.group_by = {{"card", {}}},
             .gap_ms = 100,
             .aggregates = {{"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}}});
  h.process(timed({{"a", 1, 1000},
                   {"a", 2, 1050},
                   {"b", 5, 1060},     // a: [1000, 1150)
                   {"a", 4, 1180},     // a: [1180, 1280)
                   {"a", 8, 1140}}));  // [1140, 1240) bridges the two: a: [1000, 1280)
  EXPECT_EQ(h.op->windows_held(), 2u);
  EXPECT_TRUE(h.watermark(1159).empty());
  EXPECT_EQ(h.watermark(1160),
            (std::vector<std::string>{
                R"({"card": "b", "window_start": 1060, "window_end": 1160, "n": 1, "total": 5})"}));
  EXPECT_EQ(
      h.watermark(INT64_MAX),
      (std::vector<std::string>{
          R"({"card": "a", "window_start": 1000, "window_end": 1280, "n": 4, "total": 15})"}));
  EXPECT_EQ(h.op->windows_held(), 0u);
}

TEST(WindowOperatorTest, SessionStateSnapshotsAndRestores) {
  const WindowOperator::Options o{
      .group_by = {{"card", {}}}, .gap_ms = 100, .aggregates = {{"n", "COUNT(*)", {}}}};
  Harness h(o);
  h.process(timed({{"a", 1, 1000}}));
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    h.op->snapshot(w);
  }
  Harness restored(o);
  {
    StateReader r(bytes);
    ASSERT_TRUE(restored.op->restore(r).ok());
  }
  restored.process(timed({{"a", 1, 1090}}));  // within the gap: the same session
  EXPECT_EQ(restored.watermark(INT64_MAX),
            (std::vector<std::string>{
                R"({"card": "a", "window_start": 1000, "window_end": 1190, "n": 2})"}));
}

TEST(WindowOperatorTest, CountWindowsFireEveryNRowsOfAGroup) {
  const WindowOperator::Options o{
      .group_by = {{"card", {}}}, .count = 2, .aggregates = {{"total", "SUM(amount)", {}}}};
  Harness h(o);
  EXPECT_EQ(h.process(timed({{"a", 1, 100}, {"b", 5, 150}, {"a", 2, 300}, {"a", 4, 400}})),
            (std::vector<std::string>{
                R"({"card": "a", "window_start": 100, "window_end": 301, "total": 3})"}));
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    h.op->snapshot(w);
  }
  Harness restored(o);
  {
    StateReader r(bytes);
    ASSERT_TRUE(restored.op->restore(r).ok());
  }
  EXPECT_EQ(restored.process(timed({{"b", 6, 500}, {"a", 8, 600}})),
            (std::vector<std::string>{
                R"({"card": "b", "window_start": 150, "window_end": 501, "total": 11})",
                R"({"card": "a", "window_start": 400, "window_end": 601, "total": 12})"}));
  EXPECT_TRUE(restored.watermark(INT64_MAX).empty());  // no window left half full
}

TEST(WindowOperatorTest, EarlyFiringsEmitPartialResultsOfChangedWindows) {
  Harness h({.group_by = {{"card", {}}},
             .size_ms = 1000,
             .early_fire_ms = 500,
             .aggregates = {{"n", "COUNT(*)", {}}}});
  const auto timer = [&](int64_t now) {
    OperatorContext ctx(h.dead);
    ctx.now_ms = now;
    Batch out(h.out_schema);
    EXPECT_TRUE(h.op->on_timer(out, ctx).ok());
    return rows_of(out);
  };
  h.process(timed({{"a", 1, 100}, {"b", 1, 200}}));
  EXPECT_EQ(timer(10000), (std::vector<std::string>{
                              R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 1})",
                              R"({"card": "b", "window_start": 0, "window_end": 1000, "n": 1})"}));
  h.process(timed({{"a", 1, 300}}));
  EXPECT_TRUE(timer(10200).empty());  // not 500 ms since the last early firing
  EXPECT_EQ(timer(10500), (std::vector<std::string>{
                              R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 2})"}));
  EXPECT_TRUE(timer(11000).empty());  // nothing changed
  // The final rows still come at the watermark.
  EXPECT_EQ(h.watermark(1000),
            (std::vector<std::string>{
                R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 2})",
                R"({"card": "b", "window_start": 0, "window_end": 1000, "n": 1})"}));
}

TEST(WindowOperatorTest, StateSnapshotsAndRestores) {
  Harness h(
      {.group_by = {{"card", {}}}, .size_ms = 1000, .aggregates = {{"avg", "AVG(amount)", {}}}});
  h.process(timed({{"a", 10, 100}, {"b", 4, 200}}));
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    h.op->snapshot(w);
  }
  Harness restored(
      {.group_by = {{"card", {}}}, .size_ms = 1000, .aggregates = {{"avg", "AVG(amount)", {}}}});
  {
    StateReader r(bytes);
    ASSERT_TRUE(restored.op->restore(r).ok());
  }
  restored.process(timed({{"a", 20, 300}}));
  EXPECT_EQ(restored.watermark(1000),
            (std::vector<std::string>{
                R"({"card": "a", "window_start": 0, "window_end": 1000, "avg": 15})",
                R"({"card": "b", "window_start": 0, "window_end": 1000, "avg": 4})"}));
}

TEST(WindowOperatorTest, ErrorsNameThePlace) {
  EXPECT_EQ(WindowOperator::create({.size_ms = 1000,
                                    .slide_ms = 300,
                                    .aggregates = {{"n", "COUNT(*)", {}}},
                                    .pos = {.line = 3, .column = 5}})
                .status()
                .message(),
            "line 3, column 5: window: 'slide_ms' must divide 'size_ms' (1000), got 300");
  auto op = WindowOperator::create(
                {.size_ms = 1000, .aggregates = {{"m", "AVGG(amount)", {.line = 7, .column = 9}}}})
                .value();
  OpenContext ctx;
  EXPECT_EQ(op->open(payments(), ctx).status().message().substr(0, 62),
            "line 7, column 9: window: unknown aggregate function 'AVGG' (d");
  auto op2 = WindowOperator::create(
                 {.size_ms = 1000, .aggregates = {{"m", "SUM(amont)", {.line = 7, .column = 9}}}})
                 .value();
  EXPECT_EQ(op2->open(payments(), ctx).status().message(),
            "line 7, column 9: window: unknown field 'amont' (did you mean 'amount'?)");
}

// ---- top_n ----

TEST(TopNOperatorTest, TheBestRowsOfEachGroupAndWindowWithTheirRank) {
  auto op =
      TopNOperator::create(
          {.partition_by = {{"card", {}}}, .order_by = {"amount", {}}, .n = 2, .size_ms = 1000})
          .value();
  const SchemaPtr out = open_ok(*op, payments());
  EXPECT_EQ(out->to_string(),
            "card string, amount double, window_start bigint NOT NULL, window_end bigint NOT "
            "NULL, rank bigint NOT NULL");
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch b = timed({{"a", 5, 100},
                   {"a", 9, 200},
                   {"b", 1, 300},
                   {"a", 7, 400},
                   {"a", 9, 500},  // ties with 9 at 200: kept after it (arrival order)
                   {"a", 50, 1200}});
  ASSERT_TRUE(op->process(b, ctx).ok());
  EXPECT_TRUE(b.empty());
  Batch fired(out);
  ASSERT_TRUE(op->on_watermark(1000, fired, ctx).ok());
  EXPECT_EQ(
      rows_of(fired),
      (std::vector<std::string>{
          R"({"card": "a", "amount": 9, "window_start": 0, "window_end": 1000, "rank": 1})",
          R"({"card": "a", "amount": 9, "window_start": 0, "window_end": 1000, "rank": 2})",
          R"({"card": "b", "amount": 1, "window_start": 0, "window_end": 1000, "rank": 1})"}));
  EXPECT_EQ(fired.event_time(0), 200);
  EXPECT_EQ(fired.event_time(1), 500);
  Batch rest(out);
  ASSERT_TRUE(op->on_watermark(INT64_MAX, rest, ctx).ok());
  EXPECT_EQ(
      rows_of(rest),
      (std::vector<std::string>{
          R"({"card": "a", "amount": 50, "window_start": 1000, "window_end": 2000, "rank": 1})"}));
  EXPECT_EQ(ctx.counts.in, 6u);
  EXPECT_EQ(ctx.counts.out, 4u);
}

TEST(TopNOperatorTest, AscendingStateAndErrors) {
  const TopNOperator::Options o{
      .order_by = {"amount", {}}, .descending = false, .n = 1, .size_ms = 1000};
  auto op = TopNOperator::create(o).value();
  open_ok(*op, payments());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch b = timed({{"a", 5, 100}, {"b", 3, 200}});
  ASSERT_TRUE(op->process(b, ctx).ok());
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    op->snapshot(w);
  }
  auto restored = TopNOperator::create(o).value();
  const SchemaPtr out = open_ok(*restored, payments());
  {
    StateReader r(bytes);
    ASSERT_TRUE(restored->restore(r).ok());
  }
  Batch more = timed({{"c", 4, 300}});
  ASSERT_TRUE(restored->process(more, ctx).ok());
  Batch fired(out);
  ASSERT_TRUE(restored->on_watermark(INT64_MAX, fired, ctx).ok());
  EXPECT_EQ(
      rows_of(fired),
      (std::vector<std::string>{
          R"({"card": "b", "amount": 3, "window_start": 0, "window_end": 1000, "rank": 1})"}));
  auto bad =
      TopNOperator::create({.order_by = {"card", {.line = 2, .column = 3}}, .size_ms = 10}).value();
  OpenContext octx;
  EXPECT_EQ(bad->open(payments(), octx).status().message(),
            "line 2, column 3: top_n: 'order_by' must be a number field, 'card' is string");
}

// ---- over ----

TEST(OverOperatorTest, EachRowGetsItsPartitionsAggregatesOverTheRange) {
  auto op = OverOperator::create({.partition_by = {{"card", {}}},
                                  .range_ms = 1000,
                                  .aggregates = {{"n_1s", "COUNT(*)", {}},
                                                 {"sum_1s", "SUM(amount)", {}},
                                                 {"max_1s", "MAX(amount)", {}}}})
                .value();
  const SchemaPtr out = open_ok(*op, payments());
  EXPECT_EQ(out->to_string(),
            "card string, amount double, n_1s bigint, sum_1s double, max_1s double");
  Batch b = timed({{"a", 10, 0},
                   {"a", 30, 500},
                   {"b", 7, 600},
                   {"a", 5, 1000},    // 0 has left: (500, 1000]
                   {"a", 1, 1600}});  // 500 has left too: (600, 1600]
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  ASSERT_TRUE(op->process(b, ctx).ok());
  EXPECT_EQ(rows_of(b), (std::vector<std::string>{
                            R"({"card": "a", "amount": 10, "n_1s": 1, "sum_1s": 10, "max_1s": 10})",
                            R"({"card": "a", "amount": 30, "n_1s": 2, "sum_1s": 40, "max_1s": 30})",
                            R"({"card": "b", "amount": 7, "n_1s": 1, "sum_1s": 7, "max_1s": 7})",
                            R"({"card": "a", "amount": 5, "n_1s": 2, "sum_1s": 35, "max_1s": 30})",
                            R"({"card": "a", "amount": 1, "n_1s": 2, "sum_1s": 6, "max_1s": 5})"}));
  EXPECT_EQ(ctx.counts.in, 5u);
  EXPECT_EQ(ctx.counts.out, 5u);
  // The watermark forgets b (newest 600) once it is a range past it, not a (newest 1600).
  Batch none(out);
  ASSERT_TRUE(op->on_watermark(1700, none, ctx).ok());
  EXPECT_EQ(op->partitions_held(), 1u);
}

TEST(OverOperatorTest, StateSnapshotsAndRestores) {
  const OverOperator::Options o{
      .partition_by = {{"card", {}}},
      .range_ms = 1000,
      .aggregates = {{"avg", "AVG(amount)", {}}, {"cards", "COUNT(DISTINCT card)", {}}}};
  auto op = OverOperator::create(o).value();
  open_ok(*op, payments());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch b = timed({{"a", 10, 0}, {"a", 20, 100}});
  ASSERT_TRUE(op->process(b, ctx).ok());
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    op->snapshot(w);
  }
  auto restored = OverOperator::create(o).value();
  open_ok(*restored, payments());
  {
    StateReader r(bytes);
    ASSERT_TRUE(restored->restore(r).ok());
  }
  Batch next = timed({{"a", 60, 1050}});  // 0 leaves: avg of 20 and 60
  ASSERT_TRUE(restored->process(next, ctx).ok());
  EXPECT_EQ(rows_of(next),
            (std::vector<std::string>{R"({"card": "a", "amount": 60, "avg": 40, "cards": 1})"}));
}

TEST(OverOperatorTest, AggregatesThatCannotRemoveAreRefused) {
  auto op = OverOperator::create(
                {.range_ms = 1000,
                 .aggregates = {{"first", "FIRST_VALUE(amount)", {.line = 9, .column = 3}}}})
                .value();
  OpenContext ctx;
  EXPECT_EQ(op->open(payments(), ctx).status().message(),
            "line 9, column 3: over: FIRST_VALUE(amount) cannot take rows back out as they leave "
            "the range (use COUNT, SUM, AVG, MIN, MAX of numbers, VAR_*, STDDEV_* or "
            "COUNT(DISTINCT))");
}

}  // namespace
}  // namespace rivulet::stream
