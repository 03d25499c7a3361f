#pragma once
/// Online metrics, as River's: `update` with one (truth, prediction) pair, `revert` to take one
/// back (what a rolling window does), `get` for the current value.
/// Thread safety: none.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rivulet/core/labels.h"
#include "rivulet/core/state.h"

namespace rivulet::ml {

enum class MetricTask { kClassification, kRegression };

class Metric {
 public:
  virtual ~Metric() = default;
  /// The display name, e.g. "Accuracy" or "Rolling(MAE, 1000)".
  virtual std::string name() const = 0;
  virtual MetricTask task() const = 0;
  /// Current value; 0 before any update unless stated otherwise.
  virtual double get() const = 0;
  virtual bool bigger_is_better() const = 0;
  /// True when the metric reads probabilities (River's `requires_labels = False`).
  virtual bool needs_proba() const { return false; }
  /// Gives the metric the label encoder, for the positive class of binary metrics. The encoder
  /// outlives the metric.
  virtual void attach(const LabelEncoder* labels) { labels_ = labels; }
  /// A multi-line report where one number says too little (a confusion matrix); else get().
  virtual std::string report() const;
  /// A fresh metric with the same options and no state (rolling windows and per-class reports).
  virtual std::unique_ptr<Metric> clone_fresh() const = 0;

  virtual void save(StateWriter& out) const = 0;
  virtual void load(StateReader& in) = 0;

 protected:
  const LabelEncoder* labels_ = nullptr;
};

/// Classification metrics. `y_pred` may be kNoClass (a label not seen yet: always wrong);
/// `proba` is indexed by class id (possibly shorter than the number of classes, missing
/// entries read as 0), and empty unless needs_proba().
class ClassificationMetric : public Metric {
 public:
  MetricTask task() const final { return MetricTask::kClassification; }
  virtual void update(ClassId y_true, ClassId y_pred, std::span<const double> proba) = 0;
  virtual void revert(ClassId y_true, ClassId y_pred, std::span<const double> proba) = 0;

 protected:
  /// The positive class of binary metrics (River's `pos_val`): the encoder's positive(), or
  /// class 1 when no encoder is attached (0/1 standing for False/True). Read at each call, so a
  /// metric follows the encoder once the positive label has been seen.
  std::optional<ClassId> positive_class() const {
    if (labels_ == nullptr) return ClassId{1};
    return labels_->positive();
  }
  /// proba[c]; 0 when `c` is past the end (a class the model had not seen) or kNoClass.
  static double proba_of(std::span<const double> proba, std::optional<ClassId> c) {
    return c.has_value() && *c < proba.size() ? proba[*c] : 0.0;
  }
};

class RegressionMetric : public Metric {
 public:
  MetricTask task() const final { return MetricTask::kRegression; }
  virtual void update(double y_true, double y_pred) = 0;
  virtual void revert(double y_true, double y_pred) = 0;
};

}  // namespace rivulet::ml
