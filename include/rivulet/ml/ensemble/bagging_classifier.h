#pragma once
/// Online bagging (Oza and Russell), River's `ensemble.BaggingClassifier(model, n_models=10,
/// seed=None)`: every member learns each sample k times, k drawn from Poisson(1) (one draw per
/// member and sample, in member order, from the ensemble's random source); the ensemble's
/// probabilities are the members' probabilities summed and divided by their total (members that
/// cannot predict yet add nothing; when none can, neither can the ensemble).
/// The base learner is any registered classifier given as a spec; see ensemble/members.h in
/// src/ for how members are seeded (River clones the base model: a seeded base spec gives every
/// member its seed). River's default for `model` is none; ours is naive_bayes.GaussianNB().
/// Thread safety: none; members learn in parallel on the model's threads when it has some.
/// Reference: N. Oza, S. Russell, "Online bagging and boosting", AISTATS 2001.
/// ```cpp example
/// auto model = rivulet::ml::Model::create(
///     "ensemble.BaggingClassifier(model=naive_bayes.GaussianNB(), n_models=3, seed=42)").value();
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
#include <vector>

#include "rivulet/ml/ensemble/wrapper_ensemble.h"

namespace rivulet::ml {

/// Options: WrapperEnsemble's (model, n_models, seed); learning: its default online bagging.
class BaggingClassifier final : public WrapperEnsemble<Classifier> {
 public:
  /// Returns kInvalidArgument if a REQUIRES clause fails or the maker fails.
  static Result<std::unique_ptr<BaggingClassifier>> create(Options options);
  static Result<std::unique_ptr<BaggingClassifier>> from_params(Params& p);

  std::string_view name() const override { return "ensemble.BaggingClassifier"; }
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;

 private:
  BaggingClassifier() = default;

  mutable std::vector<double> member_proba_;
};

}  // namespace rivulet::ml
