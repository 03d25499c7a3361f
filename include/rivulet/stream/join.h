#pragma once
/// `join`: joins of two streams in event time, as Flink's joins. The two sides are two branches
/// of the stream that reaches the step: `left` and `right` are lists of steps (filter, map,
/// select, window, ...) that each side's rows go through first; an empty branch takes the rows
/// as they come. Rows of the two sides match when their `on` keys are equal (SQL equality: a
/// NULL key matches nothing) and the optional `where` predicate on the joined row is TRUE. A
/// joined row holds the left side's fields, then the right side's (a right field whose name the
/// left side already has is renamed `right_prefix` + name), then, for window joins,
/// `window_start` and `window_end`.
///
/// Types (Flink's names):
/// - `interval`: the right row's event time is within [left time + lower_ms, left time +
///   upper_ms] (Flink's interval join, `.between(lower, upper)`). A pair is emitted as soon as
///   its second row arrives, with the later of the two times. A row is kept until the watermark
///   passes the last time a partner could have; a row that arrives after that is late.
/// - `window`: both rows fall in the same tumbling (or hopping) event-time window; the pairs of a
///   window come out when the watermark reaches its end (Flink's window join), with time
///   window_end - 1.
/// - `regular`: any times (Flink's regular join); each pair as soon as its second row arrives.
///   Rows are kept for `ttl_ms` of event time past their own (by the watermark), or forever.
/// - `temporal`: the right side is a changelog, each row the newest version of its key from its
///   event time on; a left row is joined with the version of its key that was current at its own
///   event time (Flink's `FOR SYSTEM_TIME AS OF l.time`). Left rows wait for the watermark to
///   pass their time, so that every version up to it has arrived; versions no left row can still
///   need are dropped. Without watermarks (`as_of: processing_time`) a left row is joined at once
///   with the newest version.
/// - `lookup`: the right side is a table given whole (`table`, e.g. loaded from a file), each
///   left row joined at once with its key's row (the last one given for a key wins).
///
/// `how: left` (LEFT JOIN) also emits every left row that found no partner, right fields NULL:
/// for interval joins when the row expires, for window joins when the window fires, for
/// temporal and lookup joins at once. Rows later than the watermark allows go to the `late` side
/// output, never silently away. All state snapshots and restores (branches included).
/// Thread safety: as Operator.
/// ```cpp example
/// using namespace rivulet;
/// // Bids joined with the auction they bid on, the auction's row coming first or later.
/// auto join = stream::JoinOperator::create({.type = stream::JoinType::kRegular,
///                                           .left_key = {{"auction", {}}},
///                                           .right_key = {{"id", {}}}}).value();
/// auto schema = std::make_shared<const Schema>(*Schema::create(
///     {{"auction", Type::kInt}, {"id", Type::kInt}, {"price", Type::kInt}}));
/// stream::OpenContext open_ctx;
/// auto out = join->open(schema, open_ctx).value();
/// EXPECT_EQ(out->to_string(),
///           "auction bigint, id bigint, price bigint, right_auction bigint, right_id bigint, "
///           "right_price bigint");
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/stream/operator.h"
#include "rivulet/stream/operators.h"

namespace rivulet::stream {

enum class JoinType { kInterval, kWindow, kRegular, kTemporal, kLookup };
/// "interval", "window", "regular", "temporal", "lookup".
std::string_view join_type_name(JoinType type);

class JoinOperator final : public Operator {
 public:
  struct Options {
    JoinType type = JoinType::kRegular;
    bool left_outer = false;  ///< `how: left`: unmatched left rows too, right fields NULL
    /// The branches: steps each side's rows go through before the join (none: the rows as they
    /// come). REQUIRES: no step that needs a key_by partitioning of its own.
    std::vector<std::unique_ptr<Operator>> left, right;
    /// The equality keys, pairwise. REQUIRES: as many on both sides; not empty.
    std::vector<FieldRef> left_key, right_key;
    /// Interval joins: right time in [left time + lower_ms, left time + upper_ms].
    /// REQUIRES: lower_ms <= upper_ms.
    int64_t lower_ms = 0, upper_ms = 0;
    /// Window joins: window length and hop (0: tumbling). REQUIRES: size_ms > 0 and
    /// size_ms % slide_ms == 0 for window joins.
    int64_t size_ms = 0, slide_ms = 0;
    /// Regular joins: how long a row is kept past its own time, in event time (0: forever).
    int64_t ttl_ms = 0;
    /// Temporal joins: false (`as_of: processing_time`) joins at once with the newest version.
    bool as_of_event_time = true;
    /// Lookup joins: the table's rows. REQUIRES: set for lookup joins, unset for the others.
    std::shared_ptr<const Batch> table;
    /// The right side's rows come from the pipeline's second input, of this schema, through
    /// process_side_input (and the `right` branch); the stream reaching the step then feeds the
    /// left side only. Null: both sides are branches of the stream.
    SchemaPtr right_input;
    /// A predicate on the joined row; empty: none.
    std::string where;
    SourcePos where_pos;
    std::string right_prefix = "right_";
    SourcePos pos;  ///< the step, for errors
  };
  static Result<std::unique_ptr<JoinOperator>> create(Options options);
  ~JoinOperator() override;

  std::string_view kind() const override { return "join"; }
  /// Errors: unknown key fields (with suggestions), keys of different types, a branch step's
  /// error, a `where` that does not compile against the joined row.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  /// With `right_input`: a batch of the second input's rows for the right side. The pairs they
  /// make are left in `batch`, of the output schema (the side rows themselves are not counted
  /// as the step's input; the pairs are added rows).
  Status process_side_input(Batch& batch, OperatorContext& ctx) override;
  bool side_input_emits() const override { return options_.right_input != nullptr; }
  Status on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) override;
  Status on_timer(Batch& batch, OperatorContext& ctx) override;
  Status finish(Batch& batch, OperatorContext& ctx) override;
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  std::unique_ptr<Operator> clone() const override;
  bool stateful() const override { return true; }
  /// A join must see both sides of every key: it runs before any key_by.
  bool needs_global_order() const override { return true; }
  const Options& options() const { return options_; }
  /// Rows held on each side (both sides' rows and a temporal join's versions and waiting rows).
  size_t rows_held() const;

  struct State;

 private:
  explicit JoinOperator(Options options);
  Options options_;
  std::unique_ptr<State> state_;
};

}  // namespace rivulet::stream
