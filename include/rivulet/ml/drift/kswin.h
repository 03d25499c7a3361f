#pragma once
/// Kolmogorov-Smirnov Windowing, River's `drift.KSWIN(alpha=0.005, window_size=100,
/// stat_size=30, seed=None)` (River 0.12.1). Keeps the last window_size values; once the window
/// is full, each update draws stat_size of the oldest window_size - stat_size values without
/// replacement (Python's `random.Random(seed).sample`, reproduced bit for bit with
/// rivulet::PythonRandom, so a seed gives River's draws) and compares them with the stat_size
/// newest values by the two-sample Kolmogorov-Smirnov test (SciPy's `ks_2samp` exact p-value for
/// equal sample sizes). A drift when the p-value is <= alpha and the statistic > 0.1. The update
/// after a drift starts from scratch (empty window, generator reseeded), as in River.
/// No allocation per update: the window, the sample and the sorting buffers are kept.
/// Thread safety: none.
/// Reference: C. Raab, M. Heusinger, F.-M. Schleif, "Reactive soft prototype computing for
/// concept drift streams", Neurocomputing 416, 2020.
/// ```cpp example
/// auto kswin = rivulet::ml::KSWIN::create({.alpha = 0.0001, .seed = 42}).value();
/// int first = -1;
/// for (int i = 0; i < 2000 && first < 0; ++i) {
///   kswin->update(i < 1000 ? (i % 2) : 4 + (i % 4));  // mean 0.5, then 5.5
///   if (kswin->drift_detected()) first = i;
/// }
/// EXPECT_GE(first, 1000);
/// EXPECT_LT(first, 1030);
/// ```

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class KSWIN final : public DriftDetector {
 public:
  struct Options {
    double alpha = 0.005;       ///< Significance of the KS test. REQUIRES: 0 <= alpha <= 1.
    int64_t window_size = 100;  ///< Values kept. REQUIRES: >= 2 * stat_size.
    int64_t stat_size = 30;     ///< Size of both samples compared. REQUIRES: >= 1.
    uint64_t seed = 42;         ///< Seed of the sampling (River: seed=None draws one).
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<KSWIN>> create(Options options);
  static Result<std::unique_ptr<KSWIN>> from_params(Params& p);
  explicit KSWIN(Options options);

  std::string_view name() const override { return "drift.KSWIN"; }
  void update(double x) override;
  bool drift_detected() const override { return drift_detected_; }
  void reset() override;
  std::unique_ptr<DriftDetector> clone() const override {
    return std::make_unique<KSWIN>(options_);
  }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// The p-value of the last test (0 before the window first fills).
  double p_value() const { return p_value_; }
  const Options& options() const { return options_; }

  /// SciPy's two-sided `ks_2samp(a, b)` for samples of the same size n: the statistic (rounded
  /// to a multiple of 1/n) and the exact p-value. Sorts `a` and `b` in place.
  /// REQUIRES: a.size() == b.size() >= 1.
  static void ks_2samp(std::vector<double>& a, std::vector<double>& b, double& statistic,
                       double& p_value);

 private:
  // Python's random.Random._randbelow and .sample(range(n), k), into sample_.
  uint64_t randbelow(uint64_t n);
  void sample_indices(size_t n, size_t k);

  Options options_;
  PythonRandom rng_;
  std::vector<double> window_;  // ring: oldest at head_
  size_t head_ = 0;
  size_t count_ = 0;
  double p_value_ = 0.0;
  bool drift_detected_ = false;
  // Scratch, kept to avoid allocations.
  std::vector<size_t> pool_;
  std::vector<size_t> sample_;
  std::vector<uint8_t> taken_;
  std::vector<double> old_values_;
  std::vector<double> recent_values_;
};

}  // namespace rivulet::ml
