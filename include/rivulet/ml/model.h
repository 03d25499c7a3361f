#pragma once
/// A model: a spec's pipeline of transformers ending in a classifier, a regressor, an anomaly
/// detector or a clusterer (the task follows from the last step), with the feature space and
/// label encoder it learned, saved and loaded as one versioned file.
///
/// Semantics are River's `compose.Pipeline`: predicting (predict_*, score_one) first updates the
/// unsupervised transformers with x, then transforms and predicts; learning transforms with the
/// current transformer state and updates the final estimator only. Anomaly detectors and
/// clusterers learn without a label (learn_unlabeled), as River's `score_one` then `learn_one`.
/// `docs/model-format.md` gives the bytes of a saved model.
/// Thread safety: none; one model per thread or key.
/// ```cpp example
/// auto model = rivulet::ml::Model::create("preprocessing.StandardScaler | linear_model.LogisticRegression").value();
/// rivulet::Features x;
/// x.push(model.space().intern("x"), 2.0);
/// auto up = model.labels().intern("up");
/// model.learn_one(x, up);
/// EXPECT_EQ(model.task(), rivulet::ml::Task::kClassification);
/// EXPECT_EQ(model.spec(), "preprocessing.StandardScaler | linear_model.LogisticRegression");
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/labels.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/estimator.h"

namespace rivulet::ml {

class AnomalyFilter;

enum class Task { kClassification, kRegression, kAnomalyDetection, kClustering };
std::string_view task_name(Task task);

struct ModelOptions {
  std::optional<uint64_t> seed;  ///< seed of every stochastic step without its own `seed=`
  std::string pos_label;         ///< positive label of binary tasks; empty: the LabelEncoder rule
  std::string target;            ///< name of the target column it was trained on (metadata)
};

class Model {
 public:
  /// Parses and builds `spec`. Errors: kInvalidArgument naming the column for a bad spec, an
  /// unknown name, a bad parameter, or a pipeline whose steps before the last are not all
  /// transformers, or whose last step is a transformer.
  static Result<Model> create(std::string_view spec, const ModelOptions& options = {});
  /// Loads a file written by save(). Errors: kNotFound, kDataLoss (bad magic, version, checksum
  /// or truncated state), kInvalidArgument (the stored spec no longer builds).
  static Result<Model> load(const std::string& path);
  /// Writes the model to `path` (through a temporary file and a rename). Errors: kUnavailable.
  Status save(const std::string& path) const;
  /// The same, into bytes / from bytes. `expected`: room to make for the bytes at the start (a
  /// snapshot passes the last size, so that a large model's bytes are not copied as they grow).
  std::string save_bytes(size_t expected = 0) const;
  /// save_bytes in two halves, for a checkpoint whose pause should hold only the first:
  /// the model's state (walking it) into bytes that are not yet a model file, written into
  /// the memory of `storage` (bytes it returned before, or none: see StateBuffer) with room
  /// for `expected`; then, anywhere later, those bytes made into the file save_bytes writes
  /// (header and checksum).
  std::string save_unsealed(std::string storage, size_t expected) const;
  static void seal(std::string& unsealed);
  static Result<Model> load_bytes(std::string_view bytes, std::string_view origin = "model");

  Model(Model&&) noexcept = default;
  Model& operator=(Model&&) noexcept = default;
  ~Model();

  /// Trains the members of ensembles on `threads` threads (0 or 1: the caller's only). Results
  /// do not depend on it. Not saved with the model.
  void set_threads(unsigned threads);
  unsigned threads() const { return parallel_ ? parallel_->threads() : 1; }

  const std::string& spec() const { return spec_; }
  const ModelOptions& options() const { return options_; }
  void set_target(std::string target) { options_.target = std::move(target); }
  Task task() const { return task_; }
  FeatureSpace& space() { return *space_; }
  const FeatureSpace& space() const { return *space_; }
  LabelEncoder& labels() { return *labels_; }
  const LabelEncoder& labels() const { return *labels_; }
  size_t n_steps() const { return transformers_.size() + 1; }
  const Estimator& step(size_t i) const;
  /// Number of learn_one calls so far (the model version of predictions).
  uint64_t n_learned() const { return n_learned_; }

  // Classification. REQUIRES: task() == kClassification. Each predict call updates the
  // unsupervised steps once (River): to get both the label and the probabilities of one sample,
  // call predict(x, &proba), not predict_proba_one and predict_one.
  std::optional<ClassId> predict_one(const Features& x);
  /// The label and, when `proba` is not null, the probabilities, from one transform of x.
  std::optional<ClassId> predict(const Features& x, std::vector<double>* proba);
  bool predict_proba_one(const Features& x, std::vector<double>& proba);
  void learn_one(const Features& x, ClassId y);
  // Regression. REQUIRES: task() == kRegression.
  double predict_value(const Features& x);
  void learn_value(const Features& x, double y);

  /// Test-then-train in one pass: the prediction (and probabilities when `proba` is not null)
  /// that predict would give, then learning from y, transforming x once. Same result as
  /// predict_one followed by learn_one.
  std::optional<ClassId> predict_then_learn(const Features& x, ClassId y, std::vector<double>* proba);
  double predict_then_learn_value(const Features& x, double y);

  // Anomaly detection. REQUIRES: task() == kAnomalyDetection.
  /// The anomaly score of x (higher: more anomalous; the scale is the detector's).
  double score_one(const Features& x);
  /// True when the last step is an anomaly filter (anomaly.ThresholdFilter, QuantileFilter),
  /// which turns scores into decisions.
  bool has_decision() const { return filter_ != nullptr; }
  /// The filter's decision for a score, in its current state; nullopt without a filter.
  std::optional<bool> classify(double score) const;
  /// Score-then-learn in one pass: the score score_one would give and, with a filter, its
  /// decision (made before learning, as River's `classify(score_one(x))` then `learn_one(x)`),
  /// then learning x. Same result as score_one, classify, then learn_unlabeled.
  double score_then_learn(const Features& x, std::optional<bool>* anomaly = nullptr);

  // Clustering. REQUIRES: task() == kClustering.
  /// The index of x's cluster.
  int predict_cluster(const Features& x);
  /// predict_cluster then learn_unlabeled, transforming x once.
  int predict_then_learn_cluster(const Features& x);

  /// Learns x without a label. REQUIRES: task() is kAnomalyDetection or kClustering.
  void learn_unlabeled(const Features& x);

 private:
  Model() = default;
  const Features& transform(const Features& x, bool learn_unsupervised);
  std::optional<ClassId> predict_transformed(const Features& z, std::vector<double>* proba);
  void attach_all();

  std::string spec_;
  ModelOptions options_;
  Task task_ = Task::kClassification;
  std::unique_ptr<FeatureSpace> space_;
  std::unique_ptr<LabelEncoder> labels_;
  std::vector<std::unique_ptr<Transformer>> transformers_;
  std::unique_ptr<Estimator> final_;
  Classifier* classifier_ = nullptr;
  Regressor* regressor_ = nullptr;
  AnomalyDetector* detector_ = nullptr;
  AnomalyFilter* filter_ = nullptr;  // detector_ when it is a filter
  Clusterer* clusterer_ = nullptr;
  uint64_t n_learned_ = 0;
  std::unique_ptr<ParallelFor> parallel_;
  Features buffers_[2];
  std::vector<double> scratch_;
};

}  // namespace rivulet::ml
