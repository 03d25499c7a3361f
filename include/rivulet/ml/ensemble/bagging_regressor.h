#pragma once
/// Online bagging for regression (Oza and Russell), River's `ensemble.BaggingRegressor(model,
/// n_models=10, seed=None)`: every member learns each sample k times, k drawn from Poisson(1)
/// (one draw per member and sample, in member order, from the ensemble's random source); the
/// prediction is the mean of the members' predictions.
/// The base learner is any registered regressor given as a spec; River's default for `model` is
/// none, ours is linear_model.LinearRegression() (River's unit-test choice).
/// Thread safety: none; members learn in parallel on the model's threads when it has some.
/// Reference: N. Oza, S. Russell, "Online bagging and boosting", AISTATS 2001.
/// ```cpp example
/// auto model = rivulet::ml::Model::create(
///     "ensemble.BaggingRegressor(model=linear_model.LinearRegression(optimizer=optim.SGD(0.1), "
///     "intercept_lr=0.1), "
///     "n_models=3, seed=42)").value();
/// const auto f = model.space().intern("x");
/// for (int i = 0; i < 500; ++i) {
///   const double x = (i % 10) / 10.0;
///   model.learn_value(rivulet::Features{{f, x}}, 2.0 * x + 1.0);
/// }
/// EXPECT_NEAR(model.predict_value(rivulet::Features{{f, 0.5}}), 2.0, 0.1);
/// ```

#include <memory>
#include <string_view>

#include "rivulet/ml/ensemble/wrapper_ensemble.h"

namespace rivulet::ml {

/// Options: WrapperEnsemble's (model, n_models, seed); learning: its default online bagging.
class BaggingRegressor final : public WrapperEnsemble<Regressor> {
 public:
  /// Returns kInvalidArgument if a REQUIRES clause fails or the maker fails.
  static Result<std::unique_ptr<BaggingRegressor>> create(Options options);
  static Result<std::unique_ptr<BaggingRegressor>> from_params(Params& p);

  std::string_view name() const override { return "ensemble.BaggingRegressor"; }
  double predict_one(const Features& x) const override;

 private:
  BaggingRegressor() = default;
};

}  // namespace rivulet::ml
