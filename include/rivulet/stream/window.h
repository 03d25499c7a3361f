#pragma once
/// `window`: event-time windows per group, as Flink SQL's TUMBLE, HOP, CUMULATE and SESSION table
/// functions with GROUP BY window_start, window_end, keys. Tumbling, hopping and cumulative
/// windows share their work as Flink's slices do: each row goes into exactly one pane of its
/// group (slide_ms long for hopping windows, step_ms for cumulative ones, the window itself for
/// tumbling ones), and a window's result is its panes' accumulators merged when it fires
/// (Aggregate::merge). Where merging panes would not give the very result of adding the rows
/// (FIRST_VALUE, LAST_VALUE, APPROX_PERCENTILE, TOP_K, which depend on the order of the rows),
/// with early firings, or with `share_panes = false`, each row goes into each of its windows
/// instead (size/slide of them for hopping windows). Session windows: [first row, last row +
/// gap), merged when a row bridges two. A window keeps incremental accumulators
/// (stream/aggregate.h), never the rows. A window fires when the watermark reaches its end: one
/// row per group, `keys..., window_start, window_end, aggregates...`; the rows a watermark fires
/// come in (window_end, window_start, group key bytes) order. With `allowed_lateness_ms`, a late
/// row that still falls in a kept window updates it and the window fires again with the updated
/// result (as Flink's allowed lateness); a row later than that goes to the `late` side output,
/// never silently away.
/// A group's state is found by a hash of its key bytes (no allocation per row).
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
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rivulet/stream/aggregate.h"
#include "rivulet/stream/change_log.h"
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
    /// Cumulative windows (Flink's CUMULATE(TABLE t, DESCRIPTOR(ts), step, size)): for each
    /// start that is a multiple of size_ms, the windows [start, start + step), [start, start +
    /// 2 step), ... [start, start + size), each firing when the watermark reaches its end;
    /// window_start stays the cumulation's start. 0: none. REQUIRES: > 0 with size_ms > 0,
    /// size % step == 0 and no slide_ms, gap_ms or count, or 0.
    int64_t step_ms = 0;
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
    /// Hopping and cumulative windows: one accumulator set per pane, merged at firing, when the
    /// aggregates allow it (see above). false: each row goes into each of its windows (the same
    /// results, at size/slide times the work; kept to compare the two).
    bool share_panes = true;
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
  /// The groups (windows, sessions, count windows) whose group value of the key field `keep`
  /// accepts.
  /// Incremental: the groups of tumbling, hopping and cumulative windows that changed (or
  /// went) since start_changes; sessions and count windows are written whole each time.
  bool incremental() const override { return true; }
  void start_changes() override;
  void snapshot_changes(StateWriter& out) const override;
  Status restore_changes(StateReader& in) override;
  Status restore_rescaled(const std::vector<std::string>& snapshots,
                          const PartitionFilter& keep) override;
  std::unique_ptr<Operator> clone() const override;
  bool stateful() const override { return true; }
  /// A window must see every row of its groups: before any key_by, or after one whose key is a
  /// group_by field (then each partition holds its groups' windows).
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override { return names_of(options_.group_by); }
  const Options& options() const { return options_; }
  /// Accumulator sets held: panes, or windows where panes are not shared (groups times open
  /// windows), and sessions.
  size_t windows_held() const { return slots_held_ + sessions_.size(); }
  /// Whether hopping or cumulative windows share panes (known after open()).
  bool shares_panes() const { return panes_; }

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
  // ---- tumbling, hopping and cumulative windows ----
  // A pane [start, start + pane_ms_) of a group, or (without shared panes) a window [start, end).
  struct Slot;
  // A group: its values, its slots (by end), and the windows late rows created (their ends).
  struct Group;
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  Group& group_of(const Batch& batch, size_t r);  // key_ holds its key bytes
  Slot& slot_of(Group& g, int64_t start, int64_t end);
  bool window_exists(const Group& g, int64_t end) const;
  int64_t window_start(int64_t end) const;
  int64_t slot_first_end(const Slot& s) const;
  int64_t slot_last_end(const Slot& s) const;
  int64_t next_wake(const Group& g) const;
  void wake_at(Group& g, int64_t time);
  Status emit_window(const Group& g, int64_t end, Batch& out);
  // Rescaling: the groups restore_state keeps (all when null), by their key field at
  // rescale_index_.
  const PartitionFilter* rescale_keep_ = nullptr;
  size_t rescale_index_ = 0;
  Status restore_state(StateReader& in);  // restore() less the clean-up on failure
  // The state's bytes with the groups `groups` (snapshot: listed_; snapshot_changes: the
  // changed ones).
  void write_state(StateWriter& out, const std::vector<Group*>& groups) const;
  // Change recording (incremental checkpoints): the groups changed since start_changes, and
  // the keys of those erased.
  struct GroupMark {
    ChangeMark& operator()(Group* g) const;
  };
  ChangeLog<Group*, GroupMark> changes_;
  // restore_state replaces a group already there (applying changes) instead of failing.
  bool upsert_ = false;
  // After changes were applied: every group's wake, the heap and idle_ made anew.
  void rewake_all();
  bool panes_ = true;    // slots are panes (else windows)
  int64_t pane_ms_ = 0;  // pane length; window ends are its multiples
  std::unordered_map<std::string, std::unique_ptr<Group>, KeyHash, std::equal_to<>> groups_;
  // The same groups in an array, in no particular order: a walk over all of them (a snapshot)
  // reads pointers side by side and can prefetch ahead, where the map's list is one cache miss
  // after another (half of a 1M-group snapshot's time).
  std::vector<Group*> listed_;
  void list(Group& g);    // adds g to listed_
  void unlist(Group& g);  // removes g from listed_ (before it leaves the map)
  // (time, group): when a group has windows to fire or slots to drop; a min-heap.
  std::vector<std::pair<int64_t, Group*>> wake_;
  std::vector<Group*> idle_;  // groups left without slots (kept a while for their next row)
  std::vector<std::unique_ptr<Slot>> free_slots_;  // dropped slots, reused
  size_t slots_held_ = 0;
  std::vector<std::unique_ptr<Aggregate>> merged_;  // a window's panes merged
  std::vector<std::pair<Group*, int64_t>> dirty_;   // (group, window end) a late row changed
  std::set<std::pair<Group*, int64_t>> dirty_set_;
  // ---- sessions and count windows ----
  // Session windows: (group key bytes, session start) -> its window, a group's sessions together.
  std::map<std::pair<std::string, int64_t>, std::unique_ptr<Window>> sessions_;
  Status add_to_session(const Batch& batch, size_t r, Batch& out, OperatorContext& ctx, bool& late);
  Window& new_window(const Batch& batch, size_t r);
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
/// last hour". Or, with `rows`, as `ROWS BETWEEN rows PRECEDING AND CURRENT ROW`: the aggregates of
/// the partition's `rows` rows before it and itself.
/// By default rows are taken in arrival order (a real-time feature must not wait), and a row
/// leaves a partition's range when a later row's time is `range_ms` past it. With
/// `order = kEventTime` (Flink's `ORDER BY rowtime`), rows wait until the watermark passes their
/// event time and are then taken in event-time order (ties in arrival order); a row whose time
/// the watermark has already passed goes to the `late` side output. Aggregates must be
/// removable (COUNT, SUM, AVG, MIN, MAX of numbers, VAR/STDDEV, COUNT(DISTINCT)); with
/// `range_ms`, a partition idle for `range_ms` of watermark is forgotten. State (the waiting rows
/// included) snapshots and restores.
/// ```cpp example
/// using namespace rivulet;
/// auto op = stream::OverOperator::create(
///     {.partition_by = {{"card", {}}}, .rows = 2, .order = stream::OverOperator::Order::kEventTime,
///      .aggregates = {{"last3", "SUM(amount)", {}}}}).value();
/// auto schema = std::make_shared<const Schema>(
///     *Schema::create({{"card", Type::kString}, {"amount", Type::kDouble}}));
/// stream::OpenContext open_ctx;
/// EXPECT_EQ(op->open(schema, open_ctx).value()->to_string(),
///           "card string, amount double, last3 double");
/// ```
class OverOperator final : public Operator {
 public:
  /// The order rows are taken in: as they arrive, or by event time once the watermark passes.
  enum class Order : uint8_t { kArrival, kEventTime };
  struct Options {
    std::vector<FieldRef> partition_by;  ///< empty: one partition
    /// RANGE: the rows within this many ms before the current one. REQUIRES: > 0 without
    /// `rows`, else 0.
    int64_t range_ms = 0;
    /// ROWS: this many rows before the current one (and it). REQUIRES: >= 0 without range_ms.
    std::optional<int64_t> rows;
    Order order = Order::kArrival;  ///< kEventTime: rows wait for the watermark (see above)
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
  /// Incremental: the partitions that got a row (or went) since start_changes; the rows
  /// waiting for the watermark are written whole each time.
  bool incremental() const override { return true; }
  void start_changes() override;
  void snapshot_changes(StateWriter& out) const override;
  Status restore_changes(StateReader& in) override;
  /// The partitions (all, or those changed) are shared with the function, and a row for one
  /// of them first copies it; the rows waiting for the watermark are copied now.
  std::function<void(StateWriter&)> snapshot_async(bool changes) override;
  /// The partitions whose partition_by value of the key field `keep` accepts, and the rows
  /// waiting for the watermark that belong to them.
  Status restore_rescaled(const std::vector<std::string>& snapshots,
                          const PartitionFilter& keep) override;
  std::unique_ptr<Operator> clone() const override;
  bool stateful() const override { return true; }
  bool freezes_state() const override { return true; }
  /// Each partition's rows must reach the same instance: before any key_by, or after one whose
  /// key is a partition_by field.
  bool needs_global_order() const override { return true; }
  std::vector<std::string> grouping_fields() const override {
    return names_of(options_.partition_by);
  }
  size_t partitions_held() const { return partitions_.size(); }
  /// Rows waiting for the watermark (order kEventTime).
  size_t rows_waiting() const { return waiting_ ? waiting_->size() : 0; }

 private:
  // kRestore: the state replaces what is held; kAdd: its partitions join those held (rescaling);
  // kChanges: a change set's partitions replace those of the same key, its waiting rows and
  // watermark what is held.
  enum class ReadMode : uint8_t { kRestore, kAdd, kChanges };
  Status read_state(StateReader& in, const PartitionFilter* keep, size_t key_index, ReadMode mode);
  struct Partition;
  // Partitions are shared with the functions of snapshot_async while those run (copy on
  // write: partition_of).
  using Item = std::pair<const std::string, std::shared_ptr<Partition>>;
  // The state's bytes with the partitions `items` (snapshot: all; snapshot_changes: the
  // changed ones), the watermark and the rows waiting for it (or none).
  static void write_state(StateWriter& out, const std::vector<const Item*>& items,
                          int64_t watermark, const Batch* waiting, size_t n_in);
  // Change recording (incremental checkpoints): the partitions that got a row since
  // start_changes, and the keys of those that went.
  struct ItemMark {
    ChangeMark& operator()(const Item* item) const;
  };
  ChangeLog<const Item*, ItemMark> changes_;
  explicit OverOperator(Options options);
  // Row r's partition, made if new (its key bytes in key_).
  Partition& partition_of(const Batch& batch, size_t r);
  // Row r of `in` through its partition's aggregates (`part`, else looked up), out as a row of
  // `out`.
  Status take(const Batch& in, size_t r, Batch& out, bool copy_strings,
              Partition* part = nullptr);
  std::vector<Partition*> found_;  // each row's partition (process)
  Options options_;
  SchemaPtr out_schema_, in_schema_;
  size_t late_side_ = 0;
  // order kEventTime: the rows the watermark has not passed, in arrival order.
  std::unique_ptr<Batch> waiting_;
  int64_t watermark_ = INT64_MIN;
  size_t n_in_ = 0;
  std::vector<size_t> key_fields_;
  std::vector<std::optional<size_t>> agg_fields_;
  std::vector<std::unique_ptr<Aggregate>> prototypes_;
  std::unordered_map<std::string, std::shared_ptr<Partition>> partitions_;
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
  bool stateful() const override { return true; }
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
