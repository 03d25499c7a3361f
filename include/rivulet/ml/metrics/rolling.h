#pragma once
/// A metric over the `window_size` most recent samples, River's `metrics.Rolling(metric,
/// window_size)` (`utils.Rolling` in later versions): the samples are kept in a ring buffer,
/// and once it is full each update first reverts the oldest one from the wrapped metric, then
/// updates it with the new one. The value is therefore the wrapped metric's over the window,
/// with whatever exactness its revert has (exact for the counting metrics and ROCAUC, up to
/// rounding for the running means and R2).
///
/// create() returns a RollingClassificationMetric or a RollingRegressionMetric, after the
/// wrapped metric's task. Probabilities are kept only when the wrapped metric reads them. The
/// buffer grows to window_size + 1 entries, then updates allocate nothing (unless a sample
/// brings more class probabilities than any before it). The extra entry keeps the sample that
/// the last update evicted, so that revert() of that update restores the window exactly.
/// Thread safety: none.
/// ```cpp example
/// // River's docstring: Rolling(MSE(), window_size=2) gives 0.25, 0.25, 0.125, 0.5.
/// auto metric = rivulet::ml::Rolling::create(rivulet::ml::MSE::create().value(),
///                                            {.window_size = 2}).value();
/// EXPECT_EQ(metric->name(), "Rolling(MSE, 2)");
/// auto& rolling = static_cast<rivulet::ml::RegressionMetric&>(*metric);
/// const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
/// const double expected[] = {0.25, 0.25, 0.125, 0.5};
/// for (int i = 0; i < 4; ++i) {
///   rolling.update(truth[i], pred[i]);
///   EXPECT_EQ(metric->get(), expected[i]);
/// }
/// ```

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class Rolling {
 public:
  struct Options {
    int64_t window_size = 1000;  ///< Most recent samples the value is computed on. REQUIRES: >= 1.
  };
  /// Wraps `metric`. Returns kInvalidArgument if a REQUIRES clause fails or `metric` is null.
  static Result<std::unique_ptr<Metric>> create(std::unique_ptr<Metric> metric,
                                                const Options& options);
  /// River's signature: `Rolling(metric, window_size=1000)`; `metric` defaults to Accuracy.
  static Result<std::unique_ptr<Metric>> from_params(Params& p);
};

namespace internal {

// Positions in the ring buffer of a rolling metric: the window is `count` slots from `head`,
// and, right after an update that evicted, the slot before `head` still holds the evicted one.
struct RollingRing {
  size_t window = 1;
  size_t capacity = 2;  // window + 1
  size_t head = 0;
  size_t count = 0;
  bool evicted = false;

  size_t next() const { return (head + count) % capacity; }
  size_t newest() const { return (head + count + capacity - 1) % capacity; }
  template <class Archive>
  void serialize(Archive& ar) {
    uint64_t w = window, h = head, c = count;
    ar(w, h, c, evicted);
    window = w;
    capacity = w + 1;
    head = h;
    count = c;
  }
};

}  // namespace internal

/// Rolling(metric) for a classification metric; see Rolling.
/// Thread safety: none.
class RollingClassificationMetric final : public ClassificationMetric {
 public:
  /// REQUIRES: metric != nullptr, window_size >= 1 (Rolling::create checks both).
  RollingClassificationMetric(std::unique_ptr<ClassificationMetric> metric, size_t window_size);

  std::string name() const override;
  double get() const override { return metric_->get(); }
  bool bigger_is_better() const override { return metric_->bigger_is_better(); }
  bool needs_proba() const override { return store_proba_; }
  void attach(const LabelEncoder* labels) override;
  std::string report() const override;
  std::unique_ptr<Metric> clone_fresh() const override;
  void update(ClassId y_true, ClassId y_pred, std::span<const double> proba) override;
  /// Takes back the most recent update (the arguments must be that update's); when that update
  /// evicted a sample, the sample comes back. Further reverts shrink the window.
  void revert(ClassId y_true, ClassId y_pred, std::span<const double> proba) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  const ClassificationMetric& metric() const { return *metric_; }
  size_t window_size() const { return ring_.window; }
  size_t size() const { return ring_.count; }  ///< samples in the window

 private:
  std::span<const double> stored_proba(size_t slot) const;
  void store(size_t slot, ClassId y_true, ClassId y_pred, std::span<const double> proba);

  std::unique_ptr<ClassificationMetric> metric_;
  bool store_proba_;
  internal::RollingRing ring_;
  std::vector<ClassId> y_true_, y_pred_;
  std::vector<uint32_t> proba_size_;
  std::vector<double> proba_;  // slot s at [s * stride_, s * stride_ + proba_size_[s])
  size_t stride_ = 0;
};

/// Rolling(metric) for a regression metric; see Rolling.
/// Thread safety: none.
class RollingRegressionMetric final : public RegressionMetric {
 public:
  /// REQUIRES: metric != nullptr, window_size >= 1 (Rolling::create checks both).
  RollingRegressionMetric(std::unique_ptr<RegressionMetric> metric, size_t window_size);

  std::string name() const override;
  double get() const override { return metric_->get(); }
  bool bigger_is_better() const override { return metric_->bigger_is_better(); }
  void attach(const LabelEncoder* labels) override;
  std::string report() const override;
  std::unique_ptr<Metric> clone_fresh() const override;
  void update(double y_true, double y_pred) override;
  /// Takes back the most recent update; see RollingClassificationMetric::revert.
  void revert(double y_true, double y_pred) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  const RegressionMetric& metric() const { return *metric_; }
  size_t window_size() const { return ring_.window; }
  size_t size() const { return ring_.count; }  ///< samples in the window

 private:
  std::unique_ptr<RegressionMetric> metric_;
  internal::RollingRing ring_;
  std::vector<double> y_true_, y_pred_;
};

}  // namespace rivulet::ml
