#pragma once
/// Online boosting (Oza and Russell), River's `ensemble.AdaBoostClassifier(model, n_models=10,
/// seed=None)`. Learning one sample: lambda starts at 1; member i learns it k times with k drawn
/// from Poisson(lambda), then predicts it; if right, correct_i += lambda and lambda *= (correct_i
/// + wrong_i) / (2 correct_i), else wrong_i += lambda and lambda *= (correct_i + wrong_i) /
/// (2 wrong_i), and lambda goes on to member i + 1 (the members are sequential by nature).
/// Predicting: member i's probabilities, normalized, are scaled by its weight and summed, and the
/// sum is normalized. With epsilon_i = (wrong_i + 1e-16) / (correct_i + wrong_i + 1e-16), the
/// weight is 1 when epsilon_i is 0 or above 0.5, else log((1 - epsilon_i) / epsilon_i) (River's
/// rule, kept: a member no better than chance votes with weight 1).
/// The base learner is any registered classifier given as a spec; River's default for `model` is
/// none, ours is naive_bayes.GaussianNB().
/// Thread safety: none.
/// Reference: N. Oza, S. Russell, "Online bagging and boosting", AISTATS 2001.
/// ```cpp example
/// auto model = rivulet::ml::Model::create(
///     "ensemble.AdaBoostClassifier(model=naive_bayes.GaussianNB(), n_models=3, seed=42)").value();
/// const auto a = model.labels().intern("a"), b = model.labels().intern("b");
/// const auto f = model.space().intern("x");
/// for (int i = 0; i < 50; ++i) {
///   model.learn_one(rivulet::Features{{f, -1.0 - i % 3}}, a);
///   model.learn_one(rivulet::Features{{f, 1.0 + i % 3}}, b);
/// }
/// EXPECT_EQ(model.predict_one(rivulet::Features{{f, -2.0}}), a);
/// ```

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "rivulet/ml/ensemble/wrapper_ensemble.h"

namespace rivulet::ml {

/// Options: WrapperEnsemble's (model, n_models, seed); learning: its own (sequential) learn_one.
class AdaBoostClassifier final : public WrapperEnsemble<Classifier> {
 public:
  /// Returns kInvalidArgument if a REQUIRES clause fails or the maker fails.
  static Result<std::unique_ptr<AdaBoostClassifier>> create(Options options);
  static Result<std::unique_ptr<AdaBoostClassifier>> from_params(Params& p);

  std::string_view name() const override { return "ensemble.AdaBoostClassifier"; }
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;

  /// The lambda mass of the samples member i predicted right / wrong after learning them.
  double correct_weight(size_t i) const { return correct_[i]; }
  double wrong_weight(size_t i) const { return wrong_[i]; }
  /// Member i's vote weight (see the class comment).
  double model_weight(size_t i) const;

 private:
  AdaBoostClassifier() = default;
  void save_own(StateWriter& out) const override;
  void load_own(StateReader& in) override;
  void describe_own(Description& out) const override;

  std::vector<double> correct_;
  std::vector<double> wrong_;
  mutable std::vector<double> member_proba_;
  mutable std::vector<double> scratch_;
};

}  // namespace rivulet::ml
