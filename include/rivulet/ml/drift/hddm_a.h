#pragma once
/// Drift detection with Hoeffding's bound and a moving-average test, River's
/// `drift.HDDM_A(drift_confidence=0.001, warning_confidence=0.005, two_sided_test=False)`
/// (River 0.12's streamlined version, later `drift.binary.HDDM_A`; MOA's HDDM_A_Test). Reads a
/// stream of bits (1 = error): the running mean Z of everything, and the prefix means X_min
/// (X_max) taken where the Hoeffding bound says the mean was lowest (highest); a drift (warning)
/// when Z - X_min exceeds the bound at drift_confidence (warning_confidence), and with
/// two_sided_test also when X_max - Z does. The update after a drift starts from scratch.
/// Thread safety: none.
/// Reference: I. Frias-Blanco et al., "Online and non-parametric drift detection methods based
/// on Hoeffding's bounds", IEEE TKDE 27(3), 2015.
/// ```cpp example
/// auto hddm = rivulet::ml::HDDM_A::create({}).value();
/// int first = -1;
/// for (int i = 0; i < 2000 && first < 0; ++i) {
///   hddm->update(i < 1000 ? (i % 10 == 0) : (i % 2 == 0));  // error rate 10%, then 50%
///   if (hddm->drift_detected()) first = i;
/// }
/// EXPECT_GT(first, 1000);
/// EXPECT_LT(first, 1100);
/// ```

#include <memory>
#include <string_view>

#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/stats/mean.h"

namespace rivulet::ml {

class HDDM_A final : public DriftDetector {  // NOLINT(readability-identifier-naming): River's name
 public:
  struct Options {
    double drift_confidence = 0.001;    ///< Confidence of the drift test. REQUIRES: in (0, 1).
    double warning_confidence = 0.005;  ///< Confidence of the warning test. REQUIRES: in (0, 1).
    bool two_sided_test = false;        ///< Also detect decreases of the mean.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<HDDM_A>> create(Options options);
  static Result<std::unique_ptr<HDDM_A>> from_params(Params& p);
  explicit HDDM_A(Options options) : options_(options) {}

  std::string_view name() const override { return "drift.HDDM_A"; }
  void update(double x) override;
  bool drift_detected() const override { return drift_detected_; }
  bool warning_detected() const override { return warning_detected_; }
  void reset() override;
  std::unique_ptr<DriftDetector> clone() const override {
    return std::make_unique<HDDM_A>(options_);
  }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// The mean of the values since the last reset.
  double mean() const { return z_.get(); }
  const Options& options() const { return options_; }

 private:
  double hoeffding_bound(double n) const;
  bool mean_increased(double confidence) const;
  bool mean_decreased(double confidence) const;

  Options options_;
  stats::Mean x_min_;
  stats::Mean x_max_;
  stats::Mean z_;
  bool drift_detected_ = false;
  bool warning_detected_ = false;
};

}  // namespace rivulet::ml
