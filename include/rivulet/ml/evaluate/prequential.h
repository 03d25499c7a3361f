#pragma once
/// Prequential (test-then-train) evaluation with River's semantics (`evaluate.progressive_val_score`):
/// each sample is first predicted, then learned. Metrics are updated only when the model could
/// predict (a classifier before its first update is skipped; the model still learns). With a
/// delay of N, the label of sample t arrives after sample t+N has been predicted, as River's
/// `delay`: the metric is updated with the prediction made at t, and the model learns then.
/// Thread safety: none.
/// ```cpp example
/// auto model = rivulet::ml::Model::create("naive_bayes.GaussianNB").value();
/// std::vector<std::unique_ptr<rivulet::ml::Metric>> metrics;
/// metrics.push_back(rivulet::ml::make_metric("Accuracy").value());
/// rivulet::ml::PrequentialEvaluator eval(model, std::move(metrics), {});
/// const auto x = model.space().intern("x");
/// const auto a = model.labels().intern("a");
/// eval.learn_class(rivulet::Features{{x, 1.0}}, a);  // cannot predict yet: not scored
/// eval.learn_class(rivulet::Features{{x, 1.1}}, a);
/// EXPECT_EQ(eval.samples(), 2u);
/// EXPECT_EQ(eval.scored(), 1u);
/// EXPECT_EQ(eval.metric(0).get(), 1.0);
/// ```

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {

struct PrequentialOptions {
  size_t delay = 0;  ///< Samples between a prediction and the arrival of its label.
};

class PrequentialEvaluator {
 public:
  /// REQUIRES: every metric's task matches the model's task. `model` outlives the evaluator.
  PrequentialEvaluator(Model& model, std::vector<std::unique_ptr<Metric>> metrics,
                       const PrequentialOptions& options);

  /// One classification sample. REQUIRES: model.task() == kClassification.
  void learn_class(const Features& x, ClassId y);
  /// One regression sample. REQUIRES: model.task() == kRegression.
  void learn_value(const Features& x, double y);
  /// Delivers the labels still waiting (end of the stream), as River's simulate_qa does.
  void finish();

  uint64_t samples() const { return samples_; }
  /// Samples whose prediction was scored.
  uint64_t scored() const { return scored_; }
  size_t n_metrics() const { return metrics_.size(); }
  const Metric& metric(size_t i) const { return *metrics_[i]; }

 private:
  struct Pending {
    Features x;
    ClassId y_class = 0;
    double y_value = 0.0;
    bool can_score = false;
    ClassId predicted = kNoClass;
    double predicted_value = 0.0;
    std::vector<double> proba;
  };
  void score(const Pending& p);
  void answer(Pending& p);

  Model& model_;
  std::vector<std::unique_ptr<Metric>> metrics_;
  std::vector<ClassificationMetric*> class_metrics_;
  std::vector<RegressionMetric*> value_metrics_;
  PrequentialOptions options_;
  bool needs_proba_ = false;
  std::deque<Pending> queue_;
  std::vector<Pending> free_;  // recycled buffers: no allocation per sample in steady state
  Pending current_;
  uint64_t samples_ = 0;
  uint64_t scored_ = 0;
};

}  // namespace rivulet::ml
