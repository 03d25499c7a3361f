#pragma once
/// The contract between the engine and its stages. An operator is built once from its
/// configuration, opened with its input schema (it answers with its output schema, or an error
/// naming what is wrong), then fed batches in order. It transforms each batch in place: keeps,
/// drops, rewrites or adds rows, or swaps in a batch of its output schema. What it cannot
/// process goes to the dead letters with the reason; what it drops on purpose is counted as
/// filtered, so that the engine's counts reconcile (in = out + filtered + dead-lettered).
///
/// Side outputs (a learner's rolling metrics, drift events) are named streams of their own
/// schema that an operator announces in `open` and writes through the context.
///
/// Every operator's state can be snapshotted and restored (`snapshot`/`restore`, by round
/// trip), so that checkpoints can cut through a running pipeline. `clone` makes a fresh instance
/// of the same configuration for another partition of a keyed pipeline.
/// Thread safety: an operator instance is driven by one thread at a time.
/// ```cpp example
/// // A pass-through operator that counts what it sees.
/// class Count final : public rivulet::stream::Operator {
///  public:
///   std::string_view kind() const override { return "count"; }
///   rivulet::Result<rivulet::stream::SchemaPtr> open(rivulet::stream::SchemaPtr in,
///                                                    rivulet::stream::OpenContext&) override {
///     return in;
///   }
///   rivulet::Status process(rivulet::stream::Batch& batch,
///                           rivulet::stream::OperatorContext&) override {
///     seen += batch.size();
///     return {};
///   }
///   std::unique_ptr<Operator> clone() const override { return std::make_unique<Count>(); }
///   uint64_t seen = 0;
/// };
/// Count op;
/// rivulet::stream::OpenContext open_ctx;
/// auto schema = std::make_shared<const rivulet::Schema>(
///     *rivulet::Schema::create({{"x", rivulet::Type::kDouble}}));
/// ASSERT_TRUE(op.open(schema, open_ctx).ok());
/// rivulet::stream::Batch batch(schema);
/// batch.add_row();
/// rivulet::stream::CollectingDeadLetters dead;
/// rivulet::stream::OperatorContext ctx(dead);
/// ASSERT_TRUE(op.process(batch, ctx).ok());
/// EXPECT_EQ(op.seen, 1u);
/// ```

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/schema.h"
#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/stream/batch.h"
#include "rivulet/stream/source_pos.h"

namespace rivulet::stream {

using SchemaPtr = std::shared_ptr<const Schema>;

/// A record that could not be processed: which stage refused it and why, where it came from,
/// and the record itself (as a JSON object, or the raw text when it could not be decoded).
struct DeadLetter {
  std::string stage;   ///< the step's name in the pipeline (or "decode", "source")
  std::string reason;  ///< e.g. "field 'amount': expected double, got string \"abc\""
  std::string record;  ///< the record as a JSON object, or the raw input line
  std::string origin;  ///< where the record came from: "payments.jsonl:1234" (file:line), a peer
  int64_t event_time = kNoEventTime;
};

/// Where dead letters go (the dead-letter sink, or a test's vector).
class DeadLetters {
 public:
  virtual ~DeadLetters() = default;
  virtual void add(DeadLetter letter) = 0;
};

/// Keeps dead letters in memory (tests, and the engine's default when no dead-letter sink is
/// configured: then they are counted and the first few are reported at the end).
class CollectingDeadLetters final : public DeadLetters {
 public:
  void add(DeadLetter letter) override { letters.push_back(std::move(letter)); }
  std::vector<DeadLetter> letters;
};

/// Renders row `r` of `batch` as a JSON object (field names from the schema; strings escaped;
/// NaN and infinities as null), for dead letters and the console.
std::string row_to_json(const Batch& batch, size_t r);

/// Counts of one operator instance; the engine sums them over partitions.
struct OperatorCounts {
  uint64_t in = 0;        ///< rows received
  uint64_t out = 0;       ///< rows passed on
  uint64_t filtered = 0;  ///< rows dropped on purpose (a filter's false, a learner's label-only rows)
  uint64_t dead = 0;      ///< rows sent to the dead letters
  uint64_t added = 0;     ///< rows created (a flat-map's extra rows)
};

/// What `open` may use: announces side outputs.
class OpenContext {
 public:
  virtual ~OpenContext() = default;
  /// Declares the side output `name` (e.g. "metrics", "drift") with `schema`; returns its id
  /// for OperatorContext::side. Default: side outputs are accepted and discarded.
  virtual size_t declare_side_output(std::string_view name, SchemaPtr schema) {
    (void)name;
    (void)schema;
    return side_outputs_++;
  }

 private:
  size_t side_outputs_ = 0;
};

/// What `process` may use: the dead letters, the operator's counters, side outputs, the clock.
class OperatorContext {
 public:
  explicit OperatorContext(DeadLetters& dead) : dead_(dead) {}
  virtual ~OperatorContext() = default;

  /// Sends row `r` of `batch` to the dead letters with `reason`; the caller removes the row.
  void dead_letter(std::string_view stage, std::string_view reason, const Batch& batch, size_t r);
  void dead_letter(DeadLetter letter) {
    ++counts.dead;
    dead_.add(std::move(letter));
  }
  /// Writes a batch to side output `id` (from OpenContext::declare_side_output). The batch is
  /// consumed (left empty). Default: discarded.
  virtual void side(size_t id, Batch& batch) {
    (void)id;
    batch.clear();
  }
  /// Processing time, epoch milliseconds (the engine's clock; tests set it).
  int64_t now_ms = 0;
  /// The event-time watermark (epoch ms): records with an earlier event time are late.
  /// kNoEventTime until the first watermark.
  int64_t watermark = kNoEventTime;
  /// The partition this instance serves, and how many there are.
  size_t partition = 0;
  size_t n_partitions = 1;
  /// The origin of the batch being processed, for dead letters (e.g. "payments.jsonl").
  std::string_view origin;
  OperatorCounts counts;

 private:
  DeadLetters& dead_;
};

/// The partition a key goes to among `n` (the engine's routing after a key_by: a hash of the
/// key's value). REQUIRES: n > 0.
size_t partition_of(const Value& key, size_t n);

/// The keys one partition holds after a rescale: those whose value of the key_by field `field`
/// the engine routes to `partition` of `n_partitions`.
struct PartitionFilter {
  std::string field;
  size_t partition = 0;
  size_t n_partitions = 1;
  bool accepts(const Value& key) const { return partition_of(key, n_partitions) == partition; }
};

class Operator {
 public:
  virtual ~Operator() = default;
  /// The step's kind as pipeline files name it: "filter", "map", "evaluate", ...
  virtual std::string_view kind() const = 0;
  /// The step's name in the pipeline (its `name:`, else its kind and position).
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  /// Called once before any batch: the input schema; returns the output schema, or an error
  /// that names the problem (an unknown field with suggestions, a type mismatch).
  virtual Result<SchemaPtr> open(SchemaPtr input, OpenContext& ctx) = 0;
  /// Processes one batch of the input schema, in place: on return `batch` holds the rows to
  /// pass on, of the output schema (an operator that changes the schema swaps in a batch of its
  /// own). Updates ctx.counts (in, out, filtered, dead). A non-OK status stops the pipeline:
  /// reserve it for failures of the operator itself, never for bad records.
  virtual Status process(Batch& batch, OperatorContext& ctx) = 0;
  /// A batch on the operator's second input (a learner's labels). Default: an error.
  virtual Status process_side_input(Batch& batch, OperatorContext& ctx);
  /// Whether process_side_input leaves rows to pass on in `batch`, of the output schema (a
  /// join's pairs); else what it leaves there is dropped. Default: false.
  virtual bool side_input_emits() const { return false; }
  /// The event-time watermark has advanced to `watermark` (epoch ms, also in ctx.watermark): no
  /// record with an earlier event time is expected any more; windows that end before it fire.
  /// Rows emitted go into `batch` (empty on entry, of the output schema). Default: nothing.
  virtual Status on_watermark(int64_t watermark, Batch& batch, OperatorContext& ctx) {
    (void)watermark;
    (void)batch;
    (void)ctx;
    return {};
  }
  /// Time passes (processing time in ctx.now_ms): expire, emit periodic output. Rows emitted
  /// go into `batch` (empty on entry, of the output schema). Default: nothing.
  virtual Status on_timer(Batch& batch, OperatorContext& ctx) {
    (void)batch;
    (void)ctx;
    return {};
  }
  /// End of input: rows still held are emitted into `batch` (empty on entry). Default: nothing.
  virtual Status finish(Batch& batch, OperatorContext& ctx) {
    (void)batch;
    (void)ctx;
    return {};
  }
  /// The operator's state (not its configuration). Default: stateless.
  virtual void snapshot(StateWriter& out) const { (void)out; }
  virtual Status restore(StateReader& in) {
    (void)in;
    return {};
  }
  /// Incremental checkpoints (CheckpointOptions::incremental): an operator whose state is
  /// large and changes in few places between checkpoints (a window's groups) records what
  /// changes, so that most checkpoints save only that. The engine calls `start_changes` right
  /// after each snapshot it takes (on the owner's thread, with the state that snapshot saw);
  /// from then on the operator records changes, and `snapshot_changes` writes those since the
  /// last start_changes. `restore_changes` applies them to the state restored from the
  /// snapshot before them (`restore`, then each later change set in order). `restore` stops
  /// the recording until the next start_changes. Default: not incremental.
  virtual bool incremental() const { return false; }
  virtual void start_changes() {}
  /// REQUIRES: incremental(), start_changes() called since the last restore.
  virtual void snapshot_changes(StateWriter& out) const { (void)out; }
  /// Errors: bytes that are not this operator's change set.
  virtual Status restore_changes(StateReader& in);
  /// Asynchronous snapshots (Flink's copy-on-write heap state): the state as it is now, kept
  /// as cheaply as the operator can (`over`: a pointer per partition, copied on write; the
  /// learner steps walk their models into bytes, which change with every record), and a
  /// function that writes it as snapshot() would have now (`changes`: as snapshot_changes()
  /// would have). The engine calls the function once, on another thread, while this operator
  /// goes on processing: an operator that shares parts of its state with the function copies
  /// such a part before changing it while the function (or a copy of it) holds it. The
  /// function holds no reference to the operator, which may be gone by the time it runs.
  /// Empty: not supported (the engine calls snapshot() in the pause).
  /// REQUIRES (`changes`): incremental(), start_changes() called since the last restore.
  virtual std::function<void(StateWriter&)> snapshot_async(bool changes) {
    (void)changes;
    return {};
  }
  /// Whether snapshot() writes anything (operators with state override this and snapshot);
  /// and whether snapshot_async is supported. The engine chooses how to take an owner's
  /// snapshots from them: an owner whose stateful steps all freeze their state pauses only for
  /// the freezes, so it does not fork to shorten that unless the pause passes 50 ms.
  virtual bool stateful() const { return false; }
  virtual bool freezes_state() const { return false; }
  /// Rescaling (a restart with another parallelism): restores, from the snapshots of every
  /// instance of this step in the checkpoint (one per old partition, or one), the state of
  /// the keys `keep` accepts, into this freshly opened instance. Default: for steps without
  /// state (each snapshot equal to a fresh instance's), nothing; else an error naming the step.
  virtual Status restore_rescaled(const std::vector<std::string>& snapshots,
                                  const PartitionFilter& keep);
  /// A fresh, unopened instance with the same configuration (another partition's).
  virtual std::unique_ptr<Operator> clone() const = 0;
  /// Whether the operator keeps per-key state and so must see all records of a key (it then
  /// runs after a key_by, partitioned). Default: false.
  virtual bool keyed() const { return false; }
  /// For a key_by: the index of the key field in its output schema, by which the engine
  /// partitions the steps after it. Default: none (the operator does not key the stream).
  virtual std::optional<size_t> partition_key_field() const { return std::nullopt; }
  /// The fields whose values together pick the state a row updates (a window's group_by, a
  /// dedup's key). A step that needs_global_order() may still run after a key_by, partitioned,
  /// when the key is one of these fields: each partition then sees every row of its groups.
  /// Default: none.
  virtual std::vector<std::string> grouping_fields() const { return {}; }
  /// Whether the operator's output depends on the order of all records (a global learner):
  /// the engine then runs it on one thread, in source order. Default: false.
  virtual bool needs_global_order() const { return false; }

 private:
  std::string name_;
};

}  // namespace rivulet::stream
