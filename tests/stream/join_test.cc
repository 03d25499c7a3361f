#include "rivulet/stream/join.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <sstream>

#include "rivulet/stream/window.h"
#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

// The stream joined with itself: rows of side 'L' and side 'R', each a key and a value.
SchemaPtr events() {
  return schema_of({{"side", Type::kString}, {"k", Type::kInt}, {"v", Type::kInt}});
}

struct Event {
  const char* side;
  int64_t k;
  int64_t v;
  int64_t t;
};

Batch batch(const std::vector<Event>& rows) {
  Batch b(events());
  for (const Event& e : rows) {
    const size_t r = b.add_row(e.t);
    b.set_string(r, 0, e.side);
    b.set(r, 1, e.k == INT64_MIN ? Value() : Value::of_int(e.k));
    b.set(r, 2, Value::of_int(e.v));
  }
  return b;
}

// A branch keeping one side's rows, as (k, v).
std::vector<std::unique_ptr<Operator>> side(const char* name) {
  std::vector<std::unique_ptr<Operator>> steps;
  steps.push_back(create_ok(FilterOperator::create({fmt::format("side = '{}'", name), {}})));
  steps.push_back(create_ok(SelectOperator::create({{{"k", "", {}}, {"v", "", {}}}})));
  return steps;
}

JoinOperator::Options options(JoinType type) {
  JoinOperator::Options o;
  o.type = type;
  o.left = side("L");
  o.right = side("R");
  o.left_key = {{"k", {}}};
  o.right_key = {{"k", {}}};
  return o;
}

class SideContext final : public OperatorContext {
 public:
  explicit SideContext(DeadLetters& dead) : OperatorContext(dead) {}
  void side(size_t id, Batch& batch) override {
    for (const auto& row : rows_of(batch)) sides.push_back(fmt::format("{}: {}", id, row));
    batch.clear();
  }
  std::vector<std::string> sides;
};

// Drives a join: batches, watermarks; keeps its rows (with their event time), side outputs and
// counts.
struct Harness {
  explicit Harness(JoinOperator::Options o) : op(create_ok(JoinOperator::create(std::move(o)))) {
    out_schema = open_ok(*op, events());
  }
  void check_counts(const OperatorContext& ctx, size_t out_rows) {
    EXPECT_EQ(ctx.counts.in + ctx.counts.added,
              ctx.counts.out + ctx.counts.filtered + ctx.counts.dead);
    EXPECT_EQ(ctx.counts.out, out_rows);
  }
  void keep(const Batch& b) {
    for (size_t r = 0; r < b.size(); ++r) {
      rows.push_back(fmt::format("{} @{}", row_to_json(b, r), b.event_time(r)));
    }
  }
  void process(std::vector<Event> events) {
    Batch b = batch(events);
    SideContext ctx(dead);
    ASSERT_TRUE(op->process(b, ctx).ok());
    check_counts(ctx, b.size());
    sides.insert(sides.end(), ctx.sides.begin(), ctx.sides.end());
    keep(b);
  }
  void watermark(int64_t wm) {
    SideContext ctx(dead);
    ctx.watermark = wm;
    Batch out(out_schema);
    ASSERT_TRUE(op->on_watermark(wm, out, ctx).ok());
    check_counts(ctx, out.size());
    sides.insert(sides.end(), ctx.sides.begin(), ctx.sides.end());
    keep(out);
  }
  std::vector<std::string> take() { return std::exchange(rows, {}); }
  std::unique_ptr<JoinOperator> op;
  SchemaPtr out_schema;
  CollectingDeadLetters dead;
  std::vector<std::string> rows, sides;
};

TEST(JoinTest, OutputSchemaRenamesTheRightSidesClashingFields) {
  Harness h(options(JoinType::kInterval));
  EXPECT_EQ(h.out_schema->to_string(), "k bigint, v bigint, right_k bigint, right_v bigint");
  auto o = options(JoinType::kWindow);
  o.size_ms = 10;
  o.right_prefix = "r_";
  o.left_outer = true;
  Harness w(std::move(o));
  EXPECT_EQ(w.out_schema->to_string(),
            "k bigint, v bigint, r_k bigint, r_v bigint, window_start bigint NOT NULL, "
            "window_end bigint NOT NULL");
}

TEST(JoinTest, IntervalJoinPairsRowsWithinTheBoundsAsTheSecondArrives) {
  auto o = options(JoinType::kInterval);
  o.lower_ms = -2;  // the right row from 2 ms before the left one...
  o.upper_ms = 3;   // ...to 3 ms after it
  Harness h(std::move(o));
  h.process({{"L", 1, 10, 100}, {"R", 1, 20, 97}, {"R", 1, 21, 98}, {"R", 2, 22, 100}});
  // R 21 at 98 is within [98, 103] of L 10; R 20 at 97 is not; R 22 has another key.
  EXPECT_EQ(h.take(), std::vector<std::string>{
                          R"({"k": 1, "v": 10, "right_k": 1, "right_v": 21} @100)"});
  h.process({{"R", 1, 23, 103}, {"R", 1, 24, 104}, {"L", 1, 11, 101}});
  // The right side goes first in a batch: R 23 (103) pairs with L 10 (lefts from 100 to 105),
  // R 24 (104) with no left yet; then L 11 (rights from 99 to 104) finds R 23 and R 24.
  EXPECT_EQ(h.take(), (std::vector<std::string>{
                          R"({"k": 1, "v": 10, "right_k": 1, "right_v": 23} @103)",
                          R"({"k": 1, "v": 11, "right_k": 1, "right_v": 23} @103)",
                          R"({"k": 1, "v": 11, "right_k": 1, "right_v": 24} @104)"}));
  // At watermark 104 a left row is needed until its time + 3, a right row until its time + 2:
  // L 10 (103), R 20 (99), R 21 (100) and R 22 (102) leave; L 11, R 23 and R 24 stay.
  EXPECT_EQ(h.op->rows_held(), 7u);
  h.watermark(104);
  EXPECT_EQ(h.op->rows_held(), 3u);
  // A row earlier than the watermark is late: it goes to the late side output.
  h.process({{"L", 1, 12, 103}, {"R", 1, 25, 101}});
  EXPECT_TRUE(h.take().empty());
  EXPECT_EQ(h.sides, (std::vector<std::string>{R"(1: {"k": 1, "v": 25})",
                                                R"(0: {"k": 1, "v": 12})"}));
}

TEST(JoinTest, LeftIntervalJoinEmitsUnmatchedLeftRowsWhenTheyExpire) {
  auto o = options(JoinType::kInterval);
  o.lower_ms = 0;
  o.upper_ms = 5;
  o.left_outer = true;
  Harness h(std::move(o));
  h.process({{"L", 1, 10, 100}, {"L", 2, 11, 100}, {"R", 1, 20, 104}, {"L", INT64_MIN, 12, 100}});
  EXPECT_EQ(h.take(), (std::vector<std::string>{
                          R"({"k": 1, "v": 10, "right_k": 1, "right_v": 20} @104)",
                          // A NULL key matches nothing: its row is out at once.
                          R"({"k": null, "v": 12, "right_k": null, "right_v": null} @100)"}));
  h.watermark(105);  // the left rows are needed until 105 included
  EXPECT_TRUE(h.take().empty());
  h.watermark(106);
  EXPECT_EQ(h.take(), std::vector<std::string>{
                          R"({"k": 2, "v": 11, "right_k": null, "right_v": null} @100)"});
}

TEST(JoinTest, WindowJoinEmitsEachWindowsPairsAtTheWatermark) {
  auto o = options(JoinType::kWindow);
  o.size_ms = 10;
  o.left_outer = true;
  Harness h(std::move(o));
  h.process({{"L", 1, 10, 100}, {"R", 1, 20, 109}, {"R", 1, 21, 110}, {"L", 2, 11, 105},
             {"L", 1, 12, 111}, {"R", 1, 22, 101}});
  EXPECT_TRUE(h.take().empty());
  h.watermark(110);
  EXPECT_EQ(h.take(), (std::vector<std::string>{
                          R"({"k": 1, "v": 10, "right_k": 1, "right_v": 20, "window_start": 100, "window_end": 110} @109)",
                          R"({"k": 1, "v": 10, "right_k": 1, "right_v": 22, "window_start": 100, "window_end": 110} @109)",
                          R"({"k": 2, "v": 11, "right_k": null, "right_v": null, "window_start": 100, "window_end": 110} @109)"}));
  h.process({{"R", 1, 23, 108}});  // its window has fired: late
  EXPECT_EQ(h.sides, std::vector<std::string>{R"(1: {"k": 1, "v": 23})"});
  h.watermark(INT64_MAX);
  EXPECT_EQ(h.take(), std::vector<std::string>{
                          R"({"k": 1, "v": 12, "right_k": 1, "right_v": 21, "window_start": 110, "window_end": 120} @119)"});
  EXPECT_EQ(h.op->rows_held(), 0u);
}

TEST(JoinTest, RegularJoinKeepsRowsForTheirTtl) {
  auto o = options(JoinType::kRegular);
  o.ttl_ms = 50;
  o.where = "v + right_v > 30";
  Harness h(std::move(o));
  h.process({{"L", 1, 10, 100}, {"L", 1, 30, 100}, {"R", 1, 20, 500}});
  // Any times pair; `where` keeps the pair of 30 and 20 only.
  EXPECT_EQ(h.take(), std::vector<std::string>{
                          R"({"k": 1, "v": 30, "right_k": 1, "right_v": 20} @500)"});
  h.watermark(151);  // the left rows (100 + 50 < 151) are gone
  h.process({{"R", 1, 21, 600}});
  EXPECT_TRUE(h.take().empty());
  h.process({{"L", 1, 40, 90}});  // not late for a regular join: pairs with both right rows
  EXPECT_EQ(h.take(), (std::vector<std::string>{
                          R"({"k": 1, "v": 40, "right_k": 1, "right_v": 20} @500)",
                          R"({"k": 1, "v": 40, "right_k": 1, "right_v": 21} @600)"}));
}

TEST(JoinTest, APairWhoseWhereFailsGoesToTheDeadLetters) {
  auto o = options(JoinType::kRegular);
  o.where = "v < 15 AND CAST(CONCAT('n', right_v) AS bigint) > 0";
  Harness h(std::move(o));
  // The pair of v 20 fails `v < 15` (filtered); that of v 10 reaches the CAST, which fails: a
  // dead letter naming the step, the reason and the joined row. The counts still reconcile
  // (checked by the harness).
  h.process({{"R", 1, 7, 100}, {"L", 1, 20, 101}, {"L", 1, 10, 102}});
  EXPECT_TRUE(h.take().empty());
  ASSERT_EQ(h.dead.letters.size(), 1u);
  EXPECT_EQ(h.dead.letters[0].stage, "join");
  EXPECT_NE(h.dead.letters[0].reason.find("where: "), std::string::npos)
      << h.dead.letters[0].reason;
  EXPECT_NE(h.dead.letters[0].reason.find("cannot CAST 'n7' AS bigint"), std::string::npos)
      << h.dead.letters[0].reason;
  EXPECT_EQ(h.dead.letters[0].record, R"({"k": 1, "v": 10, "right_k": 1, "right_v": 7})");
}

TEST(JoinTest, TemporalJoinReadsTheVersionCurrentAtTheLeftRowsTime) {
  auto o = options(JoinType::kTemporal);
  o.left_outer = true;
  Harness h(std::move(o));
  h.process({{"R", 1, 1, 100}, {"L", 1, 10, 105}, {"L", 1, 11, 99}, {"R", 1, 2, 110},
             {"L", 1, 12, 110}, {"L", 2, 13, 120}, {"R", 1, 3, 130}});
  EXPECT_TRUE(h.take().empty());  // the left rows wait for the watermark
  h.watermark(111);
  EXPECT_EQ(h.take(), (std::vector<std::string>{
                          R"({"k": 1, "v": 11, "right_k": null, "right_v": null} @99)",
                          R"({"k": 1, "v": 10, "right_k": 1, "right_v": 1} @105)",
                          R"({"k": 1, "v": 12, "right_k": 1, "right_v": 2} @110)"}));
  h.process({{"R", 1, 4, 115}});  // a new version before the waiting row at 120 of key 2
  h.watermark(INT64_MAX);
  EXPECT_EQ(h.take(), std::vector<std::string>{
                          R"({"k": 2, "v": 13, "right_k": null, "right_v": null} @120)"});
  // Versions at or before the watermark: only the newest is kept.
  EXPECT_EQ(h.op->rows_held(), 1u);
}

TEST(JoinTest, TemporalJoinInProcessingTimeUsesTheNewestVersion) {
  auto o = options(JoinType::kTemporal);
  o.as_of_event_time = false;
  Harness h(std::move(o));
  h.process({{"R", 1, 1, 100}, {"L", 1, 10, 50}, {"R", 1, 2, 90}});
  // The right side goes first in a batch: the newest version is the last arrived, 2.
  EXPECT_EQ(h.take(), std::vector<std::string>{
                          R"({"k": 1, "v": 10, "right_k": 1, "right_v": 2} @50)"});
}

TEST(JoinTest, LookupJoinReadsATable) {
  auto table = std::make_shared<Batch>(
      schema_of({{"k", Type::kInt}, {"name", Type::kString}}));
  for (const auto& [k, name] : std::vector<std::pair<int64_t, const char*>>{
           {1, "one"}, {2, "two"}, {1, "uno"}}) {
    const size_t r = table->add_row();
    table->set(r, 0, Value::of_int(k));
    table->set_string(r, 1, name);
  }
  JoinOperator::Options o;
  o.type = JoinType::kLookup;
  o.left = side("L");
  o.left_key = {{"k", {}}};
  o.right_key = {{"k", {}}};
  o.table = table;
  o.left_outer = true;
  Harness h(std::move(o));
  EXPECT_EQ(h.out_schema->to_string(), "k bigint, v bigint, right_k bigint, name string");
  h.process({{"L", 1, 10, 100}, {"R", 2, 0, 100}, {"L", 3, 11, 101}, {"L", 2, 12, 102}});
  EXPECT_EQ(h.take(), (std::vector<std::string>{
                          R"({"k": 1, "v": 10, "right_k": 1, "name": "uno"} @100)",
                          R"({"k": 3, "v": 11, "right_k": null, "name": null} @101)",
                          R"({"k": 2, "v": 12, "right_k": 2, "name": "two"} @102)"}));
}

TEST(JoinTest, ABranchWindowsRowsReachTheJoinBeforeTheWatermark) {
  // Nexmark q7's shape: the highest value of each 10 ms window, joined back with the rows
  // that have it within the window.
  JoinOperator::Options o;
  o.type = JoinType::kInterval;
  o.lower_ms = 0;
  o.upper_ms = 9;
  o.left = side("L");
  o.right = side("L");
  o.right.push_back(create_ok(WindowOperator::create(
      {.size_ms = 10, .aggregates = {{"best", "MAX(v)", {}}}})));
  o.left_key = {{"v", {}}};
  o.right_key = {{"best", {}}};
  Harness h(std::move(o));
  h.process({{"L", 1, 5, 100}, {"L", 2, 7, 103}, {"L", 3, 7, 109}, {"L", 4, 9, 111}});
  h.watermark(110);  // the window [100, 110) fires: its row (time 109) is not late
  EXPECT_EQ(h.take(), (std::vector<std::string>{
                          R"({"k": 2, "v": 7, "window_start": 100, "window_end": 110, "best": 7} @109)",
                          R"({"k": 3, "v": 7, "window_start": 100, "window_end": 110, "best": 7} @109)"}));
  EXPECT_TRUE(h.sides.empty());
}

// Every pair of a random stream, by brute force, against the join's output.
TEST(JoinTest, JoinsMatchABruteForcePairingOfARandomStream) {
  std::mt19937_64 rng(7);
  std::vector<Event> stream;
  int64_t t = 1000;
  for (int i = 0; i < 3000; ++i) {
    t += static_cast<int64_t>(rng() % 3);
    const int64_t jitter = static_cast<int64_t>(rng() % 20);  // out of order by up to 20 ms
    stream.push_back({rng() % 2 ? "L" : "R", static_cast<int64_t>(rng() % 13), i, t - jitter});
  }
  for (const JoinType type : {JoinType::kInterval, JoinType::kWindow, JoinType::kRegular}) {
    std::multiset<std::string> expected;
    for (const Event& l : stream) {
      if (l.side[0] != 'L') continue;
      for (const Event& r : stream) {
        if (r.side[0] != 'R' || r.k != l.k) continue;
        if (type == JoinType::kInterval && !(r.t >= l.t - 7 && r.t <= l.t + 4)) continue;
        if (type == JoinType::kWindow) {
          for (int64_t start = (l.t / 10) * 10; start > l.t - 30; start -= 10) {
            if (r.t >= start && r.t < start + 30) {
              expected.insert(fmt::format("{} {} {}", l.v, r.v, start));
            }
          }
          continue;
        }
        expected.insert(fmt::format("{} {}", l.v, r.v));
      }
    }
    ASSERT_GT(expected.size(), 300u) << join_type_name(type);
    // Batches of 50 with a watermark 20 ms behind the newest time: nothing is late.
    auto o2 = options(type);
    o2.lower_ms = -7;
    o2.upper_ms = 4;
    o2.size_ms = 30;
    o2.slide_ms = 10;
    Harness h2(std::move(o2));
    int64_t newest = INT64_MIN;
    std::multiset<std::string> actual;
    const auto collect = [&](std::vector<std::string> rows) {
      for (const std::string& row : rows) {
        long long k = 0, v = 0, rk = 0, rv = 0, start = 0, end = 0, at = 0;
        if (type == JoinType::kWindow) {
          ASSERT_EQ(std::sscanf(row.c_str(),
                                R"({"k": %lld, "v": %lld, "right_k": %lld, "right_v": %lld, "window_start": %lld, "window_end": %lld} @%lld)",
                                &k, &v, &rk, &rv, &start, &end, &at),
                    7)
              << row;
          EXPECT_EQ(end, start + 30);
          EXPECT_EQ(at, end - 1);
          actual.insert(fmt::format("{} {} {}", v, rv, start));
        } else {
          ASSERT_EQ(std::sscanf(row.c_str(),
                                R"({"k": %lld, "v": %lld, "right_k": %lld, "right_v": %lld} @%lld)",
                                &k, &v, &rk, &rv, &at),
                    5)
              << row;
          actual.insert(fmt::format("{} {}", v, rv));
        }
        EXPECT_EQ(k, rk);
      }
    };
    for (size_t i = 0; i < stream.size(); i += 50) {
      std::vector<Event> part(stream.begin() + static_cast<long>(i),
                              stream.begin() + static_cast<long>(std::min(stream.size(), i + 50)));
      for (const Event& e : part) newest = std::max(newest, e.t);
      h2.process(part);
      h2.watermark(newest - 20);
      collect(h2.take());
    }
    h2.watermark(INT64_MAX);
    collect(h2.take());
    EXPECT_TRUE(h2.sides.empty()) << join_type_name(type);
    EXPECT_EQ(actual, expected) << join_type_name(type);
    EXPECT_EQ(h2.op->rows_held(), type == JoinType::kRegular ? 3000u : 0u);
  }
}

TEST(JoinTest, StateSnapshotsAndRestoresMidStream) {
  for (const JoinType type : {JoinType::kInterval, JoinType::kWindow, JoinType::kRegular,
                              JoinType::kTemporal}) {
    const auto make = [&] {
      auto o = options(type);
      o.lower_ms = -5;
      o.upper_ms = 5;
      o.size_ms = 20;
      o.left_outer = type != JoinType::kRegular;
      o.right.push_back(create_ok(FilterOperator::create({"v % 2 = 0", {}})));
      return o;
    };
    std::vector<Event> first, second;
    for (int i = 0; i < 200; ++i) {
      (i < 100 ? first : second)
          .push_back({i % 3 ? "L" : "R", i % 5, i, 1000 + i * 2 - (i % 4)});
    }
    Harness whole(make());
    whole.process(first);
    whole.watermark(1150);
    std::stringstream bytes;
    {
      StateWriter writer(bytes);
      whole.op->snapshot(writer);
    }
    whole.process(second);
    whole.watermark(INT64_MAX);
    Harness resumed(make());
    {
      StateReader reader(bytes);
      ASSERT_TRUE(resumed.op->restore(reader).ok());
    }
    resumed.process(second);
    resumed.watermark(INT64_MAX);
    const std::vector<std::string> all = whole.take();
    const std::vector<std::string> tail(all.end() - static_cast<long>(resumed.rows.size()),
                                        all.end());
    EXPECT_GT(resumed.rows.size(), 10u) << join_type_name(type);
    EXPECT_EQ(resumed.rows, tail) << join_type_name(type);
    // Corrupt bytes are an error, not a crash.
    std::string cut = bytes.str().substr(0, bytes.str().size() / 2);
    std::stringstream broken(cut);
    Harness other(make());
    StateReader reader(broken);
    EXPECT_FALSE(other.op->restore(reader).ok()) << join_type_name(type);
  }
}

TEST(JoinTest, ConfigurationErrorsNameTheProblem) {
  auto o = options(JoinType::kRegular);
  o.left_outer = true;
  EXPECT_NE(create_error(JoinOperator::create(std::move(o))).find("a regular join is inner only"),
            std::string::npos);
  auto bounds = options(JoinType::kInterval);
  bounds.lower_ms = 5;
  bounds.upper_ms = -5;
  EXPECT_NE(create_error(JoinOperator::create(std::move(bounds))).find("above the upper bound"),
            std::string::npos);
  auto unknown = options(JoinType::kInterval);
  unknown.right_key = {{"kk", {2, 7}}};
  auto op = create_ok(JoinOperator::create(std::move(unknown)));
  EXPECT_EQ(open_error(*op, events()),
            "line 2, column 7: join: unknown field 'kk' (did you mean 'k'?)");
  auto types = options(JoinType::kInterval);
  types.right.push_back(create_ok(MapOperator::create({{{"s", "CAST(k AS string)", {}}}})));
  types.right_key = {{"s", {3, 9}}};
  auto typed = create_ok(JoinOperator::create(std::move(types)));
  EXPECT_EQ(open_error(*typed, events()),
            "line 3, column 9: join: key 'k' is bigint on the left but 's' is string on the "
            "right (CAST one of them in its branch)");
}

}  // namespace
}  // namespace rivulet::stream
