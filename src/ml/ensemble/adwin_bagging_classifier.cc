#include "rivulet/ml/ensemble/adwin_bagging_classifier.h"

#include "ml/ensemble/members.h"

namespace rivulet::ml {

Result<std::unique_ptr<ADWINBaggingClassifier>> ADWINBaggingClassifier::create(Options options) {
  std::unique_ptr<ADWINBaggingClassifier> model(new ADWINBaggingClassifier());
  RIVULET_RETURN_IF_ERROR(
      model->init(std::move(options.model), options.n_models, options.seed, ADWIN::Options()));
  return model;
}

Result<std::unique_ptr<ADWINBaggingClassifier>> ADWINBaggingClassifier::from_params(Params& p) {
  return create_from<ADWINBaggingClassifier>(p, "naive_bayes.GaussianNB()",
                                             "the classifier to bag");
}

void ADWINBaggingClassifier::learn_member(size_t i) {
  WrapperEnsemble::learn_member(i);
  // A member that cannot predict counts as wrong.
  watch(i, (*members_)[i].predict_one(*x_, scratch_[i]) != y_);
}

}  // namespace rivulet::ml
