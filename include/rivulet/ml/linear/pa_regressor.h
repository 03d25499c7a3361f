#pragma once
/// Passive-aggressive regression, River's `linear_model.PARegressor(C=1.0, mode=1, eps=0.1,
/// learn_intercept=True)`. After predicting p = w.x + b, it moves w by s x and b by s, where
/// s = tau * sign(y - p) and tau comes from the loss and |x|^2 (see `passive_aggressive_tau` in
/// glm.h): PA (mode 0), PA-I (mode 1, capped at C) or PA-II (mode 2).
/// The loss is River 0.12's `optim.losses.EpsilonInsensitiveHinge(eps)`, which maps the target
/// to 2y - 1 before measuring the error, as its binary hinge loss does: loss =
/// max(|p - (2y - 1)| - eps, 0). rivulet keeps that so that its figures are River's; the step's
/// direction uses y itself.
/// Thread safety: none.
/// Reference: K. Crammer, O. Dekel, J. Keshet, S. Shalev-Shwartz, Y. Singer, "Online
/// passive-aggressive algorithms", JMLR 7, 2006.
/// ```cpp example
/// auto model = rivulet::ml::PARegressor::create({}).value();
/// model->learn_one(rivulet::Features{{0, 2.0}}, 1.0);
/// // p = 0, loss = |0 - 1| - 0.1 = 0.9, tau = min(1, 0.9 / 4) = 0.225, step = +0.225.
/// EXPECT_DOUBLE_EQ(model->weights()[0], 0.45);
/// EXPECT_DOUBLE_EQ(model->intercept(), 0.225);
/// EXPECT_DOUBLE_EQ(model->predict_one(rivulet::Features{{0, 1.0}}), 0.675);
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class PARegressor final : public Regressor {
 public:
  struct Options {
    double C = 1.0;    ///< Aggressiveness (cap of PA-I, softness of PA-II). REQUIRES: > 0.
    int mode = 1;      ///< 0: PA, 1: PA-I, 2: PA-II. REQUIRES: 0, 1 or 2.
    double eps = 0.1;  ///< Width of the insensitive zone. REQUIRES: >= 0.
    bool learn_intercept = true;  ///< Whether the intercept learns.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<PARegressor>> create(const Options& options);
  static Result<std::unique_ptr<PARegressor>> from_params(Params& p);

  std::string_view name() const override { return "linear_model.PARegressor"; }
  void learn_one(const Features& x, double y) override;
  double predict_one(const Features& x) const override;
  void save(StateWriter& out) const override { out(weights_, intercept_); }
  void load(StateReader& in) override { in(weights_, intercept_); }
  void describe(Description& out) const override;

  const std::vector<double>& weights() const { return weights_; }
  double intercept() const { return intercept_; }

  explicit PARegressor(const Options& options) : options_(options) {}

 private:
  Options options_;
  std::vector<double> weights_;
  double intercept_ = 0.0;
};

}  // namespace rivulet::ml
