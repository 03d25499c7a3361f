#pragma once
/// Early Drift Detection Method, River's `drift.EDDM(warm_start=30, alpha=0.95, beta=0.9)`
/// (River 0.12's streamlined version, later `drift.binary.EDDM`). Reads a stream of bits
/// (1 = error) and follows the distance between consecutive errors: its running mean p' and
/// standard deviation s' (ddof 1). Once more than warm_start values were seen, the largest
/// p' + 2 s' is kept; after more than warm_start errors, a ratio (p' + 2 s') / max below beta is
/// a drift, below alpha a warning. The warning is only re-evaluated at errors; the update after
/// a drift starts from scratch.
/// Thread safety: none.
/// Reference: M. Baena-Garcia et al., "Early drift detection method", 4th International Workshop
/// on Knowledge Discovery from Data Streams, 2006.
/// ```cpp example
/// auto eddm = rivulet::ml::EDDM::create({.alpha = 0.8, .beta = 0.75}).value();
/// int first = -1;
/// for (int i = 0; i < 3000 && first < 0; ++i) {
///   eddm->update(i < 2000 ? (i % 20 == 19) : (i % 2 == 0));  // an error every 20, then every 2
///   if (eddm->drift_detected()) first = i;
/// }
/// EXPECT_EQ(first, 2502);  // the mean distance since the start falls slowly
/// ```

#include <cstdint>
#include <memory>
#include <string_view>

#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/stats/var.h"

namespace rivulet::ml {

class EDDM final : public DriftDetector {
 public:
  struct Options {
    int64_t warm_start = 30;  ///< Values and errors seen before any test. REQUIRES: >= 0.
    double alpha = 0.95;      ///< Warning below this ratio. REQUIRES: 0 < alpha <= 1, >= beta.
    double beta = 0.9;        ///< Drift below this ratio. REQUIRES: 0 < beta <= alpha.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<EDDM>> create(Options options);
  static Result<std::unique_ptr<EDDM>> from_params(Params& p);
  explicit EDDM(Options options) : options_(options) {}

  std::string_view name() const override { return "drift.EDDM"; }
  void update(double x) override;
  bool drift_detected() const override { return drift_detected_; }
  bool warning_detected() const override { return warning_detected_; }
  void reset() override;
  std::unique_ptr<DriftDetector> clone() const override { return std::make_unique<EDDM>(options_); }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  const Options& options() const { return options_; }

 private:
  Options options_;
  stats::Var distances_;  // between consecutive errors, ddof 1
  int64_t n_ = 0;
  int64_t last_error_ = 0;
  int64_t n_errors_ = 0;
  double p2s_max_ = -1.0;
  bool drift_detected_ = false;
  bool warning_detected_ = false;
};

}  // namespace rivulet::ml
