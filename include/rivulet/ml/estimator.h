#pragma once
/// The learner interfaces, in River's vocabulary: transformers (`learn_one(x)`,
/// `transform_one(x)`), classifiers (`learn_one(x, y)`, `predict_proba_one(x)`, `predict_one(x)`)
/// and regressors (`learn_one(x, y)`, `predict_one(x)`).
///
/// Every estimator: is created from an Options struct validated once (`create` returns
/// kInvalidArgument), is deterministic for a given seed, never mutates its input, tolerates new,
/// missing and reordered features (parameters live in vectors indexed by feature index and grow
/// when a new index appears), and saves and restores its whole state.
/// Thread safety: none; the runtime gives each model its own instances.

#include <fmt/format.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/labels.h"
#include "rivulet/core/parallel_for.h"
#include "rivulet/core/state.h"

namespace rivulet::ml {

enum class EstimatorKind { kTransformer, kClassifier, kRegressor, kAnomalyDetector, kClusterer };

/// What an estimator may see of the model it belongs to. The pointers outlive the estimator.
struct ModelContext {
  FeatureSpace* space = nullptr;
  const LabelEncoder* labels = nullptr;
  /// Threads for the independent members of an ensemble (`--threads`); nullptr: one thread.
  /// Ensembles attach their members with a context whose `parallel` is nullptr.
  ParallelFor* parallel = nullptr;
};

/// A readable account of what an estimator has learned, for `rivulet inspect`: ordered
/// (key, value) lines.
class Description {
 public:
  void add(std::string key, std::string value) { items_.emplace_back(std::move(key), std::move(value)); }
  void add(std::string key, double value);
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// How much a feature served an estimator's decisions (trees and forests): the number of splits
/// on it and the total impurity (or variance) reduction those splits achieved, each weighted by
/// the share of samples that reached the split node.
struct FeatureImportance {
  FeatureIndex feature = 0;
  double splits = 0;
  double impurity_reduction = 0;
};

class Estimator {
 public:
  virtual ~Estimator() = default;
  virtual EstimatorKind kind() const = 0;
  /// The registry name, e.g. "linear_model.LogisticRegression".
  virtual std::string_view name() const = 0;
  /// Called once by the model before any learning, and again after a load.
  virtual void attach(const ModelContext& context) { context_ = context; }
  /// Writes the learned state (not the options: those come from the spec).
  virtual void save(StateWriter& out) const = 0;
  /// Restores what save() wrote. Throws cereal's exceptions on truncated input; Model::load turns
  /// them into kDataLoss.
  virtual void load(StateReader& in) = 0;
  /// Describes the learned state for `rivulet inspect`.
  virtual void describe(Description& out) const { (void)out; }
  /// Appends the estimator's feature importances (one entry per feature used), for estimators
  /// that have them; others append nothing.
  virtual void feature_importances(std::vector<FeatureImportance>& out) const { (void)out; }
  /// The learned structure as indented text (a tree's branches and leaves, down to `max_depth`),
  /// or empty for estimators without one.
  virtual std::string draw(size_t max_depth) const {
    (void)max_depth;
    return {};
  }

 protected:
  /// The feature's name, for describe().
  std::string feature_name(FeatureIndex i) const {
    return context_.space != nullptr && i < context_.space->size() ? context_.space->name(i)
                                                                   : fmt::format("#{}", i);
  }
  ModelContext context_;
};

class Transformer : public Estimator {
 public:
  EstimatorKind kind() const final { return EstimatorKind::kTransformer; }
  /// Updates the transformer's statistics with x (unsupervised).
  virtual void learn_one(const Features& x) = 0;
  /// Writes the transformed x into `out` (cleared first). REQUIRES: &out != &x.
  virtual void transform_one(const Features& x, Features& out) const = 0;
};

class Classifier : public Estimator {
 public:
  EstimatorKind kind() const final { return EstimatorKind::kClassifier; }
  virtual void learn_one(const Features& x, ClassId y) = 0;
  /// Fills `proba`, indexed by class id and sized to the number of classes the label encoder
  /// knows, and returns true; or returns false when the model cannot predict yet (River's empty
  /// dict), e.g. a naive Bayes model before its first update.
  virtual bool predict_proba_one(const Features& x, std::vector<double>& proba) const = 0;
  /// The most probable class (the first seen on ties), nullopt when the model cannot predict
  /// yet, or kNoClass when it predicts a label the encoder has not seen yet. `scratch` is reused.
  virtual std::optional<ClassId> predict_one(const Features& x, std::vector<double>& scratch) const;
};

/// A classifier of two classes, true and false, as River's binary learners are. The positive
/// class is the label encoder's; every other class is false.
class BinaryClassifier : public Classifier {
 public:
  /// The probability that x belongs to the positive class.
  virtual double predict_positive(const Features& x) const = 0;
  virtual void learn_binary(const Features& x, bool y) = 0;

  void learn_one(const Features& x, ClassId y) final {
    learn_binary(x, context_.labels != nullptr && context_.labels->positive() == y);
  }
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const final;
  /// As River: true when p(true) > p(false), so a tie predicts false.
  std::optional<ClassId> predict_one(const Features& x, std::vector<double>& scratch) const final;
};

class Regressor : public Estimator {
 public:
  EstimatorKind kind() const final { return EstimatorKind::kRegressor; }
  virtual void learn_one(const Features& x, double y) = 0;
  virtual double predict_one(const Features& x) const = 0;
};

/// An anomaly detector, River's `anomaly` module: `score_one(x)` is higher for more anomalous
/// samples; the scale is the detector's (HalfSpaceTrees: in [0, 1]).
class AnomalyDetector : public Estimator {
 public:
  EstimatorKind kind() const final { return EstimatorKind::kAnomalyDetector; }
  /// Updates the detector with x (unsupervised).
  virtual void learn_one(const Features& x) = 0;
  virtual double score_one(const Features& x) const = 0;
};

/// An online clusterer, River's `cluster` module: `predict_one(x)` is the index of x's cluster.
class Clusterer : public Estimator {
 public:
  EstimatorKind kind() const final { return EstimatorKind::kClusterer; }
  virtual void learn_one(const Features& x) = 0;
  virtual int predict_one(const Features& x) const = 0;
};

/// Grows `v` with `fill` so that `index` is valid. Parameters indexed by feature index use this;
/// it allocates only when a feature index is seen for the first time.
template <typename T>
inline void ensure_index(std::vector<T>& v, FeatureIndex index, const T& fill = T()) {
  if (index >= v.size()) v.resize(static_cast<size_t>(index) + 1, fill);
}

}  // namespace rivulet::ml
