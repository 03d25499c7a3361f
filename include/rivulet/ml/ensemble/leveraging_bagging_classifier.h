#pragma once
/// Leveraging bagging (Bifet, Holmes, Pfahringer), River's
/// `ensemble.LeveragingBaggingClassifier(model, n_models=10, w=6, adwin_delta=0.002,
/// bagging_method='bag', seed=None)`: online bagging with more resampling, and an ADWIN per
/// member on its 0/1 error. Member i learns each sample k times, k by `bagging_method`:
/// - 'bag': k ~ Poisson(w);
/// - 'me': k = 1 if member i (before learning) misclassifies the sample, else 1 with probability
///   e / (1 - e) where e is its ADWIN's error estimate (0 when e = 1);
/// - 'half': k = 1 or 0 with probability 1/2 each (resampling without replacement);
/// - 'wt': k = 1 + Poisson(1) (every member sees every sample);
/// - 'subag': k = 1 if Poisson(1) > 0, else 0 (subagging).
/// Then it predicts the sample; when it can, its ADWIN reads the error. If some member's ADWIN
/// detected a drift with its error estimate rising, the member whose ADWIN estimates the highest
/// error (the first on ties) is replaced by a fresh copy of the base learner with a fresh ADWIN.
/// Probabilities are BaggingClassifier's (members' sum over its total).
/// River's version has no output codes (MOA's `-o`, off by default there): each member learns
/// the real labels, multi-class bases included.
/// Randomness: the draws of all members come first, in member order (for 'me', one uniform per
/// member, used only when needed), so members may learn in any order.
/// The base learner is any registered classifier given as a spec; River's default for `model` is
/// none, ours is naive_bayes.GaussianNB().
/// Thread safety: none; members learn in parallel on the model's threads when it has some.
/// Reference: A. Bifet, G. Holmes, B. Pfahringer, "Leveraging bagging for evolving data
/// streams", ECML PKDD 2010.
/// ```cpp example
/// auto model = rivulet::ml::Model::create(
///     "ensemble.LeveragingBaggingClassifier(model=naive_bayes.GaussianNB(), n_models=3, "
///     "bagging_method='me', seed=42)").value();
/// const auto a = model.labels().intern("a"), b = model.labels().intern("b");
/// const auto f = model.space().intern("x");
/// for (int i = 0; i < 50; ++i) {
///   model.learn_one(rivulet::Features{{f, -1.0 - i % 3}}, a);
///   model.learn_one(rivulet::Features{{f, 1.0 + i % 3}}, b);
/// }
/// EXPECT_EQ(model.predict_one(rivulet::Features{{f, 2.0}}), b);
/// EXPECT_FALSE(rivulet::ml::Model::create(
///     "ensemble.LeveragingBaggingClassifier(bagging_method='bagg')").ok());
/// ```

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "rivulet/ml/ensemble/wrapper_ensemble.h"

namespace rivulet::ml {

/// The ADWINs, replacements and vote: ADWINWatchedEnsemble's.
class LeveragingBaggingClassifier final : public ADWINWatchedEnsemble {
 public:
  enum class BaggingMethod { kBag, kMe, kHalf, kWt, kSubag };
  struct Options {
    EstimatorMaker model = {};   ///< Builds a fresh member. REQUIRES: set; builds classifiers.
    int64_t n_models = 10;       ///< Number of members. REQUIRES: >= 2 (as River's Ensemble).
    double w = 6.0;              ///< Poisson rate of 'bag'. REQUIRES: > 0.
    double adwin_delta = 0.002;  ///< Delta of the members' ADWINs. REQUIRES: 0 < delta < 1.
    BaggingMethod bagging_method = BaggingMethod::kBag;  ///< How k is drawn (class comment).
    uint64_t seed = 0;  ///< Seed of the draws (and of unseeded members).
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails or the maker fails.
  static Result<std::unique_ptr<LeveragingBaggingClassifier>> create(Options options);
  static Result<std::unique_ptr<LeveragingBaggingClassifier>> from_params(Params& p);
  /// 'bag', 'me', 'half', 'wt' or 'subag'. Errors: kInvalidArgument naming the valid options.
  static Result<BaggingMethod> parse_bagging_method(std::string_view text);

  std::string_view name() const override { return "ensemble.LeveragingBaggingClassifier"; }

 private:
  explicit LeveragingBaggingClassifier(const Options& options);
  void draw_weights() override;
  // Member i's part of learn_one: its weight ('me'), learning, prediction and ADWIN update.
  void learn_member(size_t i) override;

  double w_;
  BaggingMethod method_;
  std::vector<double> u_;  // for 'me': this sample's uniform draw per member
};

}  // namespace rivulet::ml
