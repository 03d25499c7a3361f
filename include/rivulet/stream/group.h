#pragma once
/// Unbounded, updating aggregations, as Flink SQL's non-windowed `GROUP BY` and Top-N: their
/// output is an upsert stream, each row the new value of its key (Flink's `+U`), so that a sink
/// or a later step keeping the last row per key holds the current result.
///
/// `aggregate` (Flink's group aggregate): every row updates its group's aggregates and the
/// group's row (its keys, then the aggregates) comes out at once. With `upsert_key`, the input is
/// itself an upsert stream keyed by those fields (an `aggregate`'s or `top_n`'s output): a row
/// replaces the previous row of its key, whose values are first taken out of the aggregates
/// (a retraction), so that an average of per-auction maxima stays right as the maxima grow.
/// Aggregates that take retractions: COUNT, SUM, AVG, VAR/STDDEV, COUNT(DISTINCT).
///
/// `top_n` without `size_ms` (Flink's Top-N, `ROW_NUMBER() OVER (PARTITION BY k ORDER BY x
/// DESC) <= n`): the best n rows of each group ever seen, by one or more order keys (ties keep
/// arrival order). When a row enters its group's top n at rank r, the rows from rank r down come
/// out with their new rank: an upsert stream keyed by (group, rank).
///
/// State snapshots and restores. Thread safety: as Operator.
/// ```cpp example
/// using namespace rivulet;
/// auto op = stream::AggregateOperator::create(
///     {.group_by = {{"card", {}}}, .aggregates = {{"n", "COUNT(*)", {}}}}).value();
/// auto schema = std::make_shared<const Schema>(
///     *Schema::create({{"card", Type::kString}, {"amount", Type::kDouble}}));
/// stream::OpenContext open_ctx;
/// EXPECT_EQ(op->open(schema, open_ctx).value()->to_string(), "card string, n bigint");
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rivulet/stream/aggregate.h"
#include "rivulet/stream/operator.h"
#include "rivulet/stream/operators.h"
#include "rivulet/stream/window.h"

namespace rivulet::stream {

class AggregateOperator final : public Operator {
 public:
  struct Options {
    std::vector<FieldRef> group_by;           ///< empty: one global group
    std::vector<WindowAggregate> aggregates;  ///< REQUIRES: not empty; distinct names.
    /// The input's upsert key: a row replaces the previous row with the same values of these
    /// fields. Empty: every row is new (an append-only input).
    std::vector<FieldRef> upsert_key;
    SourcePos pos;
  };
  static Result<std::unique_ptr<AggregateOperator>> create(Options options);
  ~AggregateOperator() override;

  std::string_view kind() const override { return "aggregate"; }
  /// Errors: unknown fields (with suggestions), unknown functions, an aggregate that cannot
  /// take retractions with an upsert_key.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  /// The groups (and upsert keys' rows) whose group value of the key field `keep` accepts.
  Status restore_rescaled(const std::vector<std::string>& snapshots,
                          const PartitionFilter& keep) override;
  std::unique_ptr<Operator> clone() const override;
  bool stateful() const override { return true; }
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override { return names_of(options_.group_by); }
  size_t groups_held() const { return groups_.size(); }

 private:
  struct Group;
  struct Previous;
  explicit AggregateOperator(Options options);
  void emit(const Group& g, int64_t time, Batch& out) const;
  // Adds what `in` holds to the state; with `keep`, only the groups whose key field at
  // `key_index` it accepts.
  Status read_state(StateReader& in, const PartitionFilter* keep, size_t key_index);

  Options options_;
  SchemaPtr out_schema_;
  std::vector<size_t> group_fields_, upsert_fields_;
  std::vector<std::optional<size_t>> agg_fields_;
  std::vector<std::unique_ptr<Aggregate>> prototypes_;
  std::unordered_map<std::string, std::unique_ptr<Group>> groups_;
  std::unordered_map<std::string, Previous> previous_;  // upsert key -> its current row
  std::string key_, upsert_;
};

/// One order key of an updating Top-N.
struct OrderKey {
  FieldRef field;  ///< a number field. REQUIRES: set.
  bool descending = true;
};

class RankOperator final : public Operator {
 public:
  struct Options {
    std::vector<FieldRef> partition_by;  ///< empty: one group
    std::vector<OrderKey> order_by;      ///< REQUIRES: not empty.
    int64_t n = 1;                       ///< REQUIRES: >= 1.
    SourcePos pos;
  };
  static Result<std::unique_ptr<RankOperator>> create(Options options);
  ~RankOperator() override;

  std::string_view kind() const override { return "top_n"; }
  /// Errors: unknown fields, an order key that is not a number.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  /// The groups whose partition_by value of the key field `keep` accepts.
  Status restore_rescaled(const std::vector<std::string>& snapshots,
                          const PartitionFilter& keep) override;
  std::unique_ptr<Operator> clone() const override;
  bool stateful() const override { return true; }
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override {
    return names_of(options_.partition_by);
  }

 private:
  struct Row {
    std::vector<double> order;  // the order keys, each negated when descending: smaller is better
    uint64_t arrival = 0;
    std::string bytes;  // the row's values
  };
  explicit RankOperator(Options options);
  Status read_state(StateReader& in, const PartitionFilter* keep, size_t key_index);
  Options options_;
  SchemaPtr out_schema_;
  std::vector<size_t> key_fields_, order_fields_;
  std::unordered_map<std::string, std::vector<Row>> groups_;  // best first, at most n
  std::string key_;
  uint64_t arrival_ = 0;
};

}  // namespace rivulet::stream
