#include "rivulet/stream/group.h"

#include <gtest/gtest.h>

#include <sstream>

#include "stream/operators/operator_test_util.h"

namespace rivulet::stream {
namespace {

using namespace test;  // NOLINT(google-build-using-namespace)

SchemaPtr auctions() {
  return schema_of({{"id", Type::kInt}, {"category", Type::kString}, {"final", Type::kInt}});
}

template <class Op>
std::vector<std::string> feed(Op& op, const SchemaPtr& schema,
                              const std::vector<std::vector<Value>>& rows) {
  return run(op, schema, rows).rows;
}

TEST(GroupAggregateTest, EveryRowUpdatesItsGroupsRow) {
  auto op = create_ok(AggregateOperator::create(
      {.group_by = {{"category", {}}},
       .aggregates = {{"n", "COUNT(*)", {}}, {"top", "MAX(final)", {}}}}));
  EXPECT_EQ(open_ok(*op, auctions())->to_string(), "category string, n bigint, top bigint");
  EXPECT_EQ(feed(*op, auctions(), {{I(1), S("a"), I(10)}, {I(2), S("b"), I(5)},
                                   {I(3), S("a"), I(7)}}),
            (std::vector<std::string>{R"({"category": "a", "n": 1, "top": 10})",
                                      R"({"category": "b", "n": 1, "top": 5})",
                                      R"({"category": "a", "n": 2, "top": 10})"}));
}

TEST(GroupAggregateTest, AnUpsertKeysNewRowReplacesItsPreviousOne) {
  // The average of each category's auctions' current maximum (Nexmark q4's second step).
  auto op = create_ok(AggregateOperator::create({.group_by = {{"category", {}}},
                                                 .aggregates = {{"avg", "AVG(final)", {}},
                                                                {"n", "COUNT(*)", {}}},
                                                 .upsert_key = {{"id", {}}}}));
  open_ok(*op, auctions());
  const RunResult r = run(*op, auctions(),
                          {{I(1), S("a"), I(10)},
                           {I(2), S("a"), I(20)},
                           {I(1), S("a"), I(30)},    // auction 1's maximum grows: 10 -> 30
                           {I(2), S("b"), I(40)}});  // auction 2 moves to b: a loses it
  EXPECT_EQ(r.rows, (std::vector<std::string>{R"({"category": "a", "avg": 10, "n": 1})",
                                              R"({"category": "a", "avg": 15, "n": 2})",
                                              R"({"category": "a", "avg": 25, "n": 2})",
                                              R"({"category": "a", "avg": 30, "n": 1})",
                                              R"({"category": "b", "avg": 40, "n": 1})"}));
  EXPECT_EQ(r.counts.added, 1u);
  // Snapshot, restore into a fresh instance, continue: the same rows as without a break.
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    op->snapshot(w);
  }
  auto again = create_ok(AggregateOperator::create({.group_by = {{"category", {}}},
                                                    .aggregates = {{"avg", "AVG(final)", {}},
                                                                   {"n", "COUNT(*)", {}}},
                                                    .upsert_key = {{"id", {}}}}));
  open_ok(*again, auctions());
  {
    StateReader rd(bytes);
    ASSERT_TRUE(again->restore(rd).ok());
  }
  const std::vector<std::vector<Value>> more = {{I(1), S("a"), I(50)}, {I(3), S("b"), I(0)}};
  const std::vector<std::string> after = {R"({"category": "a", "avg": 50, "n": 1})",
                                          R"({"category": "b", "avg": 20, "n": 2})"};
  EXPECT_EQ(feed(*again, auctions(), more), after);
  EXPECT_EQ(feed(*op, auctions(), more), after);
  std::stringstream cut(bytes.str().substr(0, bytes.str().size() - 3));
  StateReader broken(cut);
  EXPECT_FALSE(again->restore(broken).ok());
}

TEST(GroupAggregateTest, AnUpsertKeyNeedsAggregatesThatTakeValuesBack) {
  auto op = create_ok(AggregateOperator::create({.group_by = {{"category", {}}},
                                                 .aggregates = {{"top", "MAX(final)", {4, 9}}},
                                                 .upsert_key = {{"id", {}}}}));
  EXPECT_NE(open_error(*op, auctions()).find("line 4, column 9: aggregate: MAX cannot take back"),
            std::string::npos)
      << open_error(*op, auctions());
}

SchemaPtr bids() {
  return schema_of({{"auction", Type::kInt}, {"price", Type::kInt}, {"t", Type::kInt}});
}

TEST(RankTest, RowsEnteringTheTopNComeOutWithTheRanksBelowThem) {
  auto op = create_ok(RankOperator::create(
      {.partition_by = {{"auction", {}}}, .order_by = {{{"price", {}}, true}}, .n = 2}));
  EXPECT_EQ(open_ok(*op, bids())->to_string(),
            "auction bigint, price bigint, t bigint, rank bigint NOT NULL");
  const RunResult r = run(*op, bids(),
                          {{I(1), I(10), I(1)},
                           {I(1), I(20), I(2)},   // new best: ranks 1 and 2 change
                           {I(1), I(5), I(3)},    // not in the top 2
                           {I(1), I(20), I(4)},   // ties with rank 1: after it, rank 2
                           {I(2), N(), I(5)},     // no price: never ranked
                           {I(2), I(1), I(6)}});
  EXPECT_EQ(r.rows, (std::vector<std::string>{
                        R"({"auction": 1, "price": 10, "t": 1, "rank": 1})",
                        R"({"auction": 1, "price": 20, "t": 2, "rank": 1})",
                        R"({"auction": 1, "price": 10, "t": 1, "rank": 2})",
                        R"({"auction": 1, "price": 20, "t": 4, "rank": 2})",
                        R"({"auction": 2, "price": 1, "t": 6, "rank": 1})"}));
  EXPECT_EQ(r.counts.filtered, 2u);
  EXPECT_EQ(r.counts.added, 1u);
}

TEST(RankTest, SeveralOrderKeysBreakTies) {
  // Nexmark q9: the highest price, and of equal prices the earliest.
  auto op = create_ok(RankOperator::create(
      {.order_by = {{{"price", {}}, true}, {{"t", {}}, false}}, .n = 1}));
  open_ok(*op, bids());
  EXPECT_EQ(feed(*op, bids(), {{I(1), I(20), I(5)}, {I(1), I(20), I(3)}, {I(1), I(20), I(4)}}),
            (std::vector<std::string>{R"({"auction": 1, "price": 20, "t": 5, "rank": 1})",
                                      R"({"auction": 1, "price": 20, "t": 3, "rank": 1})"}));
  std::stringstream bytes;
  {
    StateWriter w(bytes);
    op->snapshot(w);
  }
  auto again = create_ok(RankOperator::create(
      {.order_by = {{{"price", {}}, true}, {{"t", {}}, false}}, .n = 1}));
  open_ok(*again, bids());
  {
    StateReader rd(bytes);
    ASSERT_TRUE(again->restore(rd).ok());
  }
  EXPECT_TRUE(feed(*again, bids(), {{I(1), I(20), I(4)}}).empty());
  EXPECT_EQ(feed(*again, bids(), {{I(1), I(21), I(9)}}),
            std::vector<std::string>{R"({"auction": 1, "price": 21, "t": 9, "rank": 1})"});
}

}  // namespace
}  // namespace rivulet::stream
