#include "rivulet/ml/evaluate/prequential.h"

namespace rivulet::ml {

PrequentialEvaluator::PrequentialEvaluator(Model& model, std::vector<std::unique_ptr<Metric>> metrics,
                                           const PrequentialOptions& options)
    : model_(model), metrics_(std::move(metrics)), options_(options) {
  for (auto& m : metrics_) {
    m->attach(&model_.labels());
    needs_proba_ = needs_proba_ || m->needs_proba();
    if (m->task() == MetricTask::kClassification) {
      class_metrics_.push_back(static_cast<ClassificationMetric*>(m.get()));
    } else {
      value_metrics_.push_back(static_cast<RegressionMetric*>(m.get()));
    }
  }
}

void PrequentialEvaluator::score(const Pending& p) {
  if (!p.can_score) return;
  ++scored_;
  for (auto* m : class_metrics_) m->update(p.y_class, p.predicted, p.proba);
  for (auto* m : value_metrics_) m->update(p.y_value, p.predicted_value);
}

void PrequentialEvaluator::answer(Pending& p) {
  score(p);
  if (model_.task() == Task::kClassification) {
    model_.learn_one(p.x, p.y_class);
  } else {
    model_.learn_value(p.x, p.y_value);
  }
}

void PrequentialEvaluator::learn_class(const Features& x, ClassId y) {
  ++samples_;
  if (options_.delay == 0) {
    current_.y_class = y;
    auto predicted = model_.predict_then_learn(x, y, needs_proba_ ? &current_.proba : nullptr);
    current_.can_score = predicted.has_value();
    current_.predicted = predicted.value_or(kNoClass);
    score(current_);
    return;
  }
  Pending p;
  if (!free_.empty()) {
    p = std::move(free_.back());
    free_.pop_back();
  }
  p.x = x;
  p.y_class = y;
  const std::optional<ClassId> predicted = model_.predict(x, needs_proba_ ? &p.proba : nullptr);
  p.can_score = predicted.has_value();
  p.predicted = predicted.value_or(kNoClass);
  queue_.push_back(std::move(p));
  if (queue_.size() > options_.delay) {
    answer(queue_.front());
    free_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void PrequentialEvaluator::learn_value(const Features& x, double y) {
  ++samples_;
  if (options_.delay == 0) {
    current_.y_value = y;
    current_.predicted_value = model_.predict_then_learn_value(x, y);
    current_.can_score = true;
    score(current_);
    return;
  }
  Pending p;
  if (!free_.empty()) {
    p = std::move(free_.back());
    free_.pop_back();
  }
  p.x = x;
  p.y_value = y;
  p.predicted_value = model_.predict_value(x);
  p.can_score = true;
  queue_.push_back(std::move(p));
  if (queue_.size() > options_.delay) {
    answer(queue_.front());
    free_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void PrequentialEvaluator::finish() {
  while (!queue_.empty()) {
    answer(queue_.front());
    queue_.pop_front();
  }
}

}  // namespace rivulet::ml
