#pragma once
/// Page-Hinkley test, River's `drift.PageHinkley(min_instances=30, delta=0.005, threshold=50.0,
/// alpha=1 - 0.0001, mode="both")` (River 0.12.1): the cumulative deviations of the values from
/// their running mean, faded by alpha, minus (for increases) or plus (for decreases) delta; a
/// drift when one of them moves more than `threshold` away from its extreme, once min_instances
/// values were seen. As in River, the update after a drift starts from scratch, and the largest
/// sum of decreases starts at -1 (River's initial value), not at -infinity.
/// Thread safety: none.
/// Reference: E. S. Page, "Continuous inspection schemes", Biometrika 41(1/2), 1954.
/// ```cpp example
/// auto ph = rivulet::ml::PageHinkley::create({}).value();
/// int first = -1;
/// for (int i = 0; i < 2000 && first < 0; ++i) {
///   ph->update(i < 1000 ? (i % 2) : 4 + (i % 4));  // mean 0.5, then 5.5
///   if (ph->drift_detected()) first = i;
/// }
/// EXPECT_GT(first, 1000);
/// EXPECT_LT(first, 1020);
/// ```

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/stats/mean.h"

namespace rivulet::ml {

class PageHinkley final : public DriftDetector {
 public:
  enum class Mode { kUp, kDown, kBoth };
  struct Options {
    int64_t min_instances = 30;  ///< Values seen before any test. REQUIRES: >= 0.
    double delta = 0.005;        ///< Tolerated deviation. REQUIRES: >= 0.
    double threshold = 50.0;     ///< Drift threshold (lambda). REQUIRES: > 0.
    double alpha = 1 - 0.0001;   ///< Fading factor of the sums. REQUIRES: 0 <= alpha <= 1.
    Mode mode = Mode::kBoth;     ///< Detect increases ("up"), decreases ("down") or "both".
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<PageHinkley>> create(Options options);
  /// `mode` is one of "up", "down", "both".
  static Result<std::unique_ptr<PageHinkley>> from_params(Params& p);
  explicit PageHinkley(Options options);

  std::string_view name() const override { return "drift.PageHinkley"; }
  void update(double x) override;
  bool drift_detected() const override { return drift_detected_; }
  void reset() override;
  std::unique_ptr<DriftDetector> clone() const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// The running mean of the values since the last reset.
  double mean() const { return mean_.get(); }
  const Options& options() const { return options_; }

 private:
  void clear_state();

  Options options_;
  stats::Mean mean_;
  double sum_increase_ = 0.0;
  double sum_decrease_ = 0.0;
  double min_increase_ = 0.0;
  double max_decrease_ = 0.0;
  bool drift_detected_ = false;
};

}  // namespace rivulet::ml
