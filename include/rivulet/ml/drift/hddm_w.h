#pragma once
/// Drift detection with McDiarmid's bound and an exponentially weighted moving-average test,
/// River's `drift.HDDM_W(drift_confidence=0.001, warning_confidence=0.005, lambda_val=0.05,
/// two_sided_test=False)` (River 0.12's streamlined version, later `drift.binary.HDDM_W`; MOA's
/// HDDM_W_Test). Reads a stream of bits (1 = error): an EWMA of everything, and EWMAs of the
/// values since the cut point where the bounded EWMA was lowest (highest); a drift (warning)
/// when the recent EWMA exceeds the one at the cut point by more than McDiarmid's bound at
/// drift_confidence (warning_confidence). Each EWMA is River's stats.EWMean (which restarts from
/// the value while it is exactly 0). The update after a drift starts from scratch.
/// Thread safety: none.
/// Reference: I. Frias-Blanco et al., "Online and non-parametric drift detection methods based
/// on Hoeffding's bounds", IEEE TKDE 27(3), 2015.
/// ```cpp example
/// auto hddm = rivulet::ml::HDDM_W::create({}).value();
/// int first = -1;
/// for (int i = 0; i < 2000 && first < 0; ++i) {
///   hddm->update(i < 1000 ? (i % 10 == 0) : (i % 2 == 0));  // error rate 10%, then 50%
///   if (hddm->drift_detected()) first = i;
/// }
/// EXPECT_GT(first, 1000);
/// EXPECT_LT(first, 1100);
/// ```

#include <limits>
#include <memory>
#include <string_view>

#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/stats/ew_mean.h"

namespace rivulet::ml {

class HDDM_W final : public DriftDetector {  // NOLINT(readability-identifier-naming): River's name
 public:
  struct Options {
    double drift_confidence = 0.001;    ///< Confidence of the drift test. REQUIRES: in (0, 1).
    double warning_confidence = 0.005;  ///< Confidence of the warning test. REQUIRES: in (0, 1).
    double lambda_val = 0.05;     ///< Weight of the newest value in the EWMAs. REQUIRES: in (0, 1].
    bool two_sided_test = false;  ///< Also detect decreases of the mean.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<HDDM_W>> create(Options options);
  static Result<std::unique_ptr<HDDM_W>> from_params(Params& p);
  explicit HDDM_W(Options options);

  std::string_view name() const override { return "drift.HDDM_W"; }
  void update(double x) override;
  bool drift_detected() const override { return drift_detected_; }
  bool warning_detected() const override { return warning_detected_; }
  void reset() override;
  std::unique_ptr<DriftDetector> clone() const override {
    return std::make_unique<HDDM_W>(options_);
  }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// The EWMA of all values since the last reset.
  double estimation() const { return total_.ewma.get(); }
  const Options& options() const { return options_; }

 private:
  // River's SampleInfo: an EWMA and its independent bounded condition sum.
  struct Sample {
    stats::EWMean ewma;
    bool is_init = false;
    double ibc = 1.0;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(ewma, is_init, ibc);
    }
  };
  Sample fresh() const { return Sample{stats::EWMean(options_.lambda_val), false, 1.0}; }
  void add(Sample& s, double x) const;
  double bound(double ibc, double confidence) const;
  bool mean_changed(const Sample& s1, const Sample& s2, double confidence) const;

  Options options_;
  double lambda_sq_;
  double c_lambda_sq_;
  Sample total_, s1_decr_, s1_incr_, s2_decr_, s2_incr_;
  double incr_cutpoint_ = std::numeric_limits<double>::infinity();
  double decr_cutpoint_ = -std::numeric_limits<double>::infinity();
  bool drift_detected_ = false;
  bool warning_detected_ = false;
};

}  // namespace rivulet::ml
