#include "rivulet/ml/ensemble/bagging_classifier.h"

#include "ml/ensemble/members.h"

namespace rivulet::ml {

Result<std::unique_ptr<BaggingClassifier>> BaggingClassifier::create(Options options) {
  return with_members(std::unique_ptr<BaggingClassifier>(new BaggingClassifier()),
                      std::move(options));
}

Result<std::unique_ptr<BaggingClassifier>> BaggingClassifier::from_params(Params& p) {
  return create_from<BaggingClassifier>(p, "naive_bayes.GaussianNB()", "the classifier to bag");
}

bool BaggingClassifier::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  return internal::bagging_proba(*members_, context_, x, proba, member_proba_);
}

}  // namespace rivulet::ml
