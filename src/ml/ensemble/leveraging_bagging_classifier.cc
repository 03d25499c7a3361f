#include "rivulet/ml/ensemble/leveraging_bagging_classifier.h"

#include <fmt/format.h>

#include <string>

#include "ml/ensemble/members.h"

namespace rivulet::ml {

LeveragingBaggingClassifier::LeveragingBaggingClassifier(const Options& options)
    : w_(options.w), method_(options.bagging_method) {}

Result<LeveragingBaggingClassifier::BaggingMethod>
LeveragingBaggingClassifier::parse_bagging_method(std::string_view text) {
  if (text == "bag") return BaggingMethod::kBag;
  if (text == "me") return BaggingMethod::kMe;
  if (text == "half") return BaggingMethod::kHalf;
  if (text == "wt") return BaggingMethod::kWt;
  if (text == "subag") return BaggingMethod::kSubag;
  return Status::invalid_argument(fmt::format(
      "ensemble.LeveragingBaggingClassifier: invalid bagging_method '{}' (valid options: 'bag', "
      "'me', 'half', 'wt', 'subag')",
      text));
}

Result<std::unique_ptr<LeveragingBaggingClassifier>> LeveragingBaggingClassifier::create(
    Options options) {
  auto bad = [](std::string_view what, double value) {
    return Status::invalid_argument(
        fmt::format("ensemble.LeveragingBaggingClassifier: {}, got {}", what, value));
  };
  std::unique_ptr<LeveragingBaggingClassifier> model(new LeveragingBaggingClassifier(options));
  RIVULET_RETURN_IF_ERROR(model->check_n_models(options.n_models));
  if (!(options.w > 0.0)) return bad("w must be > 0", options.w);
  if (!(options.adwin_delta > 0.0 && options.adwin_delta < 1.0)) {
    return bad("adwin_delta must be in (0, 1)", options.adwin_delta);
  }
  RIVULET_RETURN_IF_ERROR(model->init(std::move(options.model), options.n_models, options.seed,
                                      {.delta = options.adwin_delta}));
  model->u_.assign(model->n_models(), 0.0);
  return model;
}

Result<std::unique_ptr<LeveragingBaggingClassifier>> LeveragingBaggingClassifier::from_params(
    Params& p) {
  Options o;
  o.model = p.estimator_maker("model", "naive_bayes.GaussianNB()", "the classifier to bag");
  o.n_models = p.integer("n_models", o.n_models, "number of members, >= 2");
  o.w = p.number("w", o.w, "Poisson rate of the resampling weights ('bag'), > 0");
  o.adwin_delta = p.number("adwin_delta", o.adwin_delta, "delta of the members' ADWIN, in (0, 1)");
  const std::string method =
      p.string("bagging_method", "bag", "'bag', 'me', 'half', 'wt' or 'subag'");
  o.seed = p.seed(0, "seed of the resampling weights (and of members without their own seed)");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(o.bagging_method, parse_bagging_method(method));
  return create(std::move(o));
}

void LeveragingBaggingClassifier::draw_weights() {
  // For 'me', one uniform per member, used only when needed.
  for (size_t i = 0; i < k_.size(); ++i) {
    switch (method_) {
      case BaggingMethod::kBag:
        k_[i] = rng_.poisson(w_);
        break;
      case BaggingMethod::kMe:
        u_[i] = rng_.uniform();
        break;
      case BaggingMethod::kHalf:
        k_[i] = rng_.below(2) == 0 ? 1 : 0;
        break;
      case BaggingMethod::kWt:
        k_[i] = 1 + rng_.poisson(1.0);
        break;
      case BaggingMethod::kSubag:
        k_[i] = rng_.poisson(1.0) > 0 ? 1 : 0;
        break;
    }
  }
}

void LeveragingBaggingClassifier::learn_member(size_t i) {
  Classifier& m = (*members_)[i];
  if (method_ == BaggingMethod::kMe) {
    // Weight 1 when misclassified, else 1 with probability error / (1 - error).
    const double error = detector(i).estimation();
    if (m.predict_one(*x_, scratch_[i]) != y_) {
      k_[i] = 1;
    } else {
      k_[i] = error != 1.0 && u_[i] < error / (1.0 - error) ? 1 : 0;
    }
  }
  WrapperEnsemble::learn_member(i);
  const auto predicted = m.predict_one(*x_, scratch_[i]);
  if (predicted) watch(i, *predicted != y_);  // River skips the update when it cannot predict
}

}  // namespace rivulet::ml
