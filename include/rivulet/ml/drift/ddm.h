#pragma once
/// Drift Detection Method, River's `drift.DDM(warm_start=30, warning_threshold=2.0,
/// drift_threshold=3.0)` (River 0.12's streamlined version, later `drift.binary.DDM`). Reads a
/// stream of bits (1 = error): p is the running error rate, s = sqrt(p (1 - p) / n); once more
/// than warm_start values were seen, p_min and s_min are kept where p + s was smallest, and
/// p + s > p_min + warning_threshold * s_min is a warning, > p_min + drift_threshold * s_min a
/// drift (which clears the warning). The update after a drift starts from scratch.
/// Thread safety: none.
/// Reference: J. Gama, P. Medas, G. Castillo, P. Rodrigues, "Learning with drift detection",
/// SBIA 2004.
/// ```cpp example
/// auto ddm = rivulet::ml::DDM::create({}).value();
/// int first = -1;
/// for (int i = 0; i < 2000 && first < 0; ++i) {
///   ddm->update(i < 1000 ? (i % 10 == 0) : (i % 2 == 0));  // error rate 10%, then 50%
///   if (ddm->drift_detected()) first = i;
/// }
/// EXPECT_GT(first, 1000);
/// EXPECT_LT(first, 1100);
/// ```

#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>

#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/stats/mean.h"

namespace rivulet::ml {

class DDM final : public DriftDetector {
 public:
  struct Options {
    int64_t warm_start = 30;         ///< Values seen before any test. REQUIRES: >= 0.
    double warning_threshold = 2.0;  ///< Warning at p_min + this * s_min. REQUIRES: > 0.
    double drift_threshold =
        3.0;  ///< Drift at p_min + this * s_min. REQUIRES: >= warning_threshold.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<DDM>> create(Options options);
  static Result<std::unique_ptr<DDM>> from_params(Params& p);
  explicit DDM(Options options) : options_(options) {}

  std::string_view name() const override { return "drift.DDM"; }
  void update(double x) override;
  bool drift_detected() const override { return drift_detected_; }
  bool warning_detected() const override { return warning_detected_; }
  void reset() override;
  std::unique_ptr<DriftDetector> clone() const override { return std::make_unique<DDM>(options_); }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// The error rate since the last reset.
  double error_rate() const { return p_.get(); }
  const Options& options() const { return options_; }

 private:
  Options options_;
  stats::Mean p_;
  double p_min_ = 0.0;
  double s_min_ = 0.0;
  double ps_min_ = std::numeric_limits<double>::infinity();
  bool drift_detected_ = false;
  bool warning_detected_ = false;
};

}  // namespace rivulet::ml
