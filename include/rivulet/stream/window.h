#pragma once
/// `window`: event-time windows per group, as Flink SQL's TUMBLE, HOP and SESSION table functions
/// with GROUP BY window_start, window_end, keys. Each row goes to the windows its event time falls
/// in (one for tumbling windows, size/slide for hopping ones, its group's session for session
/// windows: [first row, last row + gap), merged when a row bridges two); each window keeps one
/// incremental accumulator per aggregate (stream/aggregate.h), never the rows. A window fires when
/// the watermark reaches its end: one row per group, `keys..., window_start, window_end,
/// aggregates...`. With `allowed_lateness_ms`, a late row that still falls in a kept window
/// updates it and the window fires again with the updated result (as Flink's allowed
/// lateness); a row later than that goes to the `late` side output, never silently away.
/// Window state snapshots and restores.
/// Thread safety: as Operator.
/// ```cpp example
/// using namespace rivulet;
/// auto op = stream::WindowOperator::create(
///     {.group_by = {{"card", {}}}, .size_ms = 1000,
///      .aggregates = {{"n", "COUNT(*)", {}}, {"total", "SUM(amount)", {}}}}).value();
/// auto schema = std::make_shared<const Schema>(
///     *Schema::create({{"card", Type::kString}, {"amount", Type::kDouble}}));
/// stream::OpenContext open_ctx;
/// auto out_schema = op->open(schema, open_ctx).value();
/// EXPECT_EQ(out_schema->to_string(),
///           "card string, window_start bigint NOT NULL, window_end bigint NOT NULL, "
///           "n bigint, total double");
/// ```

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rivulet/stream/aggregate.h"
#include "rivulet/stream/operator.h"
#include "rivulet/stream/operators.h"

namespace rivulet::stream {

/// One aggregate of a window: `name: "AVG(amount)"`.
struct WindowAggregate {
  std::string name;  ///< the output field. REQUIRES: not empty.
  std::string
      call;       ///< `FUNC(field)`, `COUNT(*)`, `COUNT(DISTINCT field)`. REQUIRES: one of those.
  SourcePos pos;  ///< where the call is written in the pipeline file
};

class WindowOperator final : public Operator {
 public:
  struct Options {
    std::vector<FieldRef> group_by;  ///< the group's fields; empty: one global group
    int64_t size_ms = 0;             ///< window length. REQUIRES: > 0.
    int64_t slide_ms = 0;            ///< hop; 0: tumbling (= size). REQUIRES: size % slide == 0.
    /// Session windows (Flink's SESSION): a group's session ends `gap_ms` after its last row;
    /// sessions that a row brings within the gap of each other merge. REQUIRES: > 0 with no
    /// size_ms or slide_ms, or 0.
    int64_t gap_ms = 0;
    /// Count windows (Flink's countWindow): every `count` rows of a group, one row of their
    /// aggregates, at once (window_start and window_end are the first and last row's event
    /// time + 1). A group's rows that never make a full window are not emitted. REQUIRES: > 0
    /// with no size_ms, slide_ms or gap_ms, or 0.
    int64_t count = 0;
    /// Early firings for live features (as Flink's early-fire trigger): every this much
    /// processing time, each open window that changed emits its partial result; the final row
    /// still comes at the watermark. 0: none. REQUIRES: >= 0.
    int64_t early_fire_ms = 0;
    std::vector<WindowAggregate> aggregates;  ///< REQUIRES: not empty; distinct names.
    int64_t allowed_lateness_ms = 0;          ///< REQUIRES: >= 0.
    SourcePos pos;
  };
  static Result<std::unique_ptr<WindowOperator>> create(Options options);
  ~WindowOperator() override;

  std::string_view kind() const override { return "window"; }
  /// Errors: unknown fields (with suggestions), unknown functions, types an aggregate cannot take.
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  Status on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) override;
  /// Early firings: every early_fire_ms of processing time, the partial results of the open
  /// windows that changed.
  Status on_timer(Batch& batch, OperatorContext& ctx) override;
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  std::unique_ptr<Operator> clone() const override;
  /// A window must see every row of its groups: before any key_by, or after one whose key is a
  /// group_by field (then each partition holds its groups' windows).
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override { return names_of(options_.group_by); }
  const Options& options() const { return options_; }
  /// Windows held (groups times open windows).
  size_t windows_held() const { return windows_.size() + sessions_.size(); }

 private:
  struct Parsed {
    std::string function;
    bool star = false, distinct = false;
    std::string field;
  };
  struct Window;
  explicit WindowOperator(Options options);
  void group_key(const Batch& batch, size_t r);
  // A window's row; `final` marks it fired (early firings leave it open).
  Status emit(int64_t start, Window& w, Batch& out, bool final = true);
  int64_t last_early_ms_ = INT64_MIN;

  Options options_;
  SchemaPtr out_schema_, late_schema_;
  size_t late_side_ = 0;
  std::vector<size_t> group_fields_;
  std::vector<std::optional<size_t>> agg_fields_;  // input field of each aggregate (none: COUNT(*))
  std::vector<std::unique_ptr<Aggregate>> prototypes_;
  // (window start, group key bytes) -> its window, in start order so that firing is a prefix.
  std::map<std::pair<int64_t, std::string>, std::unique_ptr<Window>> windows_;
  // Session windows: (group key bytes, session start) -> its window, a group's sessions together.
  std::map<std::pair<std::string, int64_t>, std::unique_ptr<Window>> sessions_;
  Status add_to_session(const Batch& batch, size_t r, Batch& out, OperatorContext& ctx, bool& late);
  Window& new_window(const Batch& batch, size_t r);
  std::vector<std::pair<int64_t, std::string>> dirty_;  // windows a late row changed
  std::vector<std::pair<std::string, int64_t>> dirty_sessions_;
  // Count windows: group key bytes -> its open window (its start is the first row's time).
  std::map<std::string, std::pair<int64_t, std::unique_ptr<Window>>> counting_;
  std::map<std::string, int64_t> counted_;  // rows in each open count window
  std::string key_;
  int64_t watermark_ = INT64_MIN;
};

/// `over`: per-event rolling aggregates, as Flink SQL's
/// `agg(x) OVER (PARTITION BY k ORDER BY time RANGE BETWEEN INTERVAL 'range' PRECEDING AND
/// CURRENT ROW)`: each row gets, as new fields, the aggregates of its partition's rows whose event
/// time is within `range_ms` before its own (itself included): "payments on this card in the
/// last hour". Rows are taken in arrival order (a real-time feature must not wait), and a row
/// leaves a partition's range when a later row's time is `range_ms` past it. Aggregates must be
/// removable (COUNT, SUM, AVG, MIN, MAX of numbers, VAR/STDDEV, COUNT(DISTINCT)); a partition
/// idle for `range_ms` of watermark is forgotten. State snapshots and restores.
class OverOperator final : public Operator {
 public:
  struct Options {
    std::vector<FieldRef> partition_by;       ///< empty: one partition
    int64_t range_ms = 0;                     ///< REQUIRES: > 0.
    std::vector<WindowAggregate> aggregates;  ///< REQUIRES: not empty, removable.
    SourcePos pos;
  };
  static Result<std::unique_ptr<OverOperator>> create(Options options);
  ~OverOperator() override;

  std::string_view kind() const override { return "over"; }
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  Status on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) override;
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  std::unique_ptr<Operator> clone() const override;
  /// Each partition's rows must reach the same instance: before any key_by, or after one whose
  /// key is a partition_by field.
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override {
    return names_of(options_.partition_by);
  }
  size_t partitions_held() const { return partitions_.size(); }

 private:
  struct Partition;
  explicit OverOperator(Options options);
  Options options_;
  SchemaPtr out_schema_;
  size_t n_in_ = 0;
  std::vector<size_t> key_fields_;
  std::vector<std::optional<size_t>> agg_fields_;
  std::vector<std::unique_ptr<Aggregate>> prototypes_;
  std::unordered_map<std::string, std::unique_ptr<Partition>> partitions_;
  std::string key_;
};

/// `top_n`: the N rows of each group with the largest (or smallest) value of a field in each
/// tumbling event-time window, as Flink SQL's Window Top-N (`ROW_NUMBER() OVER (PARTITION BY
/// window_start, window_end, keys ORDER BY x DESC) <= N`). Only the best N rows of a group are
/// kept while the window is open. At the watermark each group's rows come out best first, with
/// `window_start`, `window_end` and `rank` (1 to N) added; ties keep arrival order. Rows later
/// than their window go to the `late` side output. State snapshots and restores.
class TopNOperator final : public Operator {
 public:
  struct Options {
    std::vector<FieldRef> partition_by;  ///< empty: one group per window
    FieldRef order_by;                   ///< a number field. REQUIRES: set.
    bool descending = true;              ///< largest first
    int64_t n = 1;                       ///< REQUIRES: >= 1.
    int64_t size_ms = 0;                 ///< the tumbling window's length. REQUIRES: > 0.
    SourcePos pos;
  };
  static Result<std::unique_ptr<TopNOperator>> create(Options options);
  ~TopNOperator() override;

  std::string_view kind() const override { return "top_n"; }
  Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) override;
  Status process(Batch& batch, OperatorContext& ctx) override;
  Status on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) override;
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  std::unique_ptr<Operator> clone() const override;
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override {
    return names_of(options_.partition_by);
  }

 private:
  struct Group;
  explicit TopNOperator(Options options);
  Options options_;
  SchemaPtr out_schema_;
  size_t late_side_ = 0;
  size_t n_in_ = 0;
  std::vector<size_t> key_fields_;
  size_t order_field_ = 0;
  // (window start, group key bytes) -> the group's best rows, in window order.
  std::map<std::pair<int64_t, std::string>, std::unique_ptr<Group>> groups_;
  std::string key_;
  uint64_t arrival_ = 0;
  int64_t watermark_ = INT64_MIN;
};

}  // namespace rivulet::stream
