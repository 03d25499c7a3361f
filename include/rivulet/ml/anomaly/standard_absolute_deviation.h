#pragma once
/// River's `anomaly.StandardAbsoluteDeviation(sub_stat=stats.Mean())` (added in River 0.18; not
/// in 0.12.1): the score of a value y is |y - m| / (sigma + 1e-10), where sigma is the running
/// standard deviation (ddof=1) and m the running statistic `sub_stat` of the values learned:
/// 'mean' (River's default, stats.Mean()) or 'median' (stats.Quantile(0.5), the P² estimator of
/// stats/quantile.h). The score is not bounded (3 is the three-sigma rule's limit).
///
/// River scores the target (`learn_one(None, y)`); rivulet scores the feature named by `feature`
/// (default: the first feature of x), see univariate_detector.h.
/// Thread safety: none.
/// ```cpp example
/// auto sad = rivulet::ml::StandardAbsoluteDeviation::create({}).value();
/// for (double v : {1.0, 2.0, 3.0}) sad->learn_one(rivulet::Features{{0, v}});
/// EXPECT_NEAR(sad->score_one(rivulet::Features{{0, 5.0}}), 3.0, 1e-9);  // (5 - 2) / 1
/// ```

#include <memory>
#include <string>

#include "rivulet/ml/anomaly/univariate_detector.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/stats/quantile.h"

namespace rivulet::ml {

class StandardAbsoluteDeviation final : public UnivariateAnomalyDetector {
 public:
  struct Options {
    std::string sub_stat = "mean";  ///< The statistic subtracted. REQUIRES: 'mean' or 'median'.
    std::string feature;            ///< The feature scored; empty: the first feature of x.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<StandardAbsoluteDeviation>> create(const Options& options);
  static Result<std::unique_ptr<StandardAbsoluteDeviation>> from_params(Params& p);

  std::string_view name() const override { return "anomaly.StandardAbsoluteDeviation"; }
  void learn_one(const Features& x) override;
  double score_one(const Features& x) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// The score of a value, as score_one gives it for an x holding that value.
  double score_value(double y) const;

  explicit StandardAbsoluteDeviation(const Options& options);

 private:
  double center() const;

  Options options_;
  // River's stats.Var() (with its own stats.Mean) and the subtracted stats.Mean.
  double n_ = 0.0, var_mean_ = 0.0, s_ = 0.0;
  double sub_n_ = 0.0, sub_mean_ = 0.0;
  stats::Quantile median_{0.5};  // sub_stat == 'median'
};

}  // namespace rivulet::ml
