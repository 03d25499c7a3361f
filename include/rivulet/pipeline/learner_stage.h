#pragma once
/// The learner steps of a pipeline, `evaluate`, `predict` and `learn`: an operator that hosts any
/// model spec of the registry (a pipeline of transformers ending in a classifier, a regressor, an
/// anomaly detector or a clusterer) and adds its predictions to the records.
///
/// - `evaluate` is prequential, as `rivulet eval` and River's `progressive_val_score`: each
///   record is predicted, then, once its label is known, the metrics are updated (only when the
///   model could predict) and the model learns. The same data gives the same metrics as
///   `rivulet eval`, whatever the batch size.
/// - `predict` only predicts (a model loaded from a file saved by `rivulet eval --save`, or a
///   fresh one). `learn` trains the model exactly as `evaluate` does (its unsupervised steps, a
///   StandardScaler, see each record when it arrives, as in River's predict-then-learn loop) but
///   adds no prediction to the records and keeps no metrics.
/// - A record without a label (NULL target) is predicted (and its transformers updated) and,
///   without `labels`, never learned.
/// - Labels: a record whose target field is not NULL is labelled at once. With `labels`, labels
///   also come later on the operator's second input (process_side_input: rows with the `id` and
///   `target` fields) and are joined to the prediction kept under the same id, within
///   `label_timeout_ms` of processing time; a prediction whose label does not come expires and
///   is counted, and at most `max_pending` are kept (the oldest expire first).
/// - `per_key`: one model per value of `key_field`, created on first sight (a copy of the loaded
///   model, or a fresh one), at most `max_keys` of them (the least recently used is evicted).
/// - Drift: a detector reads each labelled prediction's error (0/1 for classifiers, the absolute
///   error for regressors); on a drift the model is reset, or replaced by a background model
///   trained since the detector's warning, and a row goes to the "drift" side output.
/// - Metrics: every `metrics_every` records and/or `metrics_every_ms` (and at the end), a row
///   per model (the global one, and with `per_key` each key active since the last row) goes to
///   the "metrics" side output: stage, key, records, then each metric by name.
///
/// Output: the input fields, then (names prefixed by `output_prefix`):
///   classifier: `prediction` string (the label as the data spells it; NULL while the model
///     cannot predict), `probability` double (of the predicted class), with `probabilities`
///     also `probabilities` string (every class's probability as a JSON object,
///     `{"false": 0.93, "true": 0.07}`, classes in the order the model met them),
///     `model_version` bigint;
///   regressor: `prediction` double, `model_version`;
///   anomaly detector: `score` double, `prediction` boolean (only when the spec ends in a
///     filter: anomaly.ThresholdFilter, QuantileFilter), `model_version`;
///   clusterer: `prediction` bigint (the cluster), `model_version`;
///   `learn`: only `model_version`.
/// `model_version` is the number of times the model that predicted had learned (after learning,
/// in `learn`).
///
/// Side outputs: "metrics" (stage string, key string, records bigint, one double per metric),
/// "drift" (stage string, key string, time bigint (the event time of the record whose label
/// triggered it), records bigint, detector string, action string).
/// Thread safety: one thread at a time (an operator).

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rivulet/core/labels.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/model.h"
#include "rivulet/pipeline/row_features.h"
#include "rivulet/stream/operator.h"

namespace rivulet::pipeline {

namespace internal {
class PendingTable;
struct Pending;
}  // namespace internal

enum class LearnerMode { kEvaluate, kPredict, kLearn };
/// "evaluate", "predict", "learn": the step kinds of pipeline files.
std::string_view learner_mode_name(LearnerMode mode);
/// Parses a step kind; the error names the valid ones.
Result<LearnerMode> parse_learner_mode(std::string_view name);

enum class OnDrift { kReset, kBackground };
/// "reset", "background".
std::string_view on_drift_name(OnDrift action);
Result<OnDrift> parse_on_drift(std::string_view name);

/// What a learner stage has done (one instance; sum them over partitions).
struct LearnerStats {
  uint64_t records = 0;           ///< rows of the main input processed (not dead-lettered)
  uint64_t predictions = 0;       ///< rows that got a non-NULL prediction (or score)
  uint64_t labelled = 0;          ///< labels used: inline plus joined
  uint64_t joined = 0;            ///< labels from the labels input joined to a prediction
  uint64_t learned = 0;           ///< learn calls (all models)
  uint64_t scored = 0;            ///< labelled predictions that updated the metrics
  uint64_t expired = 0;           ///< predictions dropped unlabelled: timeout plus overflow
  uint64_t expired_overflow = 0;  ///< of which because max_pending was reached
  uint64_t replaced = 0;          ///< pending predictions replaced by a newer one with their id
  uint64_t unmatched_labels = 0;  ///< labels whose id had no pending prediction here (late, or
                                  ///< held by another partition: labels reach every partition)
  uint64_t bad_labels = 0;        ///< label rows without id or target, or of a wrong type
  uint64_t keys_created = 0;      ///< per-key models created (first sight, or again after eviction)
  uint64_t keys_evicted = 0;      ///< per-key models evicted (least recently used)
  uint64_t drifts = 0;            ///< drifts detected (models reset or replaced)
  uint64_t warnings = 0;          ///< labelled predictions on which the detector warned
  uint64_t metrics_rows = 0;      ///< rows written to the "metrics" side output
};

/// A model held in a learner stage's snapshot (LearnerStage::models_in_snapshot).
struct SnapshotModel {
  std::string key;       ///< the key of a per-key model; empty for the global model
  std::string bytes;     ///< a model file's bytes, as ml::Model::save_bytes wrote them
  uint64_t records = 0;  ///< records of the main input this model has seen in this stage
};

/// What a learner stage's snapshot holds, read without a configured stage.
struct SnapshotModels {
  LearnerMode mode = LearnerMode::kEvaluate;
  std::string spec;  ///< the model spec of every model of the stage
  bool per_key = false;
  std::vector<SnapshotModel> models;  ///< per_key: least recently used first; else one, global
};

/// A learner step: see the file comment.
/// Thread safety: one thread at a time (an operator).
/// ```cpp example
/// using rivulet::Value;
/// auto schema = std::make_shared<const rivulet::Schema>(
///     *rivulet::Schema::create({{"x", rivulet::Type::kDouble}, {"y", rivulet::Type::kString}}));
/// // Any spec of the registry; this one predicts the last label it learned.
/// auto stage = rivulet::pipeline::LearnerStage::create(
///     {.model = "dummy.NoChangeClassifier", .target = "y"}).value();
/// rivulet::stream::OpenContext open_ctx;
/// auto out = stage->open(schema, open_ctx).value();
/// EXPECT_EQ(out->to_string(), "x double, y string, prediction string, probability double, "
///                             "model_version bigint");
/// rivulet::stream::Batch batch(schema);
/// for (const char* y : {"neg", "neg", "pos", "pos"}) {
///   const size_t r = batch.add_row();
///   batch.set(r, 0, Value::of_double(1.0));
///   batch.set_string(r, 1, y);
/// }
/// rivulet::stream::CollectingDeadLetters dead;
/// rivulet::stream::OperatorContext ctx(dead);
/// ASSERT_TRUE(stage->process(batch, ctx).ok());  // the batch now has the output schema
/// EXPECT_TRUE(batch.get(0, 2).is_null());             // nothing learned yet
/// EXPECT_EQ(batch.get(2, 2), Value::of_string("neg"));
/// EXPECT_EQ(batch.get(3, 2), Value::of_string("pos"));
/// EXPECT_EQ(batch.get(3, 4), Value::of_int(3));       // it had learned 3 records
/// EXPECT_EQ(stage->metric(0).get(), 2.0 / 3.0);       // scored once it could predict
/// ```
class LearnerStage final : public stream::Operator {
 public:
  struct Options {
    /// evaluate (predict, score, learn), predict, or learn. Default: evaluate.
    LearnerMode mode = LearnerMode::kEvaluate;
    /// The model spec, as `rivulet eval --model`. REQUIRES: set, or model_path set.
    std::string model = {};
    /// A model file saved by `rivulet eval --save` to start from (each key's model starts as a
    /// copy of it). Default: none (a fresh model of `model`). REQUIRES: if both are set, `model`
    /// is the file's spec.
    std::string model_path = {};
    /// The label field. REQUIRES: set in evaluate and learn, except for anomaly detectors and
    /// clusterers; a regressor's must be numeric (bigint, double, boolean). May be absent from the
    /// input when `labels` is set (then every label comes later).
    std::string target = {};
    /// The feature fields. Default: every field but target, id, key_field and `exclude`.
    std::vector<std::string> features = {};
    /// Fields that are not features, besides target, id and key_field (the event-time field).
    std::vector<std::string> exclude = {};
    /// Metric specs: "Accuracy", "F1", "Rolling(MAE, 1000)". Default: Accuracy for classifiers,
    /// MAE for regressors, ROCAUC for anomaly detectors with a target. REQUIRES: evaluate only;
    /// each of the model's task; no name twice.
    std::vector<std::string> metrics = {};
    /// The field naming the event, to join labels that come later. REQUIRES: set when `labels`
    /// is set.
    std::string id = {};
    /// The name of the labels stream (the operator's second input, rows with the fields `id`
    /// and `target`). Default: none (labels only inline). REQUIRES: not in predict mode; not for
    /// clusterers.
    std::string labels = {};
    /// Processing time a prediction waits for its label, then expires. REQUIRES: > 0.
    int64_t label_timeout_ms = 3'600'000;
    /// Predictions waiting for labels at most; beyond, the oldest expires. REQUIRES: > 0.
    uint64_t max_pending = 1'000'000;
    /// One model per key of `key_field`. Default: false (one global model).
    bool per_key = false;
    /// The key field of per-key models. REQUIRES: set when per_key.
    std::string key_field = {};
    /// Per-key models kept at most; the least recently used is evicted. REQUIRES: > 0.
    uint64_t max_keys = 10'000;
    /// A drift detector spec ("drift.ADWIN", "drift.DDM(warm_start=100)") fed each labelled
    /// prediction's error. Default: none. REQUIRES: classifiers and regressors, not predict.
    std::string drift_detector = {};
    /// On a drift: reset (a fresh model) or background (the model trained since the warning,
    /// when the detector has warnings, else a fresh one). Default: reset.
    OnDrift on_drift = OnDrift::kReset;
    /// Emit a metrics row every this many records. Default: 0 (never; only at the end).
    uint64_t metrics_every = 0;
    /// Emit a metrics row when this much processing time has passed. Default: 0 (never).
    /// REQUIRES: >= 0.
    int64_t metrics_every_ms = 0;
    /// Prefix of the output fields (`prediction`, ...). Default: none.
    std::string output_prefix = {};
    /// Classifiers: add the field `probabilities`, every class's probability as a JSON object.
    /// Default: false (only the predicted class's `probability`).
    bool probabilities = false;
    /// Seed of every stochastic step without its own `seed=` (as `rivulet eval --seed`).
    std::optional<uint64_t> seed = {};
    /// The positive label of binary tasks (as `rivulet eval --pos-label`). Default: 1/true/yes,
    /// else the first label seen.
    std::string pos_label = {};
  };

  /// Builds the model (or loads `model_path`), the metrics and the detector, and checks every
  /// REQUIRES clause. Errors: kInvalidArgument naming the option; kNotFound / kDataLoss from the
  /// model file.
  static Result<std::unique_ptr<LearnerStage>> create(Options options);
  ~LearnerStage() override;

  std::string_view kind() const override { return learner_mode_name(options_.mode); }
  /// Resolves the fields (errors name an unknown field with suggestions, a regressor's
  /// non-numeric target, an output field that already exists) and declares the side outputs
  /// "metrics" (evaluate) and "drift" (with a detector).
  Result<stream::SchemaPtr> open(stream::SchemaPtr input, stream::OpenContext& ctx) override;
  Status process(stream::Batch& batch, stream::OperatorContext& ctx) override;
  /// Labels: rows with the `id` and `target` fields (any other fields are ignored). Label rows
  /// are not records of the main input: they are not in ctx.counts; a bad one (no id, no target)
  /// is counted in stats().bad_labels and, in partition 0, sent to the dead letters.
  Status process_side_input(stream::Batch& batch, stream::OperatorContext& ctx) override;
  /// Expires the predictions past their timeout; emits metrics when metrics_every_ms has passed.
  Status on_timer(stream::Batch& batch, stream::OperatorContext& ctx) override;
  /// Emits the final metrics rows (evaluate).
  Status finish(stream::Batch& batch, stream::OperatorContext& ctx) override;
  /// Every model (with its feature space and label encoder), background model and detector, the
  /// metrics, the pending predictions, the LRU order and the counters. REQUIRES: opened.
  /// The models come first, right after what the stage is (mode, spec, per_key), and the state
  /// of each model's detector and metrics is length-prefixed, so that models_in_snapshot finds
  /// them without the stage's configuration.
  void snapshot(StateWriter& out) const override;
  /// The models are walked in the pause, with the rest of the state; the function seals them
  /// and copies the bytes into the checkpoint's (the larger part of a forest's snapshot).
  std::function<void(StateWriter&)> snapshot_async(bool changes) override;
  bool stateful() const override { return true; }
  bool freezes_state() const override { return true; }
  /// Restores what snapshot() wrote into an opened stage of the same configuration. Errors:
  /// kDataLoss (truncated or corrupt bytes, or another configuration's state).
  Status restore(StateReader& in) override;
  /// Rescaling a per-key stage: the models of the keys `keep` accepts, with their metrics,
  /// detectors and pending predictions, from every old partition's state; the counters add up
  /// and the stage-wide metrics start afresh (a partition's metrics cannot be split or
  /// merged). Errors: kUnimplemented when the partitions numbered their classes differently;
  /// a stage without per_key holds global state and cannot be rescaled.
  Status restore_rescaled(const std::vector<std::string>& snapshots,
                          const stream::PartitionFilter& keep) override;
  /// The models in `snapshot`: the bytes a StateWriter of their own received from snapshot()
  /// (a checkpoint's part for the step), read without a configured stage, as
  /// `rivulet checkpoint export-model` does. The model bytes are not loaded here
  /// (ml::Model::load_bytes checks them). Errors: kDataLoss naming what is wrong (not a
  /// learner's state, another state version, truncated or corrupt bytes); never reads or
  /// allocates past the end of `snapshot`.
  static Result<SnapshotModels> models_in_snapshot(std::string_view snapshot);
  std::unique_ptr<stream::Operator> clone() const override;
  bool keyed() const override { return options_.per_key; }
  bool needs_global_order() const override { return !options_.per_key; }

  /// Resolves the labels input's fields in `schema` (done on its first batch otherwise).
  /// Errors: kInvalidArgument when `id` or `target` is missing.
  Status open_labels(const stream::SchemaPtr& schema);

  const Options& options() const { return options_; }
  ml::Task task() const { return task_; }
  const LearnerStats& stats() const { return stats_; }
  /// Predictions waiting for their label.
  size_t pending() const;
  /// The global metrics, in the order of Options::metrics.
  size_t n_metrics() const;
  const ml::Metric& metric(size_t i) const;
  /// The model of `key` (empty: the global model), or nullptr when there is none (yet).
  const ml::Model* model(std::string_view key = {}) const;
  /// The metrics of `key`'s model (per_key), or nullptr.
  const ml::Metric* key_metric(std::string_view key, size_t i) const;
  /// Keys with a model, least recently used first.
  std::vector<std::string> keys() const;

 private:
  struct Frozen;
  Frozen freeze() const;  // a snapshot's bytes, but for the copies (snapshot_async)
  struct SpareBuffers;
  std::shared_ptr<SpareBuffers> spare_;  // made at open
  struct MetricSet;
  struct Slot;
  struct Label;
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  LearnerStage(Options options, std::string initial_bytes);
  static Result<std::unique_ptr<LearnerStage>> build(Options options, std::string initial_bytes);

  Result<std::unique_ptr<ml::Model>> new_model(bool from_initial) const;
  Status init_slot(Slot& slot, std::string_view key);
  Result<uint32_t> slot_for(std::string_view key);
  void touch(uint32_t s);
  void mark_dirty(uint32_t s);
  void sync_labels(Slot& slot);
  void remap_proba(const Slot& slot);
  bool read_label(const Value& v, Label& out, std::string& reason);
  ClassId model_class(Slot& slot, Label& label);
  Status use_label(Slot& slot, Label& label, const Features& x, bool can_score, ClassId predicted,
                   double predicted_value, bool learned, const Value* row_values,
                   std::span<const Value> captured, int64_t event_time);
  Status handle_drift(Slot& slot, const Label& label, int64_t event_time, bool& replaced);
  Status learn_background(Slot& slot, const Label& label, const Value* row_values,
                          std::span<const Value> captured);
  void store_pending(Slot& slot, std::string_view id, const Value* row, bool can_score,
                     ClassId predicted, double predicted_value, bool decision, bool learned,
                     int64_t now_ms, int64_t event_time);
  void expire(int64_t now_ms);
  void emit_metrics(stream::OperatorContext& ctx, int64_t event_time);
  void flush_drift(stream::OperatorContext& ctx);
  std::string_view key_text(const Value& v, char (&buf)[32]) const;

  Options options_;
  std::string initial_bytes_;  // the loaded model file's bytes (model_path), else empty
  ml::ModelOptions model_options_;
  std::string spec_;
  ml::Task task_ = ml::Task::kClassification;
  bool has_decision_ = false;
  std::unique_ptr<ml::DriftDetector> detector_proto_;
  std::unique_ptr<MetricSet> metrics_;  // global
  std::unique_ptr<ml::Model> proto_;    // the model create() built (the global slot takes it)

  // Resolved at open.
  bool opened_ = false;
  stream::SchemaPtr input_schema_, output_schema_, metrics_schema_, drift_schema_;
  std::optional<RowFeatures> features_;
  size_t n_in_ = 0;
  std::optional<size_t> target_, id_, key_;
  size_t col_prediction_ = 0, col_probability_ = 0, col_score_ = 0, col_version_ = 0;
  size_t col_probabilities_ = 0;
  std::string probabilities_text_;  // scratch of the `probabilities` field
  std::optional<size_t> metrics_side_, drift_side_;
  stream::SchemaPtr labels_schema_;
  size_t label_id_ = 0, label_target_ = 0;

  // State.
  LabelEncoder labels_;  // the stage's class ids (metrics), shared by every key's model
  static constexpr size_t kMaxCachedLabels = 64;
  std::vector<std::pair<int64_t, ClassId>> int_labels_;  // bigint label -> the stage's id
  std::vector<std::unique_ptr<Slot>> slots_;             // [0] is the global model unless per_key
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> slot_of_;
  std::vector<uint32_t> free_slots_;
  uint32_t lru_head_, lru_tail_;  // least / most recently used
  std::vector<uint32_t> dirty_;   // slots with records since the last metrics row
  std::unique_ptr<internal::PendingTable> pending_;
  LearnerStats stats_;
  Status read_state(StateReader& in, const stream::PartitionFilter* keep, bool first);
  Value key_value(const std::string& key) const;
  Type key_type_ = Type::kString;  // the key field's (per_key)
  uint64_t records_at_emit_ = 0;
  int64_t last_emit_ms_ = 0;
  bool emit_clock_started_ = false;

  // Scratch (no allocation per record).
  stream::Batch out_;
  stream::Batch metrics_out_, drift_out_;
  Features x_, x2_;
  std::vector<double> proba_, stage_proba_;
  std::string label_text_;
};

}  // namespace rivulet::pipeline
