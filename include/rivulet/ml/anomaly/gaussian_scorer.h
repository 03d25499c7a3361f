#pragma once
/// River 0.12.1's `anomaly.GaussianScorer(window_size=None, grace_period=100)`: fits a Gaussian
/// (running mean and variance with ddof=1, River's `proba.Gaussian`; over the last
/// `window_size` values when given, River's `utils.Rolling`) to one numeric feature and scores a
/// value y as 2 * |CDF(y) - 0.5|, in [0, 1]. The score is 0 while fewer than `grace_period`
/// values are in the fit (so always 0 when window_size < grace_period, as in River), and 1 when
/// the fitted deviation is 0 (River's CDF falls back to 0 on a zero division).
///
/// River scores the target (`learn_one(None, y)`); rivulet scores the feature named by `feature`
/// (default: the first feature of x), see univariate_detector.h.
/// Thread safety: none.
/// ```cpp example
/// auto detector = rivulet::ml::GaussianScorer::create({.grace_period = 3}).value();
/// for (double v : {1.0, 2.0, 3.0}) detector->learn_one(rivulet::Features{{0, v}});
/// EXPECT_EQ(detector->score_one(rivulet::Features{{0, 2.0}}), 0.0);  // the mean
/// EXPECT_NEAR(detector->score_one(rivulet::Features{{0, 3.0}}), 0.682689, 1e-6);  // one sigma
/// ```

#include <memory>
#include <string>
#include <vector>

#include "rivulet/ml/anomaly/univariate_detector.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class GaussianScorer final : public UnivariateAnomalyDetector {
 public:
  struct Options {
    int64_t window_size = 0;     ///< Fit over the last this many values; 0: all (River's None).
                                 ///< REQUIRES: >= 0.
    int64_t grace_period = 100;  ///< Score 0 until this many values are fitted. REQUIRES: >= 0.
    std::string feature;         ///< The feature scored; empty: the first feature of x.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<GaussianScorer>> create(const Options& options);
  static Result<std::unique_ptr<GaussianScorer>> from_params(Params& p);

  std::string_view name() const override { return "anomaly.GaussianScorer"; }
  void learn_one(const Features& x) override;
  double score_one(const Features& x) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// Values in the fit, mean, and standard deviation (ddof=1) of the Gaussian.
  double n() const { return n_; }
  double mu() const { return mean_; }
  double sigma() const;
  /// The score of a value, as score_one gives it for an x holding that value.
  double score_value(double y) const;

  explicit GaussianScorer(const Options& options);

 private:
  void update(double y);
  void revert(double y);

  Options options_;
  // River's stats.Var(ddof=1) over stats.Mean: count, mean, sum of squared deviations.
  double n_ = 0.0, mean_ = 0.0, s_ = 0.0;
  // The rolling window (window_size > 0): a ring of the last values, oldest at head_.
  std::vector<double> window_;
  size_t head_ = 0;
};

}  // namespace rivulet::ml
