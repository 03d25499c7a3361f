#pragma once
/// `window`: event-time windows per group, as Flink SQL's TUMBLE and HOP table functions with
/// GROUP BY window_start, window_end, keys. Each row goes to the windows its event time falls in
/// (one for tumbling windows, size/slide for hopping ones); each window keeps one incremental
/// accumulator per aggregate (stream/aggregate.h), never the rows. A window fires when the
/// watermark reaches its end: one row per group, `keys..., window_start, window_end,
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
  void snapshot(StateWriter& out) const override;
  Status restore(StateReader& in) override;
  std::unique_ptr<Operator> clone() const override;
  /// A window holds every row of its groups until it fires: it sees all rows, before any key_by
  /// (a per-key version after key_by comes with the partitioned windows).
  bool needs_global_order() const override { return true; }
  const Options& options() const { return options_; }
  /// Windows held (groups times open windows).
  size_t windows_held() const { return windows_.size(); }

 private:
  struct Parsed {
    std::string function;
    bool star = false, distinct = false;
    std::string field;
  };
  struct Window;
  explicit WindowOperator(Options options);
  void group_key(const Batch& batch, size_t r);
  Status emit(const std::string& key, int64_t start, Window& w, Batch& out);

  Options options_;
  SchemaPtr out_schema_, late_schema_;
  size_t late_side_ = 0;
  std::vector<size_t> group_fields_;
  std::vector<std::optional<size_t>> agg_fields_;  // input field of each aggregate (none: COUNT(*))
  std::vector<std::unique_ptr<Aggregate>> prototypes_;
  // (window start, group key bytes) -> its window, in start order so that firing is a prefix.
  std::map<std::pair<int64_t, std::string>, std::unique_ptr<Window>> windows_;
  std::vector<std::pair<int64_t, std::string>> dirty_;  // windows a late row changed
  std::string key_;
  int64_t watermark_ = INT64_MIN;
};

}  // namespace rivulet::stream
