#pragma once
/// ADWIN bagging (Bifet et al.), River's `ensemble.ADWINBaggingClassifier(model, n_models=10,
/// seed=None)`: online bagging (as BaggingClassifier: each member learns a sample k ~ Poisson(1)
/// times, probabilities averaged) with one ADWIN (default delta 0.002) per member watching its
/// 0/1 error. After every member has learned and predicted the sample (a member that cannot
/// predict counts as wrong), if some member's ADWIN detected a drift with its error estimate
/// rising, the member whose ADWIN estimates the highest error (the first on ties) is replaced by
/// a fresh copy of the base learner, with a fresh ADWIN.
/// River 0.12.1 feeds ADWIN the correctness (y_pred == y) instead of the error, so that it
/// replaces the most accurate member when accuracy rises; the paper and MOA's OzaBagAdwin feed
/// the error, as here.
/// The base learner is any registered classifier given as a spec; River's default for `model` is
/// none, ours is naive_bayes.GaussianNB().
/// Thread safety: none; members learn in parallel on the model's threads when it has some.
/// Reference: A. Bifet, G. Holmes, B. Pfahringer, R. Kirkby, R. Gavalda, "New ensemble methods
/// for evolving data streams", KDD 2009.
/// ```cpp example
/// auto model = rivulet::ml::Model::create(
///     "ensemble.ADWINBaggingClassifier(model=naive_bayes.GaussianNB(), n_models=3, seed=42)")
///     .value();
/// const auto a = model.labels().intern("a"), b = model.labels().intern("b");
/// const auto f = model.space().intern("x");
/// for (int i = 0; i < 50; ++i) {
///   model.learn_one(rivulet::Features{{f, -1.0 - i % 3}}, a);
///   model.learn_one(rivulet::Features{{f, 1.0 + i % 3}}, b);
/// }
/// EXPECT_EQ(model.predict_one(rivulet::Features{{f, 2.0}}), b);
/// ```

#include <memory>
#include <string_view>

#include "rivulet/ml/ensemble/wrapper_ensemble.h"

namespace rivulet::ml {

/// Options: WrapperEnsemble's (model, n_models, seed); the ADWINs, replacements and vote:
/// ADWINWatchedEnsemble's.
class ADWINBaggingClassifier final : public ADWINWatchedEnsemble {
 public:
  /// Returns kInvalidArgument if a REQUIRES clause fails or the maker fails.
  static Result<std::unique_ptr<ADWINBaggingClassifier>> create(Options options);
  static Result<std::unique_ptr<ADWINBaggingClassifier>> from_params(Params& p);

  std::string_view name() const override { return "ensemble.ADWINBaggingClassifier"; }

 private:
  ADWINBaggingClassifier() = default;
  void learn_member(size_t i) override;
};

}  // namespace rivulet::ml
