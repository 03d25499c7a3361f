#include "rivulet/stream/window.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <functional>
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

TEST(WindowOperatorTest, PercentileAndTopKTakeTheirSecondArgument) {
  Harness h({.size_ms = 1000,
             .aggregates = {{"p90", "APPROX_PERCENTILE(amount, 0.9)", {}},
                            {"top", "TOP_K(card, 1)", {}}}});
  std::vector<std::tuple<const char*, double, int64_t>> rows;
  for (int i = 1; i <= 20; ++i) rows.emplace_back(i % 3 == 0 ? "a" : "b", i, 100 + i);
  h.process(timed(rows));
  // The same accumulators fed directly: the window passes the arguments through.
  auto p90 = make_aggregate("APPROX_PERCENTILE", Type::kDouble, {.percentile = 0.9}).value();
  auto top = make_aggregate("TOP_K", Type::kString, {.top_k = 1}).value();
  for (const auto& [card, amount, t] : rows) {
    p90->add(Value::of_double(amount));
    top->add(Value::of_string(card));
  }
  const auto out = h.watermark(INT64_MAX);
  ASSERT_EQ(out.size(), 1u);
  // 18 of 1..20: the 0.9 quantile, exact at this size; TOP_K(card, 1) reports only b (14 rows).
  EXPECT_EQ(p90->result(), Value::of_double(18));
  EXPECT_NE(out[0].find(R"("p90": 18,)"), std::string::npos) << out[0];
  const std::string top_json(top->result().as_string());
  EXPECT_EQ(top_json.find("\"a\""), std::string::npos) << top_json;
  EXPECT_NE(top_json.find("\"b\""), std::string::npos) << top_json;
  EXPECT_NE(out[0].find("\"top\": \""), std::string::npos) << out[0];
  for (const auto& [call, error] : std::vector<std::pair<const char*, const char*>>{
           {"MAX(amount, 2)",
            "window: 'MAX(amount, 2)': only APPROX_PERCENTILE(x, p) and TOP_K(x, k) take a "
            "second argument"},
           {"TOP_K(card, 0)", "window: 'TOP_K(card, 0)': k must be a whole number from 1 to 10000"},
           {"TOP_K(card, 2.5)",
            "window: 'TOP_K(card, 2.5)': k must be a whole number from 1 to 10000"}}) {
    auto op = WindowOperator::create({.size_ms = 1000, .aggregates = {{"x", call, {2, 5}}}});
    ASSERT_TRUE(op.ok());
    EXPECT_EQ(open_error(**op, payments()), std::string("line 2, column 5: ") + error);
  }
  auto bad = WindowOperator::create(
      {.size_ms = 1000, .aggregates = {{"x", "APPROX_PERCENTILE(amount, 1.5)", {2, 5}}}});
  EXPECT_NE(open_error(**bad, payments()).find("1.5"), std::string::npos)
      << open_error(**bad, payments());
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


// ---- cumulative windows ----

WindowOperator::Options cumulate(bool share_panes) {
  return {.group_by = {{"card", {}}},
          .size_ms = 30,
          .step_ms = 10,
          .aggregates = {{"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}},
          .share_panes = share_panes};
}

TEST(WindowOperatorTest, CumulativeWindowsGrowByStepUpToTheSize) {
  for (const bool share : {true, false}) {
    SCOPED_TRACE(share);
    Harness h(cumulate(share));
    EXPECT_EQ(h.op->shares_panes(), share);
    EXPECT_TRUE(h.process(timed({{"a", 1, 5},
                                 {"a", 2, 12},
                                 {"b", 4, 25},
                                 {"a", 8, 28},
                                 {"a", 16, 31},
                                 {"a", 32, 35}}))
                    .empty());
    // Panes: a's 0, 10, 20, 30 and b's 20. Windows: a's [0, 10), [0, 20), [0, 30), [30, 40),
    // [30, 50), [30, 60), and b's [0, 30) (its [0, 10) and [0, 20) have no row).
    EXPECT_EQ(h.op->windows_held(), share ? 5u : 7u);
    EXPECT_TRUE(h.watermark(9).empty());
    EXPECT_EQ(h.watermark(10), (std::vector<std::string>{
                                   R"({"card": "a", "window_start": 0, "window_end": 10, "n": 1, "total": 1})"}));
    EXPECT_EQ(h.watermark(29), (std::vector<std::string>{
                                   R"({"card": "a", "window_start": 0, "window_end": 20, "n": 2, "total": 3})"}));
    EXPECT_EQ(
        h.watermark(30),
        (std::vector<std::string>{
            R"({"card": "a", "window_start": 0, "window_end": 30, "n": 3, "total": 11})",
            R"({"card": "b", "window_start": 0, "window_end": 30, "n": 1, "total": 4})"}));
    EXPECT_EQ(h.op->windows_held(), share ? 1u : 3u);  // a's pane 30 (or its 3 windows)
    EXPECT_EQ(
        h.watermark(INT64_MAX),
        (std::vector<std::string>{
            R"({"card": "a", "window_start": 30, "window_end": 40, "n": 2, "total": 48})",
            R"({"card": "a", "window_start": 30, "window_end": 50, "n": 2, "total": 48})",
            R"({"card": "a", "window_start": 30, "window_end": 60, "n": 2, "total": 48})"}));
    EXPECT_EQ(h.op->windows_held(), 0u);
  }
}

TEST(WindowOperatorTest, CumulativeWindowsWithOrderDependentAggregatesDoNotSharePanes) {
  Harness h({.size_ms = 20,
             .step_ms = 10,
             .aggregates = {{"first", "FIRST_VALUE(amount)", {}}, {"last", "LAST_VALUE(amount)", {}}}});
  EXPECT_FALSE(h.op->shares_panes());
  h.process(timed({{"a", 1, 15}, {"a", 2, 5}, {"a", 3, 12}}));
  // Arrival order: [0, 10) holds 2; [0, 20) holds 1, 2, 3.
  EXPECT_EQ(h.watermark(INT64_MAX),
            (std::vector<std::string>{R"({"window_start": 0, "window_end": 10, "first": 2, "last": 2})",
                                      R"({"window_start": 0, "window_end": 20, "first": 1, "last": 3})"}));
}

TEST(WindowOperatorTest, CumulativeWindowStateSnapshotsAndRestoresMidStream) {
  for (const bool share : {true, false}) {
    SCOPED_TRACE(share);
    Harness h(cumulate(share));
    h.process(timed({{"a", 1, 5}, {"a", 2, 12}, {"b", 4, 25}}));
    EXPECT_EQ(h.watermark(10).size(), 1u);  // a's [0, 10)
    std::stringstream bytes;
    {
      StateWriter w(bytes);
      h.op->snapshot(w);
    }
    Harness restored(cumulate(share));
    {
      StateReader r(bytes);
      ASSERT_TRUE(restored.op->restore(r).ok());
    }
    EXPECT_EQ(restored.op->windows_held(), h.op->windows_held());
    restored.process(timed({{"a", 8, 28}, {"a", 16, 31}}));
    EXPECT_EQ(
        restored.watermark(30),
        (std::vector<std::string>{
            R"({"card": "a", "window_start": 0, "window_end": 20, "n": 2, "total": 3})",
            R"({"card": "a", "window_start": 0, "window_end": 30, "n": 3, "total": 11})",
            R"({"card": "b", "window_start": 0, "window_end": 30, "n": 1, "total": 4})"}));
    EXPECT_EQ(
        restored.watermark(INT64_MAX),
        (std::vector<std::string>{
            R"({"card": "a", "window_start": 30, "window_end": 40, "n": 1, "total": 16})",
            R"({"card": "a", "window_start": 30, "window_end": 50, "n": 1, "total": 16})",
            R"({"card": "a", "window_start": 30, "window_end": 60, "n": 1, "total": 16})"}));
  }
  // Panes and per-window state do not mix.
  Harness panes(cumulate(true));
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    panes.op->snapshot(w);
  }
  Harness windows(cumulate(false));
  StateReader r(bytes);
  EXPECT_EQ(windows.op->restore(r).code(), StatusCode::kDataLoss);
}

TEST(WindowOperatorTest, CumulativeOptionsAreChecked) {
  EXPECT_EQ(WindowOperator::create({.size_ms = 30, .step_ms = 20, .aggregates = {{"n", "COUNT(*)", {}}}})
                .status()
                .message(),
            "line 1, column 1: window: cumulative windows take 'step_ms' that divides "
            "'size_ms' (30), with no slide_ms, gap_ms or count; got step_ms 20");
  EXPECT_FALSE(WindowOperator::create(
                   {.size_ms = 30, .slide_ms = 10, .step_ms = 10, .aggregates = {{"n", "COUNT(*)", {}}}})
                   .ok());
}

// ---- hopping windows: panes ----

TEST(WindowOperatorTest, HoppingWindowsSharePanesAndLateRowsFireAgain) {
  for (const bool share : {true, false}) {
    SCOPED_TRACE(share);
    Harness h({.group_by = {{"card", {}}},
               .size_ms = 1000,
               .slide_ms = 500,
               .aggregates = {{"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}},
               .allowed_lateness_ms = 500,
               .share_panes = share});
    EXPECT_EQ(h.op->shares_panes(), share);
    h.process(timed({{"a", 1, 100}}));
    EXPECT_EQ(
        h.watermark(1200),
        (std::vector<std::string>{
            R"({"card": "a", "window_start": -500, "window_end": 500, "n": 1, "total": 1})",
            R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 1, "total": 1})"}));
    // Late for [0, 1000), kept until 1500: it fires again; [-500, 500) is gone.
    EXPECT_EQ(h.process(timed({{"a", 2, 300}})),
              (std::vector<std::string>{
                  R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 2, "total": 3})"}));
    // 700: late for [0, 1000), on time for [500, 1500).
    EXPECT_EQ(h.process(timed({{"a", 4, 700}})),
              (std::vector<std::string>{
                  R"({"card": "a", "window_start": 0, "window_end": 1000, "n": 3, "total": 7})"}));
    EXPECT_EQ(h.watermark(1500),
              (std::vector<std::string>{
                  R"({"card": "a", "window_start": 500, "window_end": 1500, "n": 1, "total": 4})"}));
    // 800 changes the fired [500, 1500) (at once); b's first row makes a window that never
    // fired: it fires at the next watermark.
    EXPECT_EQ(h.process(timed({{"a", 8, 800}, {"b", 16, 900}})),
              (std::vector<std::string>{
                  R"({"card": "a", "window_start": 500, "window_end": 1500, "n": 2, "total": 12})"}));
    EXPECT_EQ(h.watermark(1600),
              (std::vector<std::string>{
                  R"({"card": "b", "window_start": 500, "window_end": 1500, "n": 1, "total": 16})"}));
    // Past every window of 100 plus the lateness: the late output.
    EXPECT_TRUE(h.process(timed({{"a", 32, 100}})).empty());
    EXPECT_EQ(h.sides, (std::vector<std::string>{R"(0: {"card": "a", "amount": 32})"}));
    EXPECT_TRUE(h.watermark(INT64_MAX).empty());
    EXPECT_EQ(h.op->windows_held(), 0u);
  }
}

// A random stream of several groups, out of order, with watermarks and late rows: the windows
// computed from panes are those computed window by window, row for row. Counts, integer sums,
// MIN, MAX and COUNT(DISTINCT) are equal exactly; sums, means and variances of doubles add in
// another order (pane by pane) and are compared to a relative 1e-12.
void compare_panes_and_windows(bool cumulative) {
  const SchemaPtr schema =
      schema_of({{"card", Type::kString}, {"amount", Type::kDouble}, {"qty", Type::kInt}});
  const std::vector<WindowAggregate> aggregates = {
      {"n", "COUNT(*)", {}},          {"n_amount", "COUNT(amount)", {}},
      {"qty", "SUM(qty)", {}},        {"lo", "MIN(qty)", {}},
      {"hi", "MAX(amount)", {}},      {"cards", "COUNT(DISTINCT qty)", {}},
      {"approx", "APPROX_COUNT_DISTINCT(qty)", {}},
      {"total", "SUM(amount)", {}},   {"mean", "AVG(amount)", {}},
      {"var", "VAR_SAMP(amount)", {}}, {"sd", "STDDEV_POP(qty)", {}}};
  struct Run {
    std::unique_ptr<WindowOperator> op;
    SchemaPtr out;
    std::vector<std::vector<Value>> rows;  // emitted (the card as its letter's code)
    size_t late = 0;
  };
  const auto make = [&](bool share) {
    Run run;
    run.op = WindowOperator::create({.group_by = {{"card", {}}},
                                     .size_ms = 100,
                                     .slide_ms = cumulative ? 0 : 10,
                                     .step_ms = cumulative ? 10 : 0,
                                     .aggregates = aggregates,
                                     .allowed_lateness_ms = 30,
                                     .share_panes = share})
                 .value();
    run.out = open_ok(*run.op, schema);
    return run;
  };
  Run panes = make(true), windows = make(false), restored = make(true);
  ASSERT_TRUE(panes.op->shares_panes());
  ASSERT_FALSE(windows.op->shares_panes());
  CollectingDeadLetters dead;
  const auto collect = [](Run& run, const Batch& b) {
    for (size_t r = 0; r < b.size(); ++r) {
      std::vector<Value> row;
      for (size_t f = 0; f < b.schema().size(); ++f) {
        const Value v = b.get(r, f);
        row.push_back(v.type() == Type::kString ? Value::of_int(static_cast<int64_t>(v.as_string()[0]))
                                                : v);
      }
      run.rows.push_back(row);
    }
  };
  uint64_t x = 12345;
  const auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  int64_t t = 0, watermark = INT64_MIN;
  size_t total_rows = 0;
  for (int round = 0; round < 300; ++round) {
    Batch b(schema);
    const int rows = static_cast<int>(next() % 8);
    for (int i = 0; i < rows; ++i) {
      // Mostly forward; one row in six up to 200 ms back (late for some of its windows, or
      // too late for all).
      const int64_t jitter = next() % 6 == 0 ? -static_cast<int64_t>(next() % 200) : 0;
      const size_t r = b.add_row(t + jitter);
      const char card[2] = {static_cast<char>('a' + next() % 5), 0};
      b.set_string(r, 0, card);
      b.set(r, 1, next() % 11 == 0 ? Value() : Value::of_double(static_cast<double>(next() % 100000) / 7.0));
      b.set(r, 2, Value::of_int(static_cast<int64_t>(next() % 20) - 5));
      t += static_cast<int64_t>(next() % 7);
      ++total_rows;
    }
    for (Run* run : {&panes, &windows, &restored}) {
      Batch copy(schema);
      for (size_t r = 0; r < b.size(); ++r) copy.append_row(b, r);
      SideContext ctx(dead);
      ASSERT_TRUE(run->op->process(copy, ctx).ok());
      run->late += ctx.sides.size();
      collect(*run, copy);
    }
    if (next() % 3 == 0) {
      watermark = std::max(watermark, t - static_cast<int64_t>(next() % 40));
      for (Run* run : {&panes, &windows, &restored}) {
        OperatorContext ctx(dead);
        Batch fired(run->out);
        ASSERT_TRUE(run->op->on_watermark(watermark, fired, ctx).ok());
        collect(*run, fired);
      }
    }
    if (round == 150) {  // `restored` goes through a snapshot and a restore
      std::stringstream bytes;
      {
        StateWriter w(bytes);
        restored.op->snapshot(w);
      }
      Run fresh = make(true);
      StateReader r(bytes);
      ASSERT_TRUE(fresh.op->restore(r).ok());
      restored.op = std::move(fresh.op);
    }
  }
  for (Run* run : {&panes, &windows, &restored}) {
    OperatorContext ctx(dead);
    Batch fired(run->out);
    ASSERT_TRUE(run->op->on_watermark(INT64_MAX, fired, ctx).ok());
    collect(*run, fired);
  }
  ASSERT_GT(total_rows, 800u);
  EXPECT_GT(windows.late, 10u);
  EXPECT_EQ(panes.late, windows.late);
  EXPECT_EQ(restored.late, windows.late);
  ASSERT_EQ(panes.rows.size(), windows.rows.size());
  ASSERT_GT(windows.rows.size(), 1000u);
  const size_t double_from = 1 + 2 + 7;  // card, window_start, window_end, then 7 exact ones
  size_t differ = 0;
  for (size_t i = 0; i < windows.rows.size(); ++i) {
    const auto& w = windows.rows[i];
    const auto& p = panes.rows[i];
    EXPECT_EQ(restored.rows[i], p) << "row " << i;  // the same operations: bit for bit
    ASSERT_EQ(w.size(), p.size());
    for (size_t f = 0; f < w.size(); ++f) {
      if (f < double_from || w[f].type() != Type::kDouble || p[f].type() != Type::kDouble) {
        EXPECT_EQ(w[f], p[f]) << "row " << i << ", field " << f;
      } else {
        const double a = w[f].as_double(), b = p[f].as_double();
        EXPECT_NEAR(a, b, 1e-12 * std::max(1.0, std::abs(a))) << "row " << i << ", field " << f;
        differ += a != b;
      }
    }
  }
  testing::Test::RecordProperty("double_fields_differing_in_last_bits", static_cast<int>(differ));
}

TEST(WindowOperatorTest, HoppingPanesGiveTheResultsOfWindowByWindowOnARandomStream) {
  compare_panes_and_windows(false);
}

TEST(WindowOperatorTest, CumulativePanesGiveTheResultsOfWindowByWindowOnARandomStream) {
  compare_panes_and_windows(true);
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

// ---- snapshots of large states ----

// A random stream of `groups` cards (amounts -0.0, 0.0 and 1.5 with `zeros`, else eighths),
// one row in eight up to 300 ms late.
class RandomPayments {
 public:
  RandomPayments(size_t groups, bool zeros) : groups_(groups), zeros_(zeros) {}
  Batch next_batch() {
    const int n = static_cast<int>(next() % 24);
    Batch b(payments());
    for (int i = 0; i < n; ++i) {
      const int64_t late = next() % 8 == 0 ? static_cast<int64_t>(next() % 300) : 0;
      const size_t r = b.add_row(t_ - late);
      b.set_string(r, 0, fmt::format("card-{}", next() % groups_));
      const uint64_t a = next();
      b.set(r, 1,
            Value::of_double(zeros_ ? (a % 3 == 0   ? -0.0
                                       : a % 3 == 1 ? 0.0
                                                    : 1.5)
                                    : static_cast<double>(a % 1000) / 8.0));
      t_ += static_cast<int64_t>(next() % 4);
    }
    return b;
  }
  int64_t time() const { return t_; }
  uint64_t next() {
    x_ ^= x_ << 13;
    x_ ^= x_ >> 7;
    x_ ^= x_ << 17;
    return x_;
  }

 private:
  size_t groups_;
  bool zeros_;
  uint64_t x_ = 88172645463325252ull;
  int64_t t_ = 1000;
};

// The bytes `save` writes (Operator::snapshot, or snapshot_changes), and reading them back with
// `load` (restore, or restore_changes).
std::string saved(const Operator& op, void (Operator::*save)(StateWriter&) const) {
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    (op.*save)(w);
  }
  return bytes.str();
}

Status loaded(Operator& op, const std::string& bytes, Status (Operator::*load)(StateReader&)) {
  std::stringstream in(bytes);
  StateReader r(in);
  return (op.*load)(r);
}

std::string snapshot_of(const Operator& op) { return saved(op, &Operator::snapshot); }
Status restore_from(Operator& op, const std::string& bytes) {
  return loaded(op, bytes, &Operator::restore);
}

// The original and the restored window get the rest of `stream` (`more_rows`, else only
// watermarks), a watermark every 5 batches, then the end: they must emit the same rows, fired
// and late.
void expect_same_from_here(Harness& original, Harness& restored, RandomPayments& stream,
                           bool more_rows) {
  const size_t sides_before = original.sides.size();
  size_t rows = 0;
  for (int round = 0; round < 150; ++round) {
    Batch b = stream.next_batch();
    if (!more_rows) b.clear();
    Batch copy(payments());
    for (size_t r = 0; r < b.size(); ++r) copy.append_row(b, r);
    const auto got = restored.process(std::move(copy));
    EXPECT_EQ(got, original.process(std::move(b))) << "round " << round;
    rows += got.size();
    if (round % 5 == 4) {
      const int64_t wm = stream.time() - 120;
      const auto fired = restored.watermark(wm);
      EXPECT_EQ(fired, original.watermark(wm)) << "round " << round;
      rows += fired.size();
    }
  }
  const auto last = restored.watermark(INT64_MAX);
  EXPECT_EQ(last, original.watermark(INT64_MAX));
  rows += last.size();
  EXPECT_GT(rows, 100u);
  EXPECT_EQ(restored.sides,
            std::vector<std::string>(original.sides.begin() + sides_before, original.sides.end()));
}

// Feeds `o`'s window a random stream with watermarks, snapshots it mid-stream, restores the
// bytes into a fresh window and feeds both the rest (`more_rows`, else only watermarks): they
// must emit the same rows, fired and late. Returns the bytes.
std::string expect_same_after_restore(const WindowOperator::Options& o, bool zeros = false,
                                      bool more_rows = true) {
  RandomPayments stream(300, zeros);
  Harness original(o);
  const auto advance = [&](Harness& h) { return h.watermark(stream.time() - 120); };
  for (int round = 0; round < 150; ++round) {
    original.process(stream.next_batch());
    if (round % 5 == 4) advance(original);
  }
  const std::string bytes = snapshot_of(*original.op);
  Harness restored(o);
  EXPECT_TRUE(restore_from(*restored.op, bytes).ok());
  EXPECT_EQ(restored.op->windows_held(), original.op->windows_held());
  if (o.count == 0 && !o.group_by.empty()) EXPECT_GT(original.op->windows_held(), 50u);
  expect_same_from_here(original, restored, stream, more_rows);
  return bytes;
}

std::vector<WindowAggregate> many_aggregates() {
  return {{"n", "COUNT(*)", {}},         {"total", "SUM(amount)", {}},
          {"mean", "AVG(amount)", {}},   {"hi", "MAX(amount)", {}},
          {"lo", "MIN(card)", {}},       {"cards", "COUNT(DISTINCT amount)", {}},
          {"var", "VAR_POP(amount)", {}}};
}

// Every kind of window over the card payments, with late rows allowed.
std::vector<std::pair<const char*, WindowOperator::Options>> window_kinds() {
  const auto aggs = many_aggregates();
  const std::vector<FieldRef> card = {{"card", {}}};
  return {
      {"tumbling, late windows pending and firing again",
       {.group_by = card, .size_ms = 100, .aggregates = aggs, .allowed_lateness_ms = 150}},
      {"hopping, shared panes",
       {.group_by = card,
        .size_ms = 100,
        .slide_ms = 20,
        .aggregates = aggs,
        .allowed_lateness_ms = 60}},
      {"hopping, a slot per window",
       {.group_by = card,
        .size_ms = 100,
        .slide_ms = 25,
        .aggregates = aggs,
        .allowed_lateness_ms = 60,
        .share_panes = false}},
      {"cumulative",
       {.group_by = card,
        .size_ms = 100,
        .step_ms = 25,
        .aggregates = aggs,
        .allowed_lateness_ms = 40}},
      {"session", {.group_by = card, .gap_ms = 40, .aggregates = aggs, .allowed_lateness_ms = 50}},
      {"count", {.group_by = card, .count = 7, .aggregates = aggs}},
      {"hopping, order-dependent aggregates (a slot per window)",
       {.group_by = card,
        .size_ms = 60,
        .slide_ms = 20,
        .aggregates = {{"p50", "APPROX_PERCENTILE(amount, 0.5)", {}},
                       {"first", "FIRST_VALUE(amount)", {}},
                       {"top", "TOP_K(card, 2)", {}}},
        .allowed_lateness_ms = 30}},
      {"global tumbling", {.size_ms = 50, .aggregates = aggs, .allowed_lateness_ms = 200}}};
}

TEST(WindowOperatorTest, ManyGroupsOfEachKindRestoreToTheSameOutput) {
  const auto kinds = window_kinds();
  for (const auto& [name, o] : kinds) {
    SCOPED_TRACE(name);
    if (o.slide_ms > 0) {
      EXPECT_EQ(Harness(o).op->shares_panes(), o.share_panes && o.aggregates.size() > 3);
    }
    expect_same_after_restore(o, false);
  }
}

// Tumbling 100 ms windows per card with COUNT(*) and SUM(amount).
WindowOperator::Options cards_in_100ms_windows() {
  return {.group_by = {{"card", {}}},
          .size_ms = 100,
          .aggregates = {{"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}}};
}

// 4,000 cards "c0".. in the window [0, 100) (amount i), every tenth also in [100, 200)
// (amount 1).
void feed_4000_cards(Harness& h) {
  std::vector<std::string> cards;
  for (int i = 0; i < 4000; ++i) cards.push_back(fmt::format("c{}", i));
  std::vector<std::tuple<const char*, double, int64_t>> rows;
  for (int i = 0; i < 4000; ++i) {
    rows.emplace_back(cards[i].c_str(), i, i % 100);
    if (i % 10 == 0) rows.emplace_back(cards[i].c_str(), 1, 150);
  }
  h.process(timed(rows));
}

TEST(WindowOperatorTest, GroupsRemovedWhenIdleLeaveTheStateAndTheOthersStay) {
  // 4,000 cards in the window [0, 100); every tenth also in [100, 200). At watermark 100 the
  // other 3,600 are left without windows: more than 1,024 + half the groups, so they go. The
  // snapshot then holds the 400 that stay, the cards seen again after it (one of them gone
  // before) and nothing else.
  const WindowOperator::Options o = cards_in_100ms_windows();
  Harness original(o);
  feed_4000_cards(original);
  EXPECT_EQ(original.watermark(100).size(), 4000u);
  original.process(timed({{"c7", 2, 160}, {"new", 3, 170}}));
  const std::string bytes = snapshot_of(*original.op);
  Harness restored(o);
  ASSERT_TRUE(restore_from(*restored.op, bytes).ok());
  EXPECT_EQ(restored.op->windows_held(), 402u);
  // Restored, the state writes the same groups again (in another order: the same length).
  EXPECT_EQ(snapshot_of(*restored.op).size(), bytes.size());
  original.process(timed({{"c10", 5, 180}}));
  restored.process(timed({{"c10", 5, 180}}));
  const auto fired = restored.watermark(200);
  EXPECT_EQ(fired, original.watermark(200));
  ASSERT_EQ(fired.size(), 402u);
  EXPECT_EQ(fired[0], R"({"card": "c0", "window_start": 100, "window_end": 200, "n": 1, "total": 1})");
  EXPECT_EQ(std::count(fired.begin(), fired.end(),
                       R"({"card": "c10", "window_start": 100, "window_end": 200, "n": 2, "total": 6})"),
            1);
  EXPECT_EQ(std::count(fired.begin(), fired.end(),
                       R"({"card": "c7", "window_start": 100, "window_end": 200, "n": 1, "total": 2})"),
            1);
}

std::string changes_of(const Operator& op) { return saved(op, &Operator::snapshot_changes); }
Status apply_changes(Operator& op, const std::string& bytes) {
  return loaded(op, bytes, &Operator::restore_changes);
}

// Incremental checkpoints: a snapshot, then a change set every 10 rounds of a random stream
// with watermarks (each after start_changes, as the engine calls it). The snapshot restored and
// the change sets applied in order must give a window that emits what the original does for
// the rest of the stream.
void expect_same_after_changes(const WindowOperator::Options& o) {
  RandomPayments stream(300, false);
  Harness original(o);
  const auto advance = [&](Harness& h) { return h.watermark(stream.time() - 120); };
  std::string full;
  std::vector<std::string> changes;
  for (int round = 0; round < 150; ++round) {
    original.process(stream.next_batch());
    if (round % 5 == 4) advance(original);
    if (round == 29) {
      full = snapshot_of(*original.op);
      original.op->start_changes();
    } else if (round > 29 && round % 10 == 9) {
      changes.push_back(changes_of(*original.op));
      original.op->start_changes();
    }
  }
  ASSERT_EQ(changes.size(), 12u);
  Harness restored(o);
  ASSERT_TRUE(restore_from(*restored.op, full).ok());
  for (const std::string& c : changes) ASSERT_TRUE(apply_changes(*restored.op, c).ok());
  EXPECT_EQ(restored.op->windows_held(), original.op->windows_held());
  expect_same_from_here(original, restored, stream, true);
}

TEST(WindowOperatorTest, ChangeSetsAppliedOnASnapshotRestoreToTheSameOutput) {
  const auto kinds = window_kinds();
  for (const auto& [name, o] : kinds) {
    SCOPED_TRACE(name);
    expect_same_after_changes(o);
  }
}

TEST(WindowOperatorTest, AChangeSetHoldsTheChangedGroupsAndDropsTheGoneOnes) {
  // 4,000 cards in [0, 100), every tenth also in [100, 200), then a snapshot. At watermark 100
  // the 3,600 left without windows go (more than 1,024 + half the groups are idle): the change
  // set drops them. c7 and a new card then get rows.
  const WindowOperator::Options o = cards_in_100ms_windows();
  Harness original(o);
  feed_4000_cards(original);
  const std::string full = snapshot_of(*original.op);
  original.op->start_changes();
  // Nothing changed: a change set of no group (header, watermark, sizes: a few dozen bytes).
  EXPECT_LT(changes_of(*original.op).size(), 80u);
  EXPECT_EQ(original.watermark(100).size(), 4000u);
  original.process(timed({{"c7", 2, 160}, {"new", 3, 170}}));
  const std::string first = changes_of(*original.op);
  original.op->start_changes();
  // More groups went than are held: the change set is whole (the 402 held), not 3,600 keys to
  // drop beside them.
  EXPECT_LT(first.size(), full.size() / 5);
  EXPECT_GT(first.size(), snapshot_of(*original.op).size());
  // Then one card: its group alone.
  original.process(timed({{"c20", 4, 175}}));
  const std::string second = changes_of(*original.op);
  EXPECT_LT(second.size(), 120u);
  original.op->start_changes();

  Harness restored(o);
  ASSERT_TRUE(restore_from(*restored.op, full).ok());
  EXPECT_EQ(restored.op->windows_held(), 4400u);
  ASSERT_TRUE(apply_changes(*restored.op, first).ok());
  EXPECT_EQ(restored.op->windows_held(), 402u);  // 400 in [100, 200), c7 and new
  ASSERT_TRUE(apply_changes(*restored.op, second).ok());
  EXPECT_EQ(restored.op->windows_held(), 402u);
  // A change set applied as a snapshot, or a snapshot as a change set: refused.
  Harness other(o);
  EXPECT_EQ(restore_from(*other.op, first).message(),
            "window: not a window's state (or one of an older build, which wrote no version)");
  EXPECT_EQ(apply_changes(*other.op, full).message(), "window: not a window's change set");
  const auto fired = restored.watermark(200);
  EXPECT_EQ(fired, original.watermark(200));
  ASSERT_EQ(fired.size(), 402u);
  EXPECT_EQ(std::count(fired.begin(), fired.end(),
                       R"({"card": "c20", "window_start": 100, "window_end": 200, "n": 2, "total": 5})"),
            1);
  EXPECT_EQ(std::count(fired.begin(), fired.end(),
                       R"({"card": "new", "window_start": 100, "window_end": 200, "n": 1, "total": 3})"),
            1);
}

TEST(WindowOperatorTest, GroupValuesTheKeyBytesDoNotHoldRestore) {
  // -0.0 and 0.0 are one group, whose value is the first row's: the key holds 0.0 only.
  const std::vector<FieldRef> by = {{"card", {}}, {"amount", {}}};
  const std::vector<WindowAggregate> aggs = {{"n", "COUNT(*)", {}}};
  // Only watermarks after the restore: a group without windows is kept a while, with its
  // values, for its next row, but not in the state (a -0.0 row after the restore names it
  // -0.0 where the original would still say 0.0).
  expect_same_after_restore(
      {.group_by = by, .size_ms = 100, .aggregates = aggs, .allowed_lateness_ms = 150}, true,
      false);
  expect_same_after_restore({.group_by = by, .gap_ms = 40, .aggregates = aggs}, true);
  expect_same_after_restore({.group_by = by, .count = 3, .aggregates = aggs}, true);
}

TEST(WindowOperatorTest, CorruptOrTruncatedStateIsDataLoss) {
  // Aggregates without lengths of their own: a changed length in a COUNT(DISTINCT)'s state
  // makes cereal allocate what it says before it finds the bytes missing, slowly.
  const WindowOperator::Options o{.group_by = {{"card", {}}},
                                  .size_ms = 100,
                                  .aggregates = {{"n", "COUNT(*)", {}},
                                                 {"total", "SUM(amount)", {}},
                                                 {"var", "VAR_POP(amount)", {}}},
                                  .allowed_lateness_ms = 150};
  const std::string bytes = expect_same_after_restore(o, false);
  Harness h(o);
  for (size_t n = 1; n < bytes.size(); n += n < 64 ? 1 : 7) {  // 0: no archive to read
    const Status s = restore_from(*h.op, bytes.substr(0, n));
    EXPECT_EQ(s.code(), StatusCode::kDataLoss) << n << " bytes: " << s.to_string();
  }
  // Changed bytes: an error or some state, never a crash.
  for (size_t i = 0; i < bytes.size(); i += 3) {
    std::string changed = bytes;
    changed[i] = static_cast<char>(changed[i] ^ (1 << (i % 8)));
    (void)restore_from(*h.op, changed);
  }
  EXPECT_TRUE(restore_from(*h.op, bytes).ok());  // a failed restore leaves nothing behind
  EXPECT_GT(h.op->windows_held(), 50u);
  // Another version, or a state of the unversioned format (it starts with the watermark).
  for (const uint32_t version : {1u, 3u}) {
    std::stringstream other;
    {
      StateWriter w(other);
      w(uint32_t{0x4e495752}, version);
    }
    const Status s = restore_from(*h.op, other.str());
    EXPECT_EQ(s.code(), StatusCode::kDataLoss);
    EXPECT_EQ(s.message(), fmt::format("window: state version {} (this build reads 2)", version));
    EXPECT_EQ(h.op->windows_held(), 0u);
  }
  std::stringstream old;
  {
    StateWriter w(old);
    w(int64_t{1000}, true, int64_t{100}, uint64_t{0});
  }
  EXPECT_EQ(restore_from(*h.op, old.str()).code(), StatusCode::kDataLoss);
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

// The kinds of over step the state tests run: RANGE and ROWS in arrival order, and RANGE with
// rows waiting for the watermark (event-time order), each with COUNT(*), SUM and a
// COUNT(DISTINCT) of a string (the partition's strings are state too).
std::vector<std::pair<const char*, OverOperator::Options>> over_kinds() {
  const std::vector<WindowAggregate> aggs = {{"n", "COUNT(*)", {}},
                                             {"total", "SUM(amount)", {}},
                                             {"cards", "COUNT(DISTINCT card)", {}}};
  return {{"range", {.partition_by = {{"card", {}}}, .range_ms = 60, .aggregates = aggs}},
          {"rows", {.partition_by = {{"card", {}}}, .rows = 3, .aggregates = aggs}},
          {"range, event-time order",
           {.partition_by = {{"card", {}}},
            .range_ms = 60,
            .order = OverOperator::Order::kEventTime,
            .aggregates = aggs}}};
}

// Incremental checkpoints: a snapshot, then a change set every 10 rounds of a random stream
// whose watermark makes idle partitions go; restored and applied, the over step gives what
// the original gives for the rest of the stream (arrival order, ROWS, and rows waiting for
// the watermark in event-time order).
TEST(OverOperatorTest, ChangeSetsAppliedOnASnapshotRestoreToTheSameOutput) {
  const auto kinds = over_kinds();
  for (const auto& [name, o] : kinds) {
    SCOPED_TRACE(name);
    RandomPayments stream(2000, false);
    CollectingDeadLetters dead;
    const auto feed = [&](OverOperator& op, Batch b) {
      OperatorContext ctx(dead);
      EXPECT_TRUE(op.process(b, ctx).ok());
      return rows_of(b);
    };
    auto original = OverOperator::create(o).value();
    const SchemaPtr out_schema = open_ok(*original, payments());
    const auto advance = [&](OverOperator& op, int64_t wm) {
      OperatorContext ctx(dead);
      Batch out(out_schema);
      EXPECT_TRUE(op.on_watermark(wm, out, ctx).ok());
      return rows_of(out);
    };
    std::string full;
    std::vector<std::string> changes;
    size_t went = 0;
    for (int round = 0; round < 150; ++round) {
      feed(*original, stream.next_batch());
      if (round % 5 == 4) {
        const size_t before = original->partitions_held();
        advance(*original, stream.time() - 120);
        went += before - std::min(before, original->partitions_held());
      }
      if (round == 29) {
        full = snapshot_of(*original);
        original->start_changes();
      } else if (round > 29 && round % 10 == 9) {
        changes.push_back(changes_of(*original));
        original->start_changes();
      }
    }
    if (o.range_ms > 0) EXPECT_GT(went, 50u);  // partitions went between change sets
    auto restored = OverOperator::create(o).value();
    open_ok(*restored, payments());
    ASSERT_TRUE(restore_from(*restored, full).ok());
    for (const std::string& c : changes) ASSERT_TRUE(apply_changes(*restored, c).ok());
    EXPECT_EQ(restored->partitions_held(), original->partitions_held());
    EXPECT_EQ(restored->rows_waiting(), original->rows_waiting());
    size_t rows = 0;
    for (int round = 0; round < 100; ++round) {
      Batch b = stream.next_batch();
      Batch copy(payments());
      for (size_t r = 0; r < b.size(); ++r) copy.append_row(b, r);
      const auto got = feed(*restored, std::move(copy));
      EXPECT_EQ(got, feed(*original, std::move(b))) << "round " << round;
      rows += got.size();
      if (round % 5 == 4) {
        const int64_t wm = stream.time() - 120;
        const auto fired = advance(*restored, wm);
        EXPECT_EQ(fired, advance(*original, wm)) << "round " << round;
        rows += fired.size();
      }
    }
    EXPECT_GT(rows, 1000u);
    // A change set is no snapshot, nor a snapshot a change set.
    auto other = OverOperator::create(o).value();
    open_ok(*other, payments());
    EXPECT_EQ(restore_from(*other, changes.back()).code(), StatusCode::kDataLoss);
    EXPECT_EQ(apply_changes(*other, full).code(), StatusCode::kDataLoss);
  }
}

// The bytes an asynchronous snapshot's function writes (Operator::snapshot_async).
std::string written(const std::function<void(StateWriter&)>& write) {
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    write(w);
  }
  return bytes.str();
}

// Asynchronous snapshots (copy on write): the function, run after 20 more rounds of rows and
// watermarks (rows for held partitions, new partitions, partitions going), writes the very
// bytes snapshot() / snapshot_changes() wrote at the freeze; meanwhile the step emits what a
// twin that never froze emits; and a function outlives its operator.
TEST(OverOperatorTest, AnAsynchronousSnapshotWritesTheStateAsItWasWhileRowsGoOn) {
  const auto kinds = over_kinds();
  for (const auto& [name, o] : kinds) {
    SCOPED_TRACE(name);
    RandomPayments stream(300, false);
    CollectingDeadLetters dead;
    auto op = OverOperator::create(o).value();
    auto twin = OverOperator::create(o).value();
    const SchemaPtr out_schema = open_ok(*op, payments());
    open_ok(*twin, payments());
    size_t rows = 0, went = 0;
    const auto rounds = [&](int n) {
      for (int round = 0; round < n; ++round) {
        Batch b = stream.next_batch();
        Batch copy(payments());
        for (size_t r = 0; r < b.size(); ++r) copy.append_row(b, r);
        OperatorContext ctx(dead);
        ASSERT_TRUE(op->process(b, ctx).ok());
        ASSERT_TRUE(twin->process(copy, ctx).ok());
        ASSERT_EQ(rows_of(b), rows_of(copy));
        rows += b.size();
        if (round % 5 == 4) {
          const size_t before = op->partitions_held();
          Batch fired(out_schema), fired_twin(out_schema);
          ASSERT_TRUE(op->on_watermark(stream.time() - 120, fired, ctx).ok());
          ASSERT_TRUE(twin->on_watermark(stream.time() - 120, fired_twin, ctx).ok());
          ASSERT_EQ(rows_of(fired), rows_of(fired_twin));
          rows += fired.size();
          went += before - std::min(before, op->partitions_held());
        }
      }
    };
    rounds(30);
    op->start_changes();
    rounds(10);
    const std::string whole = snapshot_of(*op);
    const std::string changes = changes_of(*op);
    auto write_whole = op->snapshot_async(false);
    auto write_changes = op->snapshot_async(true);
    ASSERT_TRUE(write_whole && write_changes);
    op->start_changes();
    rounds(20);
    EXPECT_EQ(written(write_whole), whole);
    EXPECT_EQ(written(write_changes), changes);
    // Once the functions are gone, rows change the partitions in place again.
    write_whole = nullptr;
    write_changes = nullptr;
    rounds(10);
    const std::string last = snapshot_of(*op);
    const auto write_last = op->snapshot_async(false);
    op.reset();
    EXPECT_EQ(written(write_last), last);
    EXPECT_GT(rows, 500u);
    if (o.range_ms > 0) EXPECT_GT(went, 20u);
  }
}

// 1,000 cards, card i with a row at i % 100; after the snapshot the watermark reaches 110, so
// the 110 cards whose newest row is at 10 or before go, and 10 of them get a row again: the
// change set drops the 110 and holds the 10, not the whole state.
TEST(OverOperatorTest, AChangeSetDropsThePartitionsThatWentAndHoldsTheChanged) {
  const OverOperator::Options o{.partition_by = {{"card", {}}},
                                .range_ms = 100,
                                .aggregates = {{"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}}};
  auto original = OverOperator::create(o).value();
  const SchemaPtr out_schema = open_ok(*original, payments());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  std::vector<std::string> cards;
  for (int i = 0; i < 1000; ++i) cards.push_back(fmt::format("c{}", i));
  std::vector<std::tuple<const char*, double, int64_t>> rows;
  for (int i = 0; i < 1000; ++i) rows.emplace_back(cards[i].c_str(), i, i % 100);
  Batch b = timed(rows);
  ASSERT_TRUE(original->process(b, ctx).ok());
  const std::string full = snapshot_of(*original);
  original->start_changes();
  Batch none(out_schema);
  ASSERT_TRUE(original->on_watermark(110, none, ctx).ok());
  EXPECT_EQ(original->partitions_held(), 890u);
  Batch more = timed({{"c500", 1, 150}, {"c501", 2, 150}, {"c502", 3, 150}, {"c503", 4, 150},
                      {"c504", 5, 150}, {"c505", 6, 150}, {"c506", 7, 150}, {"c507", 8, 150},
                      {"c508", 9, 150}, {"c509", 10, 150}});
  ASSERT_TRUE(original->process(more, ctx).ok());
  const std::string changes = changes_of(*original);
  EXPECT_LT(changes.size(), full.size() / 3);  // not whole
  auto restored = OverOperator::create(o).value();
  open_ok(*restored, payments());
  ASSERT_TRUE(restore_from(*restored, full).ok());
  EXPECT_EQ(restored->partitions_held(), 1000u);
  ASSERT_TRUE(apply_changes(*restored, changes).ok());
  // The 890 that stayed, and c500..c509: they went (their newest rows at 0 to 9), then came
  // back with a row each (dropped, then added again).
  EXPECT_EQ(original->partitions_held(), 900u);
  EXPECT_EQ(restored->partitions_held(), 900u);
  Batch a = timed({{"c505", 100, 160}, {"c99", 1, 170}, {"c5", 1, 170}});
  Batch a2 = timed({{"c505", 100, 160}, {"c99", 1, 170}, {"c5", 1, 170}});
  ASSERT_TRUE(restored->process(a, ctx).ok());
  ASSERT_TRUE(original->process(a2, ctx).ok());
  EXPECT_EQ(rows_of(a), rows_of(a2));
  // c505: its row at 150 and this one (6 + 100; the one at 5 went); c5 went: a new partition.
  EXPECT_EQ(rows_of(a)[0], R"({"card": "c505", "amount": 100, "n": 2, "total": 106})");
  EXPECT_EQ(rows_of(a)[2], R"({"card": "c5", "amount": 1, "n": 1, "total": 1})");
}

// A state cut short anywhere, or of another format, is DataLoss, never a crash.
TEST(OverOperatorTest, TruncatedOrForeignStateIsDataLoss) {
  const OverOperator::Options o{.partition_by = {{"card", {}}},
                                .range_ms = 1000,
                                .aggregates = {{"n", "COUNT(*)", {}}, {"top", "MAX(amount)", {}}}};
  auto op = OverOperator::create(o).value();
  open_ok(*op, payments());
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch b = timed({{"a", 10, 0}, {"bb", 20, 100}, {"a", 5, 200}});
  ASSERT_TRUE(op->process(b, ctx).ok());
  std::stringstream out;
  {
    StateWriter w(out);
    op->snapshot(w);
  }
  const std::string bytes = out.str();
  // (From 1: the archive itself reads the first byte, its byte order, when it is made.)
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    auto restored = OverOperator::create(o).value();
    open_ok(*restored, payments());
    std::stringstream in(bytes.substr(0, cut));
    StateReader r(in);
    EXPECT_EQ(restored->restore(r).code(), StatusCode::kDataLoss) << "cut at " << cut;
  }
  std::string foreign = bytes;
  foreign[1] ^= 0x40;  // the magic number
  auto restored = OverOperator::create(o).value();
  open_ok(*restored, payments());
  std::stringstream in(foreign);
  StateReader r(in);
  const Status s = restored->restore(r);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_NE(s.message().find("not an over step's state of version 2"), std::string::npos)
      << s.message();
}

TEST(OverOperatorTest, RowsTakesTheNPrecedingRowsAndTheCurrentOne) {
  auto op = OverOperator::create({.partition_by = {{"card", {}}},
                                  .rows = 1,
                                  .aggregates = {{"n", "COUNT(*)", {}},
                                                 {"sum2", "SUM(amount)", {}},
                                                 {"max2", "MAX(amount)", {}}}})
                .value();
  open_ok(*op, payments());
  Batch b = timed({{"a", 1, 0}, {"a", 2, 5000}, {"a", 4, 9000}, {"b", 8, 1}, {"a", 16, 9000}});
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  ASSERT_TRUE(op->process(b, ctx).ok());
  EXPECT_EQ(rows_of(b), (std::vector<std::string>{
                            R"({"card": "a", "amount": 1, "n": 1, "sum2": 1, "max2": 1})",
                            R"({"card": "a", "amount": 2, "n": 2, "sum2": 3, "max2": 2})",
                            R"({"card": "a", "amount": 4, "n": 2, "sum2": 6, "max2": 4})",
                            R"({"card": "b", "amount": 8, "n": 1, "sum2": 8, "max2": 8})",
                            R"({"card": "a", "amount": 16, "n": 2, "sum2": 20, "max2": 16})"}));
  // ROWS keeps its partitions however old (until the end of the input).
  Batch none(b.shared_schema());
  ASSERT_TRUE(op->on_watermark(1000000, none, ctx).ok());
  EXPECT_EQ(op->partitions_held(), 2u);
  EXPECT_EQ(OverOperator::create({.range_ms = 10, .rows = 1, .aggregates = {{"n", "COUNT(*)", {}}}})
                .status()
                .message(),
            "line 1, column 1: over: 'rows' must be >= 0, without 'range_ms'; got rows 1");
}

// Order kEventTime: rows wait for the watermark, then go in event-time order (ties in arrival
// order); rows the watermark passed go to the late output. Through a snapshot mid-stream.
TEST(OverOperatorTest, EventTimeOrderWaitsForTheWatermark) {
  const OverOperator::Options o{.partition_by = {{"card", {}}},
                                .range_ms = 1000,
                                .order = OverOperator::Order::kEventTime,
                                .aggregates = {{"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}}};
  for (const bool snapshot : {false, true}) {
    SCOPED_TRACE(snapshot);
    auto op = OverOperator::create(o).value();
    const SchemaPtr out = open_ok(*op, payments());
    CollectingDeadLetters dead;
    SideContext ctx(dead);
    Batch b = timed({{"a", 1, 500}, {"a", 2, 100}, {"b", 4, 300}, {"a", 8, 100}});
    ASSERT_TRUE(op->process(b, ctx).ok());
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(op->rows_waiting(), 4u);
    if (snapshot) {
      std::stringstream bytes;
      {
        StateWriter w(bytes);
        op->snapshot(w);
      }
      op = OverOperator::create(o).value();
      open_ok(*op, payments());
      StateReader r(bytes);
      ASSERT_TRUE(op->restore(r).ok());
      EXPECT_EQ(op->rows_waiting(), 4u);
    }
    Batch fired(out);
    ASSERT_TRUE(op->on_watermark(400, fired, ctx).ok());
    EXPECT_EQ(rows_of(fired), (std::vector<std::string>{
                                  R"({"card": "a", "amount": 2, "n": 1, "total": 2})",
                                  R"({"card": "a", "amount": 8, "n": 2, "total": 10})",
                                  R"({"card": "b", "amount": 4, "n": 1, "total": 4})"}));
    EXPECT_EQ(op->rows_waiting(), 1u);
    if (snapshot) {
      std::stringstream bytes;
      {
        StateWriter w(bytes);
        op->snapshot(w);
      }
      op = OverOperator::create(o).value();
      open_ok(*op, payments());
      StateReader r(bytes);
      ASSERT_TRUE(op->restore(r).ok());
    }
    Batch late = timed({{"a", 16, 350}, {"a", 32, 1200}});
    ASSERT_TRUE(op->process(late, ctx).ok());
    EXPECT_EQ(ctx.sides, (std::vector<std::string>{R"(0: {"card": "a", "amount": 16})"}));
    Batch rest(out);
    ASSERT_TRUE(op->on_watermark(INT64_MAX, rest, ctx).ok());
    // 500: with 100, 100; 1200: 100s have left (<= 200), 500 stays.
    EXPECT_EQ(rows_of(rest), (std::vector<std::string>{
                                 R"({"card": "a", "amount": 1, "n": 3, "total": 11})",
                                 R"({"card": "a", "amount": 32, "n": 2, "total": 33})"}));
    EXPECT_EQ(ctx.counts.in, 6u);
    EXPECT_EQ(ctx.counts.in, ctx.counts.out + ctx.counts.filtered - ctx.counts.added);
  }
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
