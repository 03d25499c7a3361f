#include "rivulet/pipeline/learner_stage.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cctype>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "pipeline/learner_pending.h"
#include "rivulet/stream/aggregate.h"
#include "rivulet/ml/registry.h"
#include "rivulet/ml/spec.h"
#include "rivulet/stream/json_text.h"

namespace rivulet::pipeline {
namespace {

using internal::Pending;
using internal::PendingTable;

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
// As `rivulet eval`: more distinct labels than this is a regression target, not classes.
constexpr size_t kMaxClasses = 10000;
constexpr std::string_view kSnapshotMagic = "rivulet.learner";
// 2: the models first, each model's detector and metrics state length-prefixed, an end mark.
constexpr uint32_t kSnapshotVersion = 2;
// The last field of a snapshot: a reader that stops after the models still sees a truncation.
constexpr uint64_t kSnapshotEnd = 0x646e652e6e726c72;  // "rlrn.end"

bool lower_equals(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != lower[i]) return false;
  }
  return true;
}

// As the label encoder (and `rivulet eval` for anomaly labels): 1, 1.0, +1, true, yes.
bool reads_true(std::string_view s) {
  return s == "1" || s == "1.0" || s == "+1" || lower_equals(s, "true") || lower_equals(s, "yes");
}

Status option_error(std::string_view option, std::string_view message) {
  return Status::invalid_argument(fmt::format("option '{}': {}", option, message));
}

// A component's state as bytes of their own (length-prefixed in the snapshot), so that a reader
// without the component's configuration (models_in_snapshot) can skip it.
template <typename Save>
std::string nested_state(const Save& save) {
  std::ostringstream bytes(std::ios::binary);
  {
    StateWriter out(bytes);
    save(out);
  }
  return bytes.str();
}

// Loads what nested_state wrote; throws, as cereal does, on truncated bytes and on bytes left
// over (state of another configuration).
template <typename Load>
void load_nested(const std::string& bytes, const Load& load) {
  std::istringstream stream(bytes, std::ios::binary);
  StateReader in(stream);
  load(in);
  if (stream.rdbuf()->in_avail() > 0) {
    throw std::runtime_error("bytes left over after a component's state");
  }
}

// Reads the leading fields of a snapshot for models_in_snapshot, checking each length and count
// against the bytes left before allocating anything: a corrupt length is an error, not gigabytes
// allocated. Throws std::runtime_error, as cereal does on truncated bytes.
class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view bytes)
      : size_(bytes.size()), stream_(std::string(bytes), std::ios::binary), in_(stream_) {}

  template <typename T>
  T value() {
    T v{};
    in_(v);
    return v;
  }
  bool flag() {
    const auto b = value<uint8_t>();
    if (b > 1) throw std::runtime_error(fmt::format("byte {}: {} is not a flag", at() - 1, b));
    return b == 1;
  }
  // The number of things that follow, each taking at least `min_bytes`.
  uint64_t count(uint64_t min_bytes) {
    const auto n = value<uint64_t>();
    if (n > left() / min_bytes) {
      throw std::runtime_error(
          fmt::format("byte {}: a count of {} runs past the end ({} bytes)", at() - 8, n, size_));
    }
    return n;
  }
  std::string string() {
    uint64_t n = 0;
    in_(cereal::make_size_tag(n));
    if (n > left()) {
      throw std::runtime_error(
          fmt::format("byte {}: a length of {} runs past the end ({} bytes)", at() - 8, n, size_));
    }
    std::string s(n, '\0');
    in_(cereal::binary_data(s.data(), n));
    return s;
  }

 private:
  uint64_t at() {
    const auto pos = stream_.tellg();
    return pos < 0 ? size_ : static_cast<uint64_t>(pos);
  }
  uint64_t left() { return size_ - std::min<uint64_t>(size_, at()); }

  uint64_t size_;
  std::istringstream stream_;
  StateReader in_;
};

}  // namespace

std::string_view learner_mode_name(LearnerMode mode) {
  switch (mode) {
    case LearnerMode::kEvaluate:
      return "evaluate";
    case LearnerMode::kPredict:
      return "predict";
    case LearnerMode::kLearn:
      return "learn";
  }
  return "evaluate";
}

Result<LearnerMode> parse_learner_mode(std::string_view name) {
  if (name == "evaluate") return LearnerMode::kEvaluate;
  if (name == "predict") return LearnerMode::kPredict;
  if (name == "learn") return LearnerMode::kLearn;
  return Status::invalid_argument(
      fmt::format("unknown learner step '{}' (valid: evaluate, predict, learn)", name));
}

std::string_view on_drift_name(OnDrift action) {
  return action == OnDrift::kReset ? "reset" : "background";
}

Result<OnDrift> parse_on_drift(std::string_view name) {
  if (name == "reset") return OnDrift::kReset;
  if (name == "background") return OnDrift::kBackground;
  return option_error("on_drift",
                      fmt::format("'{}' is not valid (valid: reset, background)", name));
}

// ---- internal types ----

struct LearnerStage::MetricSet {
  std::vector<std::unique_ptr<ml::Metric>> all;
  std::vector<ml::ClassificationMetric*> cls;
  std::vector<ml::RegressionMetric*> reg;
  bool needs_proba = false;

  void add(std::unique_ptr<ml::Metric> m) {
    needs_proba = needs_proba || m->needs_proba();
    if (m->task() == ml::MetricTask::kClassification) {
      cls.push_back(static_cast<ml::ClassificationMetric*>(m.get()));
    } else {
      reg.push_back(static_cast<ml::RegressionMetric*>(m.get()));
    }
    all.push_back(std::move(m));
  }
  void attach(const LabelEncoder* labels) {
    for (auto& m : all) m->attach(labels);
  }
  std::unique_ptr<MetricSet> clone_fresh(const LabelEncoder* labels) const {
    auto set = std::make_unique<MetricSet>();
    for (const auto& m : all) set->add(m->clone_fresh());
    set->attach(labels);
    return set;
  }
  void update(ClassId y, ClassId predicted, std::span<const double> proba) {
    for (auto* m : cls) m->update(y, predicted, proba);
  }
  void update(double y, double predicted) {
    for (auto* m : reg) m->update(y, predicted);
  }
};

struct LearnerStage::Slot {
  std::string key;
  std::unique_ptr<ml::Model> model;
  RowFeatures::Binding binding;
  std::vector<ClassId> to_stage;    // the model's class id -> the stage's
  std::vector<ClassId> from_stage;  // the stage's class id -> the model's, or kNoClass
  bool identity = true;             // to_stage[i] == i for all i
  std::unique_ptr<ml::Model> background;
  RowFeatures::Binding background_binding;
  std::unique_ptr<ml::DriftDetector> detector;
  std::unique_ptr<MetricSet> metrics;  // per key (per_key)
  uint64_t records = 0;
  bool dirty = false;
  bool live = false;
  uint32_t prev = kNone, next = kNone;  // LRU order
  // The model's size at the last snapshot: room for the next (a snapshot runs on one thread at
  // a time; in a forked child, the update stays in the child).
  mutable size_t saved_size = 0;
};

struct LearnerStage::Label {
  std::string_view text;     // classification, anomaly
  double value = 0.0;        // regression
  ClassId stage = kNoClass;  // classification: the stage's id, once known
  bool from_int = false;     // read from a bigint (cached by value)
  int64_t raw = 0;
};

// ---- construction ----

LearnerStage::LearnerStage(Options options, std::string initial_bytes)
    : options_(std::move(options)),
      initial_bytes_(std::move(initial_bytes)),
      pending_(std::make_unique<PendingTable>()),
      out_(std::make_shared<const Schema>()),
      metrics_out_(std::make_shared<const Schema>()),
      drift_out_(std::make_shared<const Schema>()) {
  lru_head_ = lru_tail_ = kNone;
}

LearnerStage::~LearnerStage() = default;

Result<std::unique_ptr<LearnerStage>> LearnerStage::create(Options options) {
  std::string bytes;
  if (!options.model_path.empty()) {
    std::ifstream f(options.model_path, std::ios::binary);
    if (!f) {
      return Status::not_found(
          fmt::format("option 'model_path': {}: no such model file", options.model_path));
    }
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  return build(std::move(options), std::move(bytes));
}

Result<std::unique_ptr<LearnerStage>> LearnerStage::build(Options options, std::string bytes) {
  const Options& o = options;
  if (o.model.empty() && o.model_path.empty()) {
    return option_error("model",
                        "a model spec is required (or model_path), e.g. "
                        "\"preprocessing.StandardScaler | linear_model.LogisticRegression\"");
  }
  if (o.label_timeout_ms <= 0) return option_error("label_timeout_ms", "must be > 0");
  if (o.max_pending == 0) return option_error("max_pending", "must be > 0");
  if (o.max_keys == 0) return option_error("max_keys", "must be > 0");
  if (o.metrics_every_ms < 0) return option_error("metrics_every_ms", "must be >= 0");
  if (o.per_key && o.key_field.empty()) {
    return option_error("key_field", "per_key needs the field whose values key the models");
  }
  if (!o.labels.empty() && o.id.empty()) {
    return option_error("id", fmt::format("labels '{}' are joined to predictions by an id field: "
                                          "set id",
                                          o.labels));
  }
  if (!o.labels.empty() && o.mode == LearnerMode::kPredict) {
    return option_error("labels", "a predict step does not take labels (use evaluate or learn)");
  }
  if (o.mode != LearnerMode::kEvaluate && !o.metrics.empty()) {
    return option_error("metrics", fmt::format("a {} step has no metrics (use evaluate)",
                                               learner_mode_name(o.mode)));
  }
  if (o.mode != LearnerMode::kEvaluate && !o.drift_detector.empty()) {
    return option_error("drift_detector", fmt::format("a {} step makes no labelled predictions "
                                                      "to monitor (use evaluate)",
                                                      learner_mode_name(o.mode)));
  }

  ml::ModelOptions model_options;
  model_options.seed = o.seed;
  model_options.pos_label = o.pos_label;
  model_options.target = o.target;
  std::unique_ptr<ml::Model> proto;
  if (!bytes.empty() || !o.model_path.empty()) {
    auto loaded = ml::Model::load_bytes(bytes, o.model_path);
    if (!loaded.ok()) return loaded.status().with_context("option 'model_path'");
    if (!o.model.empty() && o.model != loaded->spec()) {
      return option_error("model", fmt::format("'{}' differs from the spec of {} ('{}'); give one "
                                               "of them",
                                               o.model, o.model_path, loaded->spec()));
    }
    model_options = loaded->options();
    proto = std::make_unique<ml::Model>(std::move(loaded).value());
  } else {
    auto made = ml::Model::create(o.model, model_options);
    if (!made.ok()) return made.status().with_context("option 'model'");
    proto = std::make_unique<ml::Model>(std::move(made).value());
  }
  const ml::Task task = proto->task();
  const bool supervised = task == ml::Task::kClassification || task == ml::Task::kRegression;
  if (supervised && o.mode != LearnerMode::kPredict && o.target.empty()) {
    return option_error("target", fmt::format("a {} step of {} needs the label field",
                                              learner_mode_name(o.mode), proto->spec()));
  }
  if (!supervised && !o.labels.empty() &&
      (task == ml::Task::kClustering || o.mode != LearnerMode::kEvaluate)) {
    return option_error("labels", fmt::format("{} learns without labels", proto->spec()));
  }
  if (!supervised && !o.drift_detector.empty()) {
    return option_error("drift_detector",
                        "drift detection reads a classifier's or regressor's errors");
  }

  auto stage =
      std::unique_ptr<LearnerStage>(new LearnerStage(std::move(options), std::move(bytes)));
  stage->model_options_ = model_options;
  stage->spec_ = proto->spec();
  stage->task_ = task;
  stage->has_decision_ = task == ml::Task::kAnomalyDetection && proto->has_decision();
  stage->proto_ = std::move(proto);

  // Metrics.
  stage->metrics_ = std::make_unique<MetricSet>();
  if (stage->options_.mode == LearnerMode::kEvaluate) {
    std::vector<std::string> names = stage->options_.metrics;
    if (names.empty()) {
      if (task == ml::Task::kClassification) names.emplace_back("Accuracy");
      if (task == ml::Task::kRegression) names.emplace_back("MAE");
      if (task == ml::Task::kAnomalyDetection && !stage->options_.target.empty()) {
        names.emplace_back("ROCAUC");
      }
    }
    if (task == ml::Task::kClustering && !names.empty()) {
      return option_error("metrics", "a clusterer has no metrics");
    }
    if (task == ml::Task::kAnomalyDetection && !names.empty() && stage->options_.target.empty()) {
      return option_error("metrics",
                          "the metrics of an anomaly detector need target: the field "
                          "that labels the anomalies");
    }
    std::vector<std::string> seen;
    for (const auto& name : names) {
      auto metric = ml::make_metric(name);
      if (!metric.ok())
        return metric.status().with_context(fmt::format("option 'metrics': {}", name));
      const bool metric_class = (*metric)->task() == ml::MetricTask::kClassification;
      const bool model_class = task != ml::Task::kRegression;
      if (metric_class != model_class) {
        return option_error("metrics", fmt::format("{} is a {} metric but {} is a {}", name,
                                                   metric_class ? "classification" : "regression",
                                                   stage->spec_, ml::task_name(task)));
      }
      if (task == ml::Task::kAnomalyDetection && !(*metric)->needs_proba() &&
          !stage->has_decision_) {
        return option_error("metrics",
                            fmt::format("{} compares decisions, but {} only scores: wrap it in "
                                        "anomaly.ThresholdFilter or anomaly.QuantileFilter, or "
                                        "use ROCAUC",
                                        name, stage->spec_));
      }
      const std::string display = (*metric)->name();
      if (std::find(seen.begin(), seen.end(), display) != seen.end()) {
        return option_error("metrics", fmt::format("{} is listed twice", display));
      }
      seen.push_back(display);
      stage->metrics_->add(std::move(metric).value());
    }
    // Anomaly metrics have no label encoder: class 1 is the anomaly.
    stage->metrics_->attach(task == ml::Task::kAnomalyDetection ? nullptr : &stage->labels_);
  }

  // Drift detector.
  if (!stage->options_.drift_detector.empty()) {
    auto call = ml::parse_call(stage->options_.drift_detector);
    if (!call.ok()) return call.status().with_context("option 'drift_detector'");
    auto detector = ml::make_drift_detector(*call);
    if (!detector.ok()) return detector.status().with_context("option 'drift_detector'");
    stage->detector_proto_ = std::move(detector).value();
  }
  stage->labels_ = LabelEncoder(model_options.pos_label);
  return stage;
}

std::unique_ptr<stream::Operator> LearnerStage::clone() const {
  auto made = build(options_, initial_bytes_);
  // build() succeeded with these options before; it cannot fail now.
  RIVULET_DCHECK(made.ok());
  if (!made.ok()) return nullptr;
  (*made)->set_name(name());
  return std::move(made).value();
}

Result<std::unique_ptr<ml::Model>> LearnerStage::new_model(bool from_initial) const {
  if (from_initial && !initial_bytes_.empty()) {
    auto loaded = ml::Model::load_bytes(initial_bytes_, options_.model_path);
    if (!loaded.ok()) return loaded.status();
    return std::make_unique<ml::Model>(std::move(loaded).value());
  }
  auto made = ml::Model::create(spec_, model_options_);
  if (!made.ok()) return made.status();
  return std::make_unique<ml::Model>(std::move(made).value());
}

// ---- open ----

Result<stream::SchemaPtr> LearnerStage::open(stream::SchemaPtr input, stream::OpenContext& ctx) {
  const Schema& in = *input;
  auto field = [&in](std::string_view option,
                     const std::string& name) -> Result<std::optional<size_t>> {
    if (name.empty()) return std::optional<size_t>();
    auto index = in.index_of(name);
    if (!index) {
      return option_error(option, in.unknown_field_message(name));
    }
    return std::optional<size_t>(*index);
  };
  // The target may be absent when every label comes later, and is not needed to predict.
  if (!options_.target.empty() && !in.index_of(options_.target) &&
      (options_.mode == LearnerMode::kPredict || !options_.labels.empty())) {
    target_.reset();
  } else {
    RIVULET_ASSIGN_OR_RETURN(target_, field("target", options_.target));
  }
  RIVULET_ASSIGN_OR_RETURN(id_, field("id", options_.id));
  RIVULET_ASSIGN_OR_RETURN(key_, field("key_field", options_.key_field));
  if (key_) key_type_ = in.field(*key_).type;
  if (target_ && task_ == ml::Task::kRegression && options_.mode != LearnerMode::kPredict) {
    const Type t = in.field(*target_).type;
    if (t != Type::kInt && t != Type::kDouble && t != Type::kBool) {
      return option_error("target", fmt::format("'{}' is {} but {} is a regressor: the target "
                                                "must be a number (or use a classifier)",
                                                options_.target, type_name(t), spec_));
    }
  }

  for (const auto& name : options_.exclude) {
    if (!in.index_of(name)) return option_error("exclude", in.unknown_field_message(name));
  }
  for (const auto& name : options_.features) {
    if (!name.empty() && (name == options_.target || name == options_.id)) {
      return option_error("features", fmt::format("'{}' is the {}, not a feature", name,
                                                  name == options_.target ? "target" : "id"));
    }
  }
  RowFeatures::Options fo;
  fo.fields = options_.features;
  fo.exclude = options_.exclude;
  for (const auto* name : {&options_.target, &options_.id, &options_.key_field}) {
    if (!name->empty()) fo.exclude.push_back(*name);
  }
  auto features = RowFeatures::create(in, fo);
  if (!features.ok()) return features.status();
  features_.emplace(std::move(features).value());

  // Output schema.
  Schema out = in;
  n_in_ = in.size();
  const std::string& p = options_.output_prefix;
  auto add = [&out, &in, &p](std::string_view name, Type type) -> Result<size_t> {
    const std::string full = p + std::string(name);
    if (in.index_of(full)) {
      return option_error("output_prefix",
                          fmt::format("the output field '{}' is already an input field; set "
                                      "output_prefix (e.g. \"model_\")",
                                      full));
    }
    RIVULET_RETURN_IF_ERROR(out.add({full, type, true}));
    return out.size() - 1;
  };
  if (options_.mode != LearnerMode::kLearn) {
    switch (task_) {
      case ml::Task::kClassification: {
        RIVULET_ASSIGN_OR_RETURN(col_prediction_, add("prediction", Type::kString));
        RIVULET_ASSIGN_OR_RETURN(col_probability_, add("probability", Type::kDouble));
        if (options_.probabilities) {
          RIVULET_ASSIGN_OR_RETURN(col_probabilities_, add("probabilities", Type::kString));
        }
        break;
      }
      case ml::Task::kRegression: {
        RIVULET_ASSIGN_OR_RETURN(col_prediction_, add("prediction", Type::kDouble));
        break;
      }
      case ml::Task::kAnomalyDetection: {
        RIVULET_ASSIGN_OR_RETURN(col_score_, add("score", Type::kDouble));
        if (has_decision_) {
          RIVULET_ASSIGN_OR_RETURN(col_prediction_, add("prediction", Type::kBool));
        }
        break;
      }
      case ml::Task::kClustering: {
        RIVULET_ASSIGN_OR_RETURN(col_prediction_, add("prediction", Type::kInt));
        break;
      }
    }
  }
  RIVULET_ASSIGN_OR_RETURN(col_version_, add("model_version", Type::kInt));
  input_schema_ = std::move(input);
  output_schema_ = std::make_shared<const Schema>(std::move(out));

  // Side outputs.
  metrics_side_.reset();
  drift_side_.reset();
  if (!metrics_->all.empty()) {
    Schema ms;
    RIVULET_RETURN_IF_ERROR(ms.add({"stage", Type::kString, false}));
    RIVULET_RETURN_IF_ERROR(ms.add({"key", Type::kString, true}));
    RIVULET_RETURN_IF_ERROR(ms.add({"records", Type::kInt, false}));
    for (const auto& m : metrics_->all) {
      const Status s = ms.add({m->name(), Type::kDouble, false});
      if (!s.ok()) return option_error("metrics", s.message());
    }
    metrics_schema_ = std::make_shared<const Schema>(std::move(ms));
    metrics_out_ = stream::Batch(metrics_schema_);
    metrics_side_ = ctx.declare_side_output("metrics", metrics_schema_);
  }
  if (detector_proto_) {
    auto ds = Schema::create({{"stage", Type::kString, false},
                              {"key", Type::kString, true},
                              {"time", Type::kInt, true},
                              {"records", Type::kInt, false},
                              {"detector", Type::kString, false},
                              {"action", Type::kString, false}});
    drift_schema_ = std::make_shared<const Schema>(std::move(ds).value());
    drift_out_ = stream::Batch(drift_schema_);
    drift_side_ = ctx.declare_side_output("drift", drift_schema_);
  }

  // State: the global model.
  slots_.clear();
  slot_of_.clear();
  free_slots_.clear();
  dirty_.clear();
  lru_head_ = lru_tail_ = kNone;
  pending_->clear();
  if (!options_.per_key) {
    auto slot = std::make_unique<Slot>();
    if (proto_) {
      slot->model = std::move(proto_);
    } else {
      RIVULET_ASSIGN_OR_RETURN(slot->model, new_model(true));
    }
    slot->binding = features_->bind(slot->model->space());
    if (detector_proto_) slot->detector = detector_proto_->clone();
    slot->live = true;
    slots_.push_back(std::move(slot));
    sync_labels(*slots_[0]);
  }
  proto_.reset();
  int_labels_.clear();
  labels_schema_.reset();
  out_ = stream::Batch(output_schema_);
  spare_ = std::make_shared<SpareBuffers>();
  opened_ = true;
  return output_schema_;
}

Status LearnerStage::open_labels(const stream::SchemaPtr& schema) {
  const Schema& s = *schema;
  auto id = s.index_of(options_.id);
  if (!id) {
    return option_error("id", fmt::format("labels '{}': {}", options_.labels,
                                          s.unknown_field_message(options_.id)));
  }
  auto target = s.index_of(options_.target);
  if (!target) {
    return option_error("target", fmt::format("labels '{}': {}", options_.labels,
                                              s.unknown_field_message(options_.target)));
  }
  label_id_ = *id;
  label_target_ = *target;
  labels_schema_ = schema;
  return Status();
}

// ---- models and keys ----

void LearnerStage::sync_labels(Slot& slot) {
  const LabelEncoder& own = slot.model->labels();
  while (slot.to_stage.size() < own.size()) {
    const auto i = static_cast<ClassId>(slot.to_stage.size());
    const ClassId id = labels_.intern(own.name(i));
    slot.identity = slot.identity && id == i;
    slot.to_stage.push_back(id);
    if (id >= slot.from_stage.size()) slot.from_stage.resize(id + 1, kNoClass);
    slot.from_stage[id] = i;
  }
}

ClassId LearnerStage::model_class(Slot& slot, Label& label) {
  if (label.stage < slot.from_stage.size()) {
    const ClassId c = slot.from_stage[label.stage];
    if (c != kNoClass) return c;
  }
  const ClassId c = slot.model->labels().intern(label.text);
  sync_labels(slot);
  label.stage = slot.to_stage[c];
  if (label.from_int && int_labels_.size() < kMaxCachedLabels) {
    int_labels_.emplace_back(label.raw, label.stage);
  }
  return c;
}

Status LearnerStage::init_slot(Slot& slot, std::string_view key) {
  slot.key.assign(key);
  RIVULET_ASSIGN_OR_RETURN(slot.model, new_model(true));
  slot.binding = features_->bind(slot.model->space());
  slot.to_stage.clear();
  slot.from_stage.clear();
  slot.identity = true;
  sync_labels(slot);
  slot.background.reset();
  slot.detector = detector_proto_ ? detector_proto_->clone() : nullptr;
  if (!metrics_->all.empty()) {
    slot.metrics = metrics_->clone_fresh(task_ == ml::Task::kAnomalyDetection ? nullptr : &labels_);
  }
  slot.records = 0;
  slot.dirty = false;
  slot.live = true;
  return Status();
}

void LearnerStage::touch(uint32_t s) {
  Slot& slot = *slots_[s];
  if (lru_tail_ == s) return;
  // Unlink.
  if (slot.prev != kNone) {
    slots_[slot.prev]->next = slot.next;
  } else if (lru_head_ == s) {
    lru_head_ = slot.next;
  }
  if (slot.next != kNone) slots_[slot.next]->prev = slot.prev;
  // Append as most recent.
  slot.prev = lru_tail_;
  slot.next = kNone;
  if (lru_tail_ != kNone) slots_[lru_tail_]->next = s;
  lru_tail_ = s;
  if (lru_head_ == kNone) lru_head_ = s;
}

void LearnerStage::mark_dirty(uint32_t s) {
  Slot& slot = *slots_[s];
  if (slot.dirty) return;
  slot.dirty = true;
  dirty_.push_back(s);
}

Result<uint32_t> LearnerStage::slot_for(std::string_view key) {
  if (!options_.per_key) return uint32_t{0};
  if (auto it = slot_of_.find(key); it != slot_of_.end()) {
    touch(it->second);
    return it->second;
  }
  uint32_t s;
  if (slot_of_.size() >= options_.max_keys) {
    s = lru_head_;  // the least recently used
    Slot& old = *slots_[s];
    lru_head_ = old.next;
    if (lru_head_ != kNone) slots_[lru_head_]->prev = kNone;
    if (lru_tail_ == s) lru_tail_ = kNone;
    old.prev = old.next = kNone;
    slot_of_.erase(slot_of_.find(std::string_view(old.key)));
    old.live = false;
    ++stats_.keys_evicted;
  } else if (!free_slots_.empty()) {
    s = free_slots_.back();
    free_slots_.pop_back();
  } else {
    s = static_cast<uint32_t>(slots_.size());
    slots_.push_back(std::make_unique<Slot>());
  }
  RIVULET_RETURN_IF_ERROR(init_slot(*slots_[s], key));
  slot_of_.emplace(std::string(key), s);
  slots_[s]->prev = slots_[s]->next = kNone;
  touch(s);
  ++stats_.keys_created;
  return s;
}

std::string_view LearnerStage::key_text(const Value& v, char (&buf)[32]) const {
  switch (v.type()) {
    case Type::kString:
      return v.as_string();
    case Type::kInt:
      return {buf, format_int(v.as_int(), buf)};
    case Type::kDouble:
      return {buf, format_double(v.as_double(), buf)};
    case Type::kBool:
      return v.as_bool() ? "true" : "false";
    case Type::kNull:
      break;
  }
  return {};
}

// Reads a target value. Returns false with an empty reason when there is no label (NULL, or a
// non-finite number), false with a reason for a bad one.
bool LearnerStage::read_label(const Value& v, Label& out, std::string& reason) {
  reason.clear();
  if (v.is_null()) return false;
  if (task_ == ml::Task::kRegression) {
    switch (v.type()) {
      case Type::kInt:
        out.value = static_cast<double>(v.as_int());
        return true;
      case Type::kDouble:
        out.value = v.as_double();
        return std::isfinite(out.value);
      case Type::kBool:
        out.value = v.as_bool() ? 1.0 : 0.0;
        return true;
      default:
        reason = fmt::format("target '{}' is not a number: '{}'", options_.target, to_string(v));
        return false;
    }
  }
  if (v.type() == Type::kDouble && !std::isfinite(v.as_double())) return false;
  if (task_ == ml::Task::kClassification) {
    if (v.type() == Type::kInt) {
      // Integer labels (0/1, class numbers) seen before: no text to format or compare.
      out.from_int = true;
      out.raw = v.as_int();
      for (const auto& [raw, id] : int_labels_) {
        if (raw == out.raw) {
          out.stage = id;
          out.text = labels_.name(id);  // stable: labels_ grows only with a new label
          return true;
        }
      }
    } else if (v.type() == Type::kString) {
      out.text = v.as_string();
      if (auto id = labels_.find(out.text)) out.stage = *id;
      return true;
    }
  }
  char buf[32];
  const std::string_view text = key_text(v, buf);
  if (text.data() == buf) {
    label_text_.assign(text);
    out.text = label_text_;
  } else {
    out.text = text;
  }
  return true;
}

void LearnerStage::remap_proba(const Slot& slot) {
  stage_proba_.assign(labels_.size(), 0.0);
  const size_t n = std::min(proba_.size(), slot.to_stage.size());
  for (size_t i = 0; i < n; ++i) stage_proba_[slot.to_stage[i]] = proba_[i];
}

// ---- labels: scoring, drift, learning ----

Status LearnerStage::learn_background(Slot& slot, const Label& label, const Value* row_values,
                                      std::span<const Value> captured) {
  if (!slot.background) {
    RIVULET_ASSIGN_OR_RETURN(slot.background, new_model(false));
    slot.background_binding = features_->bind(slot.background->space());
  }
  ml::Model& bg = *slot.background;
  if (row_values != nullptr) {
    features_->extract(row_values, slot.background_binding, x2_);
  } else {
    features_->extract_captured(captured, slot.background_binding, x2_);
  }
  if (task_ == ml::Task::kClassification) {
    bg.learn_one(x2_, bg.labels().intern(label.text));
  } else {
    bg.learn_value(x2_, label.value);
  }
  ++stats_.learned;
  return Status();
}

Status LearnerStage::handle_drift(Slot& slot, const Label& label, int64_t event_time,
                                  bool& replaced) {
  (void)label;
  replaced = false;
  const bool background = options_.on_drift == OnDrift::kBackground && slot.background != nullptr;
  if (background) {
    slot.model = std::move(slot.background);
    slot.binding = std::move(slot.background_binding);
  } else {
    RIVULET_ASSIGN_OR_RETURN(slot.model, new_model(false));
    slot.binding = features_->bind(slot.model->space());
  }
  slot.background.reset();
  slot.to_stage.clear();
  slot.from_stage.clear();
  slot.identity = true;
  sync_labels(slot);
  replaced = true;
  ++stats_.drifts;
  if (drift_side_) {
    const size_t r = drift_out_.add_row(event_time);
    drift_out_.set_string(r, 0, name());
    if (options_.per_key) drift_out_.set_string(r, 1, slot.key);
    if (event_time != stream::kNoEventTime) drift_out_.set(r, 2, Value::of_int(event_time));
    drift_out_.set(r, 3, Value::of_int(static_cast<int64_t>(slot.records)));
    drift_out_.set_string(r, 4, slot.detector->name());
    drift_out_.set_string(r, 5, background ? "background" : "reset");
  }
  return Status();
}

// A label for a prediction of `slot`'s model (or for a row to learn): the metrics, the detector,
// then learning. `x` holds the row's features in the slot's current model when `row_values` is
// set and nothing was replaced; otherwise the features are extracted again.
Status LearnerStage::use_label(Slot& slot, Label& label, const Features& x, bool can_score,
                               ClassId predicted, double predicted_value, bool learned,
                               const Value* row_values, std::span<const Value> captured,
                               int64_t event_time) {
  ++stats_.labelled;
  const bool evaluate = options_.mode == LearnerMode::kEvaluate;
  const bool classification = task_ == ml::Task::kClassification;
  ClassId y_stage = kNoClass;
  if (classification) y_stage = label.stage;  // the caller interned it in the model
  if (task_ == ml::Task::kAnomalyDetection) {
    // Scores are compared with the anomaly label; the detector learned when it scored.
    const bool anomaly =
        options_.pos_label.empty() ? reads_true(label.text) : label.text == options_.pos_label;
    const double score = predicted_value;
    const double proba[2] = {1.0 - score, score};
    const ClassId decided = has_decision_ ? (predicted == 1 ? 1 : 0) : (score >= 0.5 ? 1 : 0);
    ++stats_.scored;
    metrics_->update(anomaly ? 1 : 0, decided, proba);
    if (slot.metrics) slot.metrics->update(anomaly ? 1 : 0, decided, proba);
    return Status();
  }
  if (evaluate && can_score) {
    ++stats_.scored;
    if (classification) {
      std::span<const double> proba;
      if (metrics_->needs_proba) proba = stage_proba_;
      metrics_->update(y_stage, predicted, proba);
      if (slot.metrics) slot.metrics->update(y_stage, predicted, proba);
    } else {
      metrics_->update(label.value, predicted_value);
      if (slot.metrics) slot.metrics->update(label.value, predicted_value);
    }
  }
  const Features* features = &x;
  if (slot.detector && can_score) {
    const double error = classification ? (predicted != y_stage ? 1.0 : 0.0)
                                        : std::abs(label.value - predicted_value);
    slot.detector->update(error);
    const bool warning = slot.detector->warning_detected();
    stats_.warnings += warning ? 1 : 0;
    if (slot.detector->drift_detected()) {
      bool replaced = false;
      RIVULET_RETURN_IF_ERROR(handle_drift(slot, label, event_time, replaced));
      if (replaced) {
        learned = false;  // the new model learns the record (as River's DriftRetrainingClassifier)
        row_values == nullptr ? features_->extract_captured(captured, slot.binding, x_)
                              : features_->extract(row_values, slot.binding, x_);
        features = &x_;
      }
    } else if (warning && options_.on_drift == OnDrift::kBackground) {
      RIVULET_RETURN_IF_ERROR(learn_background(slot, label, row_values, captured));
    }
  }
  if (!learned) {
    ml::Model& m = *slot.model;
    if (classification) {
      m.learn_one(*features, model_class(slot, label));
    } else {
      m.learn_value(*features, label.value);
    }
    ++stats_.learned;
  }
  return Status();
}

void LearnerStage::store_pending(Slot& slot, std::string_view id, const Value* row, bool can_score,
                                 ClassId predicted, double predicted_value, bool decision,
                                 bool learned, int64_t now_ms, int64_t event_time) {
  const uint64_t hash = PendingTable::hash_of(id);
  if (const uint32_t old = pending_->find(id, hash); old != PendingTable::kNone) {
    pending_->erase(old);
    ++stats_.replaced;
  }
  while (pending_->size() >= options_.max_pending) {
    pending_->erase(pending_->oldest());
    ++stats_.expired;
    ++stats_.expired_overflow;
  }
  const uint32_t e = pending_->insert(id, hash);
  Pending& p = pending_->at(e);
  p.key.assign(slot.key);
  features_->capture(row, p.values, p.text);
  p.can_score = can_score;
  p.learned = learned;
  p.predicted = predicted;
  p.predicted_value = predicted_value;
  p.decision = decision;
  if (metrics_->needs_proba && task_ == ml::Task::kClassification) {
    p.proba.assign(stage_proba_.begin(), stage_proba_.end());
  } else {
    p.proba.clear();
  }
  const int64_t timeout = options_.label_timeout_ms;
  p.deadline_ms = now_ms > std::numeric_limits<int64_t>::max() - timeout
                      ? std::numeric_limits<int64_t>::max()
                      : now_ms + timeout;
  p.event_time = event_time;
}

void LearnerStage::expire(int64_t now_ms) {
  for (uint32_t e = pending_->oldest(); e != PendingTable::kNone; e = pending_->oldest()) {
    if (pending_->at(e).deadline_ms > now_ms) break;
    pending_->erase(e);
    ++stats_.expired;
  }
}

// ---- processing ----

Status LearnerStage::process(stream::Batch& batch, stream::OperatorContext& ctx) {
  if (!opened_) return Status::failed_precondition("learner stage: process before open");
  expire(ctx.now_ms);
  const size_t n = batch.size();
  ctx.counts.in += n;
  out_.reset(output_schema_);
  out_.reserve(n);
  // The output rows keep the input's strings: the output batch takes the input's arena.
  std::swap(out_.arena(), batch.arena());

  const bool evaluate = options_.mode == LearnerMode::kEvaluate;
  const bool learn_only = options_.mode == LearnerMode::kLearn;
  const bool predict_only = options_.mode == LearnerMode::kPredict;
  const bool classification = task_ == ml::Task::kClassification;
  const bool regression = task_ == ml::Task::kRegression;
  const bool anomaly = task_ == ml::Task::kAnomalyDetection;
  const bool delayed = !options_.labels.empty() && id_.has_value();
  // Probabilities for the output and the metrics (learn needs neither).
  const bool want_proba = classification && !learn_only;
  std::string reason;
  char key_buf[32], id_buf[32];

  for (size_t r = 0; r < n; ++r) {
    const Value* row = batch.row(r);
    const int64_t event_time = batch.event_time(r);
    Slot* slot;
    if (options_.per_key) {
      const Value key = row[*key_];
      if (key.is_null()) {
        ctx.dead_letter(name(), fmt::format("key field '{}' is NULL", options_.key_field), batch,
                        r);
        continue;
      }
      auto found = slot_for(key_text(key, key_buf));
      if (!found.ok()) return found.status();
      slot = slots_[*found].get();
      mark_dirty(*found);
    } else {
      slot = slots_[0].get();
    }

    // The label, when the row carries one.
    Label label;
    bool has_label = false;
    if (target_ && !predict_only) {
      has_label = read_label(row[*target_], label, reason);
      if (!has_label && !reason.empty()) {
        ctx.dead_letter(name(), reason, batch, r);
        continue;
      }
    }
    ml::Model* model = slot->model.get();
    ClassId y_model = kNoClass;
    if (has_label && classification) {
      if (model->labels().size() >= kMaxClasses && !model->labels().find(label.text)) {
        ctx.dead_letter(name(),
                        fmt::format("target '{}' has more than {} distinct values; use a regressor",
                                    options_.target, kMaxClasses),
                        batch, r);
        continue;
      }
      // Interned before predicting, as `rivulet eval` does.
      y_model = model_class(*slot, label);
    }
    ++stats_.records;
    ++slot->records;
    features_->extract(row, slot->binding, x_);

    const size_t o = out_.add_row(event_time);
    Value* dst = out_.mutable_row(o);
    std::copy_n(row, n_in_, dst);

    const uint64_t version = model->n_learned();
    bool can_score = false, learned = false, decision = false;
    ClassId predicted_stage = kNoClass;
    double predicted_value = 0.0;
    // learn runs the model as evaluate does (its transformers see each record as it arrives, as
    // River's predict-then-learn loop), without output or metrics.
    const bool trains = !predict_only;
    const bool fused = has_label && trains && !slot->detector;  // predict then learn at once

    if (classification) {
      std::optional<ClassId> predicted =
          fused ? model->predict_then_learn(x_, y_model, want_proba ? &proba_ : nullptr)
                : model->predict(x_, want_proba ? &proba_ : nullptr);
      if (fused) {
        learned = true;
        ++stats_.learned;
      }
      can_score = predicted.has_value();
      if (can_score && !learn_only) {
        sync_labels(*slot);
        if (*predicted != kNoClass && *predicted < slot->to_stage.size()) {
          const ClassId c = *predicted;
          predicted_stage = slot->to_stage[c];
          out_.set_string(o, col_prediction_, model->labels().name(c));
          if (c < proba_.size()) out_.set(o, col_probability_, Value::of_double(proba_[c]));
          if (options_.probabilities) {
            // {"label": p, ...} over the model's classes, in the order it met them.
            probabilities_text_.assign("{");
            const LabelEncoder& names = model->labels();
            for (ClassId k = 0; k < proba_.size() && k < names.size(); ++k) {
              if (k > 0) probabilities_text_ += ", ";
              stream::append_json_string(probabilities_text_, names.name(k));
              probabilities_text_ += ": ";
              stream::append_json_value(probabilities_text_, Value::of_double(proba_[k]));
            }
            probabilities_text_ += "}";
            out_.set_string(o, col_probabilities_, probabilities_text_);
          }
          ++stats_.predictions;
        }
        if (metrics_->needs_proba) {
          if (slot->identity) {
            stage_proba_.assign(proba_.begin(), proba_.end());
          } else {
            remap_proba(*slot);
          }
        }
      }
    } else if (regression) {
      predicted_value =
          fused ? model->predict_then_learn_value(x_, label.value) : model->predict_value(x_);
      if (fused) {
        learned = true;
        ++stats_.learned;
      }
      can_score = true;
      if (!learn_only) {
        out_.set(o, col_prediction_, Value::of_double(predicted_value));
        ++stats_.predictions;
      }
    } else if (anomaly) {
      std::optional<bool> flag;
      if (trains) {
        predicted_value = model->score_then_learn(x_, &flag);
        learned = true;
        ++stats_.learned;
      } else {
        predicted_value = model->score_one(x_);
        flag = model->classify(predicted_value);
      }
      decision = flag.value_or(false);
      predicted_stage = decision ? 1 : 0;
      can_score = true;
      if (!learn_only) {
        out_.set(o, col_score_, Value::of_double(predicted_value));
        if (has_decision_ && flag) out_.set(o, col_prediction_, Value::of_bool(*flag));
        ++stats_.predictions;
      }
    } else {  // clustering
      const int cluster =
          trains ? model->predict_then_learn_cluster(x_) : model->predict_cluster(x_);
      if (trains) ++stats_.learned;
      if (!learn_only) {
        out_.set(o, col_prediction_, Value::of_int(cluster));
        ++stats_.predictions;
      }
    }

    if (has_label && (classification || regression || (anomaly && evaluate))) {
      RIVULET_RETURN_IF_ERROR(use_label(*slot, label, x_, can_score, predicted_stage,
                                        predicted_value, learned || anomaly, row, {}, event_time));
    } else if (delayed && trains && (classification || regression || anomaly)) {
      const Value id = row[*id_];
      if (!id.is_null()) {
        store_pending(*slot, key_text(id, id_buf), row, can_score, predicted_stage, predicted_value,
                      decision, anomaly, ctx.now_ms, event_time);
      }
    }
    // model_version: the predicting model's learn count before this record (after it in learn).
    const uint64_t shown = learn_only ? slot->model->n_learned() : version;
    out_.set(o, col_version_, Value::of_int(static_cast<int64_t>(shown)));

    if (options_.metrics_every != 0 && stats_.records % options_.metrics_every == 0) {
      emit_metrics(ctx, event_time);
    }
  }
  ctx.counts.out += out_.size();
  std::swap(batch, out_);
  if (options_.metrics_every_ms > 0) {
    if (!emit_clock_started_) {
      emit_clock_started_ = true;
      last_emit_ms_ = ctx.now_ms;
    } else if (ctx.now_ms - last_emit_ms_ >= options_.metrics_every_ms) {
      emit_metrics(ctx, stream::kNoEventTime);
      last_emit_ms_ = ctx.now_ms;
    }
  }
  flush_drift(ctx);
  return Status();
}

Status LearnerStage::process_side_input(stream::Batch& batch, stream::OperatorContext& ctx) {
  if (!opened_) return Status::failed_precondition("learner stage: labels before open");
  if (options_.labels.empty()) {
    return Status::failed_precondition(
        fmt::format("step '{}' takes no labels input (set labels)", name()));
  }
  if (labels_schema_ != batch.shared_schema()) {
    RIVULET_RETURN_IF_ERROR(open_labels(batch.shared_schema()));
  }
  expire(ctx.now_ms);
  const bool classification = task_ == ml::Task::kClassification;
  std::string reason;
  char id_buf[32];
  for (size_t r = 0; r < batch.size(); ++r) {
    const Value* row = batch.row(r);
    const Value id = row[label_id_];
    Label label;
    const bool has = !id.is_null() && read_label(row[label_target_], label, reason);
    if (!has) {
      ++stats_.bad_labels;
      if (ctx.partition == 0) {  // labels reach every partition: report once
        if (reason.empty()) {
          reason = id.is_null() ? fmt::format("label without id '{}'", options_.id)
                                : fmt::format("label without target '{}'", options_.target);
        }
        const uint64_t dead = ctx.counts.dead;
        ctx.dead_letter(name(), reason, batch, r);
        ctx.counts.dead = dead;  // label rows are outside the main input's counts
      }
      continue;
    }
    const std::string_view id_text = key_text(id, id_buf);
    const uint32_t e = pending_->find(id_text, PendingTable::hash_of(id_text));
    if (e == PendingTable::kNone) {
      ++stats_.unmatched_labels;
      continue;
    }
    Pending& p = pending_->at(e);
    auto found = slot_for(p.key);
    if (!found.ok()) return found.status();
    Slot& slot = *slots_[*found];
    if (classification) {
      ml::Model& m = *slot.model;
      if (m.labels().size() >= kMaxClasses && !m.labels().find(label.text)) {
        ++stats_.bad_labels;
        pending_->erase(e);
        continue;
      }
      model_class(slot, label);
      if (metrics_->needs_proba) stage_proba_.assign(p.proba.begin(), p.proba.end());
    }
    ++stats_.joined;
    if (options_.per_key) mark_dirty(*found);
    // The features again, in the model that learns now (it may have changed since).
    if (!p.learned) features_->extract_captured(p.values, slot.binding, x_);
    const Status s = use_label(slot, label, x_, p.can_score, p.predicted, p.predicted_value,
                               p.learned, nullptr, p.values, batch.event_time(r));
    pending_->erase(e);
    RIVULET_RETURN_IF_ERROR(s);
  }
  batch.clear();
  flush_drift(ctx);
  return Status();
}

Status LearnerStage::on_timer(stream::Batch& batch, stream::OperatorContext& ctx) {
  (void)batch;
  expire(ctx.now_ms);
  if (options_.metrics_every_ms > 0) {
    if (!emit_clock_started_) {
      emit_clock_started_ = true;
      last_emit_ms_ = ctx.now_ms;
    } else if (ctx.now_ms - last_emit_ms_ >= options_.metrics_every_ms) {
      emit_metrics(ctx, stream::kNoEventTime);
      last_emit_ms_ = ctx.now_ms;
    }
  }
  return Status();
}

Status LearnerStage::finish(stream::Batch& batch, stream::OperatorContext& ctx) {
  (void)batch;
  if (metrics_side_ && (stats_.records != records_at_emit_ || stats_.metrics_rows == 0)) {
    emit_metrics(ctx, stream::kNoEventTime);
  }
  flush_drift(ctx);
  return Status();
}

void LearnerStage::emit_metrics(stream::OperatorContext& ctx, int64_t event_time) {
  records_at_emit_ = stats_.records;
  if (!metrics_side_) {
    for (uint32_t s : dirty_) slots_[s]->dirty = false;
    dirty_.clear();
    return;
  }
  auto add = [this, event_time](const Slot* slot, uint64_t records, const MetricSet& set) {
    const size_t r = metrics_out_.add_row(event_time);
    metrics_out_.set_string(r, 0, name());
    if (slot != nullptr) metrics_out_.set_string(r, 1, slot->key);
    metrics_out_.set(r, 2, Value::of_int(static_cast<int64_t>(records)));
    for (size_t i = 0; i < set.all.size(); ++i) {
      metrics_out_.set(r, 3 + i, Value::of_double(set.all[i]->get()));
    }
    ++stats_.metrics_rows;
  };
  add(nullptr, stats_.records, *metrics_);
  for (uint32_t s : dirty_) {
    Slot& slot = *slots_[s];
    if (!slot.dirty || !slot.live) continue;
    slot.dirty = false;
    if (slot.metrics) add(&slot, slot.records, *slot.metrics);
  }
  dirty_.clear();
  ctx.side(*metrics_side_, metrics_out_);
  metrics_out_.clear();
}

void LearnerStage::flush_drift(stream::OperatorContext& ctx) {
  if (drift_side_ && !drift_out_.empty()) {
    ctx.side(*drift_side_, drift_out_);
    drift_out_.clear();
  }
}

// ---- accessors ----

size_t LearnerStage::pending() const { return pending_->size(); }
size_t LearnerStage::n_metrics() const { return metrics_->all.size(); }
const ml::Metric& LearnerStage::metric(size_t i) const { return *metrics_->all[i]; }

const ml::Model* LearnerStage::model(std::string_view key) const {
  if (!options_.per_key) {
    if (!slots_.empty()) return slots_[0]->model.get();
    return proto_.get();
  }
  auto it = slot_of_.find(key);
  return it == slot_of_.end() ? nullptr : slots_[it->second]->model.get();
}

const ml::Metric* LearnerStage::key_metric(std::string_view key, size_t i) const {
  auto it = slot_of_.find(key);
  if (it == slot_of_.end()) return nullptr;
  const Slot& slot = *slots_[it->second];
  return slot.metrics && i < slot.metrics->all.size() ? slot.metrics->all[i].get() : nullptr;
}

std::vector<std::string> LearnerStage::keys() const {
  std::vector<std::string> out;
  for (uint32_t s = lru_head_; s != kNone; s = slots_[s]->next) out.push_back(slots_[s]->key);
  return out;
}

// ---- snapshot / restore ----

// A snapshot's bytes taken in two steps (snapshot_async): freeze() makes them in the pause,
// except the cheap but large copies and checksums, which write() does later: the bytes as a
// StateWriter writes them (without its leading byte-order byte), cut where a model goes; each
// model's state unsealed (ml::Model::save_unsealed).
//
// The models' bytes go back to `spare` once written, for the next snapshot to write into: a
// forest's are megabytes, and fresh memory would cost a page fault (zeroing it) every 4 KiB,
// in the pause.
struct LearnerStage::SpareBuffers {
  std::mutex mu;
  std::vector<std::string> buffers;  // models'; under mu
  std::string rest;                  // the last piece's; under mu
  std::string take() {
    std::lock_guard lock(mu);
    if (buffers.empty()) return {};
    std::string b = std::move(buffers.back());
    buffers.pop_back();
    return b;
  }
  std::string take_rest() {
    std::lock_guard lock(mu);
    return std::move(rest);
  }
};

struct LearnerStage::Frozen {
  std::vector<std::string> raw;     // raw[i], then models[i] as a string, ...; raw.back() last
  std::vector<std::string> models;  // REQUIRES: models.size() + 1 == raw.size()
  std::shared_ptr<SpareBuffers> spare;

  void write(StateWriter& out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      out(cereal::binary_data(raw[i].data(), raw[i].size()));
      if (i < models.size()) {
        ml::Model::seal(models[i]);
        out(models[i]);
      }
    }
    std::lock_guard lock(spare->mu);
    spare->rest = std::move(raw.back());
    // As many as this snapshot had models, the largest first taken back (its last).
    std::sort(models.begin(), models.end(),
              [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
    for (std::string& m : models) {
      if (spare->buffers.size() >= models.size()) break;
      spare->buffers.push_back(std::move(m));
    }
    models.clear();
  }
};

namespace {

// The bytes `save` writes to a StateWriter of its own, without the byte-order byte it starts
// with: to be written into another StateWriter as raw bytes.
template <typename Save>
std::string raw_state(const Save& save) {
  std::string bytes = state_bytes(save);
  bytes.erase(0, 1);
  return bytes;
}

// A value of a pending prediction, appended to `out` as a StateWriter would write its type
// byte, then its value (see stream::append_state_value); load_value reads it.
void append_value(std::string& out, const Value& v) {
  stream::append_state_value(out, static_cast<uint8_t>(v.type()));
  switch (v.type()) {
    case Type::kNull:
      break;
    case Type::kBool:
      stream::append_state_value(out, v.as_bool());
      break;
    case Type::kInt:
      stream::append_state_value(out, v.as_int());
      break;
    case Type::kDouble:
      stream::append_state_value(out, v.as_double());
      break;
    case Type::kString:
      stream::append_state_string(out, v.as_string());
      break;
  }
}

}  // namespace

LearnerStage::Frozen LearnerStage::freeze() const {
  RIVULET_DCHECK(opened_);
  Frozen f;
  f.spare = spare_;
  std::vector<std::string> metric_names;
  for (const auto& m : metrics_->all) metric_names.push_back(m->name());
  // Models first, least recently used first (the global model alone otherwise): see
  // models_in_snapshot.
  std::vector<uint32_t> order;
  if (options_.per_key) {
    for (uint32_t i = lru_head_; i != kNone; i = slots_[i]->next) order.push_back(i);
  } else {
    order.push_back(0);
  }
  f.raw.push_back(raw_state([&](StateWriter& out) {
    out(std::string(kSnapshotMagic), kSnapshotVersion, static_cast<uint8_t>(options_.mode), spec_,
        options_.per_key, metric_names);
    out(static_cast<uint64_t>(order.size()));
  }));
  for (size_t k = 0; k < order.size(); ++k) {
    const Slot& slot = *slots_[order[k]];
    f.raw.back() += raw_state([&](StateWriter& out) { out(slot.key, slot.records, slot.dirty); });
    f.models.push_back(
        slot.model->save_unsealed(spare_->take(), slot.saved_size + slot.saved_size / 16));
    slot.saved_size = f.models.back().size() + 4;  // and its checksum
    f.raw.push_back(raw_state([&](StateWriter& out) {
      const bool has_background = slot.background != nullptr;
      out(has_background);
      if (has_background) out(slot.background->save_bytes());
      const bool has_detector = slot.detector != nullptr;
      out(has_detector);
      if (has_detector) {
        out(nested_state([&slot](StateWriter& w) { slot.detector->save(w); }));
      }
      const bool has_metrics = slot.metrics != nullptr;
      out(has_metrics);
      if (has_metrics) {
        out(nested_state([&slot](StateWriter& w) {
          for (const auto& m : slot.metrics->all) m->save(w);
        }));
      }
    }));
  }
  // The last piece (with the pending predictions: a megabyte or more) in a spare buffer too.
  {
    std::string spare = spare_->take_rest();
    spare.assign(f.raw.back());  // (in the room it has)
    f.raw.back().swap(spare);
  }
  std::string& rest = f.raw.back();
  rest += raw_state([&](StateWriter& out) {
    const LearnerStats& s = stats_;
    out(s.records, s.predictions, s.labelled, s.joined, s.learned, s.scored, s.expired,
        s.expired_overflow, s.replaced, s.unmatched_labels, s.bad_labels, s.keys_created,
        s.keys_evicted, s.drifts, s.warnings, s.metrics_rows);
    out(records_at_emit_, last_emit_ms_, emit_clock_started_);
    out(labels_);
    for (const auto& m : metrics_->all) m->save(out);

    // Keys with records since the last metrics row, in order.
    std::vector<std::string> dirty;
    for (uint32_t i : dirty_) {
      const Slot& slot = *slots_[i];
      if (slot.live && slot.dirty &&
          std::find(dirty.begin(), dirty.end(), slot.key) == dirty.end()) {
        dirty.push_back(slot.key);
      }
    }
    out(dirty);
  });

  // Pending predictions, oldest first, as out(...) of each field would write them (appended
  // here without the archive: thousands of small fields).
  stream::append_state_value(rest, static_cast<uint64_t>(pending_->size()));
  for (uint32_t e = pending_->oldest(); e != PendingTable::kNone; e = pending_->newer(e)) {
    const Pending& p = pending_->at(e);
    stream::append_state_string(rest, p.id);
    stream::append_state_string(rest, p.key);
    stream::append_state_value(rest, static_cast<uint64_t>(p.values.size()));
    for (const Value& v : p.values) append_value(rest, v);
    stream::append_state_value(rest, p.can_score);
    stream::append_state_value(rest, p.learned);
    stream::append_state_value(rest, p.predicted);
    stream::append_state_value(rest, p.predicted_value);
    stream::append_state_value(rest, p.decision);
    stream::append_state_value(rest, static_cast<uint64_t>(p.proba.size()));
    rest.append(reinterpret_cast<const char*>(p.proba.data()), p.proba.size() * sizeof(double));
    stream::append_state_value(rest, p.deadline_ms);
    stream::append_state_value(rest, p.event_time);
  }
  stream::append_state_value(rest, kSnapshotEnd);
  return f;
}

void LearnerStage::snapshot(StateWriter& out) const { freeze().write(out); }

std::function<void(StateWriter&)> LearnerStage::snapshot_async(bool changes) {
  (void)changes;  // (not incremental)
  // The models' states are walked in the pause (they change with every record); what is left
  // to the function is sealing them and the copies into the checkpoint's bytes.
  auto f = std::make_shared<Frozen>(freeze());
  return [f](StateWriter& out) { f->write(out); };
}

Result<SnapshotModels> LearnerStage::models_in_snapshot(std::string_view snapshot) {
  auto corrupt = [](std::string_view why) {
    return Status::data_loss(fmt::format("learner state: {}", why));
  };
  // Every learner state starts so: cereal's byte order flag, the magic's length, the magic.
  static const std::string kStart =
      nested_state([](StateWriter& out) { out(std::string(kSnapshotMagic)); });
  if (!snapshot.starts_with(kStart)) return corrupt("not a learner stage's state");
  // The end mark, as the state's byte order writes it (without the order flag).
  static const std::string kEnd =
      nested_state([](StateWriter& out) { out(kSnapshotEnd); }).substr(1);
  if (!snapshot.ends_with(kEnd) || snapshot.size() < kStart.size() + kEnd.size()) {
    return corrupt("truncated (no end mark)");
  }
  snapshot.remove_suffix(kEnd.size());
  SnapshotModels found;
  try {
    SnapshotReader in(snapshot);
    (void)in.string();  // the magic
    const auto version = in.value<uint32_t>();
    if (version != kSnapshotVersion) {
      return corrupt(
          fmt::format("state version {} (this build reads {})", version, kSnapshotVersion));
    }
    const auto mode = in.value<uint8_t>();
    if (mode > static_cast<uint8_t>(LearnerMode::kLearn)) {
      return corrupt(fmt::format("unknown step kind {}", mode));
    }
    found.mode = static_cast<LearnerMode>(mode);
    found.spec = in.string();
    found.per_key = in.flag();
    const uint64_t n_metrics = in.count(sizeof(uint64_t));  // each a length, then its name
    for (uint64_t i = 0; i < n_metrics; ++i) (void)in.string();
    // Each model: at least a key's length, records, dirty, the model's length, three flags.
    const uint64_t n_models = in.count(3 * sizeof(uint64_t) + 4);
    if (!found.per_key && n_models != 1) {
      return corrupt(fmt::format("{} global models (expected one)", n_models));
    }
    for (uint64_t i = 0; i < n_models; ++i) {
      SnapshotModel model;
      model.key = in.string();
      model.records = in.value<uint64_t>();
      (void)in.flag();  // dirty
      model.bytes = in.string();
      for (int skipped = 0; skipped < 3; ++skipped) {  // background model, detector, metrics
        if (in.flag()) (void)in.string();
      }
      found.models.push_back(std::move(model));
    }
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
  return found;
}

namespace {

bool same_labels(const LabelEncoder& a, const LabelEncoder& b) {
  if (a.size() != b.size() || a.positive() != b.positive() || a.negative() != b.negative() ||
      a.pos_label() != b.pos_label()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a.name(static_cast<ClassId>(i)) != b.name(static_cast<ClassId>(i))) return false;
  }
  return true;
}

void add_stats(LearnerStats& to, const LearnerStats& s) {
  to.records += s.records;
  to.predictions += s.predictions;
  to.labelled += s.labelled;
  to.joined += s.joined;
  to.learned += s.learned;
  to.scored += s.scored;
  to.expired += s.expired;
  to.expired_overflow += s.expired_overflow;
  to.replaced += s.replaced;
  to.unmatched_labels += s.unmatched_labels;
  to.bad_labels += s.bad_labels;
  to.keys_created += s.keys_created;
  to.keys_evicted += s.keys_evicted;
  to.drifts += s.drifts;
  to.warnings += s.warnings;
  to.metrics_rows += s.metrics_rows;
}

}  // namespace

Status LearnerStage::restore(StateReader& in) { return read_state(in, nullptr, true); }

Status LearnerStage::restore_rescaled(const std::vector<std::string>& snapshots,
                                      const stream::PartitionFilter& keep) {
  if (!options_.per_key) return Operator::restore_rescaled(snapshots, keep);
  if (options_.key_field != keep.field) {
    return Status::unimplemented(fmt::format(
        "its models are keyed by '{}', not by the key_by field '{}', so they cannot be moved "
        "between partitions: restart with the parallelism of the checkpoint",
        options_.key_field, keep.field));
  }
  for (size_t i = 0; i < snapshots.size(); ++i) {
    std::istringstream is(snapshots[i]);
    StateReader in(is);
    RIVULET_RETURN_IF_ERROR(read_state(in, &keep, i == 0));
  }
  return Status();
}

// The value of a per-key model's key, back from its text (key_text), to route it.
Value LearnerStage::key_value(const std::string& key) const {
  switch (key_type_) {
    case Type::kInt: {
      int64_t v = 0;
      const auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
      if (ec == std::errc() && end == key.data() + key.size()) return Value::of_int(v);
      break;
    }
    case Type::kDouble:
      return Value::of_double(std::strtod(key.c_str(), nullptr));
    case Type::kBool:
      return Value::of_bool(key == "true");
    default:
      break;
  }
  return Value::of_string(key);
}

Status LearnerStage::read_state(StateReader& in, const stream::PartitionFilter* keep,
                                bool first) {
  RIVULET_DCHECK(opened_);
  auto corrupt = [this](std::string_view why) {
    return Status::data_loss(fmt::format("step '{}': cannot restore: {}", name(), why));
  };
  // Rescaling: the keys (and their pending predictions) this partition holds now.
  const auto mine = [&](const std::string& key) {
    return keep == nullptr || keep->accepts(key_value(key));
  };
  try {
    std::string magic, spec;
    uint32_t version = 0;
    uint8_t mode = 0;
    bool per_key = false;
    std::vector<std::string> metric_names;
    in(magic, version, mode, spec, per_key, metric_names);
    if (magic != kSnapshotMagic) return corrupt("not a learner stage's state");
    if (version != kSnapshotVersion) return corrupt(fmt::format("state version {}", version));
    std::vector<std::string> names;
    for (const auto& m : metrics_->all) names.push_back(m->name());
    if (mode != static_cast<uint8_t>(options_.mode) || spec != spec_ ||
        per_key != options_.per_key || metric_names != names) {
      return corrupt(fmt::format("the state is of another configuration ({} '{}')",
                                 learner_mode_name(static_cast<LearnerMode>(mode % 3)), spec));
    }

    if (first) {
      slots_.clear();
      slot_of_.clear();
      free_slots_.clear();
      dirty_.clear();
      lru_head_ = lru_tail_ = kNone;
      pending_->clear();
    }
    uint64_t n_slots = 0;
    in(n_slots);
    if (!options_.per_key && n_slots != 1) return corrupt("expected one global model");
    for (uint64_t i = 0; i < n_slots; ++i) {
      auto slot = std::make_unique<Slot>();
      std::string bytes;
      in(slot->key, slot->records, slot->dirty, bytes);
      auto model = ml::Model::load_bytes(bytes, "snapshot");
      if (!model.ok()) return corrupt(model.status().message());
      slot->model = std::make_unique<ml::Model>(std::move(model).value());
      slot->binding = features_->bind(slot->model->space());
      bool has_background = false;
      in(has_background);
      if (has_background) {
        in(bytes);
        auto bg = ml::Model::load_bytes(bytes, "snapshot");
        if (!bg.ok()) return corrupt(bg.status().message());
        slot->background = std::make_unique<ml::Model>(std::move(bg).value());
        slot->background_binding = features_->bind(slot->background->space());
      }
      bool has_detector = false;
      in(has_detector);
      if (has_detector != (detector_proto_ != nullptr)) return corrupt("drift detector mismatch");
      if (has_detector) {
        in(bytes);
        slot->detector = detector_proto_->clone();
        load_nested(bytes, [&slot](StateReader& r) { slot->detector->load(r); });
      }
      bool has_metrics = false;
      in(has_metrics);
      if (has_metrics) {
        in(bytes);
        slot->metrics =
            metrics_->clone_fresh(task_ == ml::Task::kAnomalyDetection ? nullptr : &labels_);
        load_nested(bytes, [&slot](StateReader& r) {
          for (auto& m : slot->metrics->all) m->load(r);
        });
      }
      slot->live = true;
      slot->dirty = false;
      if (!mine(slot->key)) continue;
      if (options_.per_key && slot_of_.count(slot->key) != 0) return corrupt("duplicate key");
      const auto index = static_cast<uint32_t>(slots_.size());
      if (options_.per_key) slot_of_.emplace(slot->key, index);
      slots_.push_back(std::move(slot));
      if (options_.per_key) touch(index);
    }

    LearnerStats s;
    in(s.records, s.predictions, s.labelled, s.joined, s.learned, s.scored, s.expired,
       s.expired_overflow, s.replaced, s.unmatched_labels, s.bad_labels, s.keys_created,
       s.keys_evicted, s.drifts, s.warnings, s.metrics_rows);
    uint64_t records_at_emit = 0;
    int64_t last_emit_ms = 0;
    bool emit_clock_started = false;
    in(records_at_emit, last_emit_ms, emit_clock_started);
    LabelEncoder labels;
    in(labels);
    if (first) {
      labels_ = std::move(labels);
    } else if (!same_labels(labels, labels_)) {
      // Class ids are the stage's; the partitions' must agree for their models, metrics and
      // pending predictions to move.
      return Status::unimplemented(
          "the partitions numbered their classes differently, so the per-key models cannot be "
          "moved between partitions: restart with the parallelism of the checkpoint");
    }
    int_labels_.clear();
    if (keep == nullptr) {
      for (auto& m : metrics_->all) m->load(in);
      stats_ = s;
      records_at_emit_ = records_at_emit;
      last_emit_ms_ = last_emit_ms;
      emit_clock_started_ = emit_clock_started;
    } else {
      // Rescaling: the counts add up; the stage-wide metrics (of each old partition's rows)
      // cannot be split or merged, so they start afresh.
      auto scratch = metrics_->clone_fresh(task_ == ml::Task::kAnomalyDetection ? nullptr : &labels_);
      for (auto& m : scratch->all) m->load(in);
      if (first) {
        stats_ = s;
      } else {
        add_stats(stats_, s);
      }
      records_at_emit_ = 0;
      last_emit_ms_ = last_emit_ms;
      emit_clock_started_ = emit_clock_started;
    }
    // The models' classes in the stage's ids, now that the stage's labels are back.
    for (auto& slot : slots_) sync_labels(*slot);

    std::vector<std::string> dirty;
    in(dirty);
    for (const auto& key : dirty) {
      auto it = slot_of_.find(key);
      if (it == slot_of_.end()) continue;
      slots_[it->second]->dirty = true;
      dirty_.push_back(it->second);
    }

    uint64_t n_pending = 0;
    in(n_pending);
    std::vector<uint8_t> types;
    std::vector<Value> scalars;
    std::vector<std::string> strings;
    for (uint64_t i = 0; i < n_pending; ++i) {
      std::string id, key;
      uint64_t n_values = 0;
      in(id, key, n_values);
      if (n_values != features_->fields().size()) return corrupt("pending row of another width");
      types.assign(n_values, 0);
      scalars.assign(n_values, Value());
      strings.assign(n_values, std::string());
      size_t bytes = 0;
      for (uint64_t k = 0; k < n_values; ++k) {
        in(types[k]);
        switch (static_cast<Type>(types[k])) {
          case Type::kNull:
            break;
          case Type::kBool: {
            bool b = false;
            in(b);
            scalars[k] = Value::of_bool(b);
            break;
          }
          case Type::kInt: {
            int64_t v = 0;
            in(v);
            scalars[k] = Value::of_int(v);
            break;
          }
          case Type::kDouble: {
            double v = 0;
            in(v);
            scalars[k] = Value::of_double(v);
            break;
          }
          case Type::kString:
            in(strings[k]);
            bytes += strings[k].size();
            break;
          default:
            return corrupt("bad value type");
        }
      }
      Pending skipped;
      const bool keep_it = !options_.per_key || mine(key);
      const uint64_t hash = PendingTable::hash_of(id);
      if (keep_it && pending_->find(id, hash) != PendingTable::kNone) {
        return corrupt("duplicate pending id");
      }
      Pending& p = keep_it ? pending_->at(pending_->insert(id, hash)) : skipped;
      p.key = key;
      p.values.clear();
      p.text.clear();
      p.text.reserve(bytes);
      for (uint64_t k = 0; k < n_values; ++k) {
        if (static_cast<Type>(types[k]) != Type::kString) {
          p.values.push_back(scalars[k]);
          continue;
        }
        const size_t at = p.text.size();
        p.text.append(strings[k]);
        p.values.push_back(
            Value::of_string(std::string_view(p.text).substr(at, strings[k].size())));
      }
      in(p.can_score, p.learned, p.predicted, p.predicted_value, p.decision, p.proba, p.deadline_ms,
         p.event_time);
    }
    uint64_t end = 0;
    in(end);
    if (end != kSnapshotEnd) return corrupt("no end mark after the pending predictions");
  } catch (const std::exception& e) {
    return corrupt(e.what());
  }
  return Status();
}

}  // namespace rivulet::pipeline
