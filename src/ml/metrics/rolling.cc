#include "rivulet/ml/metrics/rolling.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>
#include <utility>

namespace rivulet::ml {
namespace {

std::string rolling_name(const Metric& metric, size_t window) {
  return fmt::format("Rolling({}, {})", metric.name(), window);
}

// The wrapped metric's report under the rolling name: "Rolling(MAE, 100): 1.5", or the name
// over a multi-line report such as a confusion matrix.
std::string rolling_report(const Metric& metric, const std::string& name) {
  const std::string inner = metric.report();
  const std::string inner_name = metric.name();
  if (inner.compare(0, inner_name.size(), inner_name) == 0) {
    return fmt::format("{}{}", name, std::string_view(inner).substr(inner_name.size()));
  }
  return fmt::format("{}:\n{}", name, inner);
}

template <typename T>
void put(std::vector<T>& v, size_t slot, T value) {
  if (slot == v.size()) {
    v.push_back(value);
  } else {
    v[slot] = value;
  }
}

}  // namespace

Result<std::unique_ptr<Metric>> Rolling::create(std::unique_ptr<Metric> metric,
                                                const Options& options) {
  if (metric == nullptr) return Status::invalid_argument("Rolling: a metric is required");
  if (options.window_size < 1) {
    return Status::invalid_argument(
        fmt::format("Rolling: window_size must be >= 1, got {}", options.window_size));
  }
  const auto window = static_cast<size_t>(options.window_size);
  if (metric->task() == MetricTask::kClassification) {
    std::unique_ptr<ClassificationMetric> inner(
        static_cast<ClassificationMetric*>(metric.release()));
    return std::unique_ptr<Metric>(
        std::make_unique<RollingClassificationMetric>(std::move(inner), window));
  }
  std::unique_ptr<RegressionMetric> inner(static_cast<RegressionMetric*>(metric.release()));
  return std::unique_ptr<Metric>(
      std::make_unique<RollingRegressionMetric>(std::move(inner), window));
}

Result<std::unique_ptr<Metric>> Rolling::from_params(Params& p) {
  auto metric = p.metric("metric", "metrics.Accuracy", "the metric computed over the window");
  const int64_t window = p.integer("window_size", Options{}.window_size,
                                   "number of most recent samples the metric is computed on");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(metric), {.window_size = window});
}

// --- classification -----------------------------------------------------------------------

RollingClassificationMetric::RollingClassificationMetric(
    std::unique_ptr<ClassificationMetric> metric, size_t window_size)
    : metric_(std::move(metric)), store_proba_(metric_->needs_proba()) {
  ring_.window = window_size;
  ring_.capacity = window_size + 1;
}

std::string RollingClassificationMetric::name() const {
  return rolling_name(*metric_, ring_.window);
}

void RollingClassificationMetric::attach(const LabelEncoder* labels) {
  Metric::attach(labels);
  metric_->attach(labels);
}

std::string RollingClassificationMetric::report() const { return rolling_report(*metric_, name()); }

std::unique_ptr<Metric> RollingClassificationMetric::clone_fresh() const {
  std::unique_ptr<ClassificationMetric> inner(
      static_cast<ClassificationMetric*>(metric_->clone_fresh().release()));
  auto m = std::make_unique<RollingClassificationMetric>(std::move(inner), ring_.window);
  m->attach(labels_);
  return m;
}

std::span<const double> RollingClassificationMetric::stored_proba(size_t slot) const {
  if (!store_proba_) return {};
  return {proba_.data() + slot * stride_, proba_size_[slot]};
}

void RollingClassificationMetric::store(size_t slot, ClassId y_true, ClassId y_pred,
                                        std::span<const double> proba) {
  put(y_true_, slot, y_true);
  put(y_pred_, slot, y_pred);
  if (!store_proba_) return;
  if (proba.size() > stride_) {
    // More classes than any sample before: widen every slot (rare; the only allocation once
    // the buffer is full).
    const size_t stride = proba.size();
    std::vector<double> wider(y_true_.size() * stride, 0.0);
    for (size_t s = 0; s < proba_size_.size(); ++s) {
      std::copy_n(proba_.begin() + static_cast<std::ptrdiff_t>(s * stride_), proba_size_[s],
                  wider.begin() + static_cast<std::ptrdiff_t>(s * stride));
    }
    proba_ = std::move(wider);
    stride_ = stride;
  }
  put(proba_size_, slot, static_cast<uint32_t>(proba.size()));
  if (proba_.size() < y_true_.size() * stride_) proba_.resize(y_true_.size() * stride_, 0.0);
  std::copy(proba.begin(), proba.end(),
            proba_.begin() + static_cast<std::ptrdiff_t>(slot * stride_));
}

void RollingClassificationMetric::update(ClassId y_true, ClassId y_pred,
                                         std::span<const double> proba) {
  ring_.evicted = false;
  if (ring_.count == ring_.window) {
    const size_t oldest = ring_.head;
    metric_->revert(y_true_[oldest], y_pred_[oldest], stored_proba(oldest));
    ring_.head = (ring_.head + 1) % ring_.capacity;
    --ring_.count;
    ring_.evicted = true;
  }
  metric_->update(y_true, y_pred, proba);
  store(ring_.next(), y_true, y_pred, proba);
  ++ring_.count;
}

void RollingClassificationMetric::revert(ClassId, ClassId, std::span<const double>) {
  if (ring_.count == 0) return;
  const size_t newest = ring_.newest();
  metric_->revert(y_true_[newest], y_pred_[newest], stored_proba(newest));
  --ring_.count;
  if (ring_.evicted) {
    ring_.head = (ring_.head + ring_.capacity - 1) % ring_.capacity;
    metric_->update(y_true_[ring_.head], y_pred_[ring_.head], stored_proba(ring_.head));
    ++ring_.count;
    ring_.evicted = false;
  }
}

void RollingClassificationMetric::save(StateWriter& out) const {
  out(ring_, y_true_, y_pred_, proba_size_, proba_, static_cast<uint64_t>(stride_));
  metric_->save(out);
}

void RollingClassificationMetric::load(StateReader& in) {
  const size_t window = ring_.window;
  uint64_t stride = 0;
  in(ring_, y_true_, y_pred_, proba_size_, proba_, stride);
  stride_ = static_cast<size_t>(stride);
  const bool proba_ok = !store_proba_ || (proba_size_.size() == y_true_.size() &&
                                          proba_.size() >= y_true_.size() * stride_);
  if (ring_.window != window || y_pred_.size() != y_true_.size() ||
      y_true_.size() > ring_.capacity || ring_.count > ring_.window || !proba_ok ||
      (ring_.count > 0 && ring_.head >= y_true_.size())) {
    throw cereal::Exception("Rolling: state saved with a different window or metric");
  }
  metric_->load(in);
}

// --- regression ---------------------------------------------------------------------------

RollingRegressionMetric::RollingRegressionMetric(std::unique_ptr<RegressionMetric> metric,
                                                 size_t window_size)
    : metric_(std::move(metric)) {
  ring_.window = window_size;
  ring_.capacity = window_size + 1;
}

std::string RollingRegressionMetric::name() const { return rolling_name(*metric_, ring_.window); }

void RollingRegressionMetric::attach(const LabelEncoder* labels) {
  Metric::attach(labels);
  metric_->attach(labels);
}

std::string RollingRegressionMetric::report() const { return rolling_report(*metric_, name()); }

std::unique_ptr<Metric> RollingRegressionMetric::clone_fresh() const {
  std::unique_ptr<RegressionMetric> inner(
      static_cast<RegressionMetric*>(metric_->clone_fresh().release()));
  auto m = std::make_unique<RollingRegressionMetric>(std::move(inner), ring_.window);
  m->attach(labels_);
  return m;
}

void RollingRegressionMetric::update(double y_true, double y_pred) {
  ring_.evicted = false;
  if (ring_.count == ring_.window) {
    const size_t oldest = ring_.head;
    metric_->revert(y_true_[oldest], y_pred_[oldest]);
    ring_.head = (ring_.head + 1) % ring_.capacity;
    --ring_.count;
    ring_.evicted = true;
  }
  metric_->update(y_true, y_pred);
  const size_t slot = ring_.next();
  put(y_true_, slot, y_true);
  put(y_pred_, slot, y_pred);
  ++ring_.count;
}

void RollingRegressionMetric::revert(double, double) {
  if (ring_.count == 0) return;
  const size_t newest = ring_.newest();
  metric_->revert(y_true_[newest], y_pred_[newest]);
  --ring_.count;
  if (ring_.evicted) {
    ring_.head = (ring_.head + ring_.capacity - 1) % ring_.capacity;
    metric_->update(y_true_[ring_.head], y_pred_[ring_.head]);
    ++ring_.count;
    ring_.evicted = false;
  }
}

void RollingRegressionMetric::save(StateWriter& out) const {
  out(ring_, y_true_, y_pred_);
  metric_->save(out);
}

void RollingRegressionMetric::load(StateReader& in) {
  const size_t window = ring_.window;
  in(ring_, y_true_, y_pred_);
  if (ring_.window != window || y_pred_.size() != y_true_.size() ||
      y_true_.size() > ring_.capacity || ring_.count > ring_.window ||
      (ring_.count > 0 && ring_.head >= y_true_.size())) {
    throw cereal::Exception("Rolling: state saved with a different window");
  }
  metric_->load(in);
}

}  // namespace rivulet::ml
