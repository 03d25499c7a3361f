#include "rivulet/ml/ensemble/bagging_regressor.h"

#include "ml/ensemble/members.h"

namespace rivulet::ml {

Result<std::unique_ptr<BaggingRegressor>> BaggingRegressor::create(Options options) {
  return with_members(std::unique_ptr<BaggingRegressor>(new BaggingRegressor()),
                      std::move(options));
}

Result<std::unique_ptr<BaggingRegressor>> BaggingRegressor::from_params(Params& p) {
  return create_from<BaggingRegressor>(p, "linear_model.LinearRegression()",
                                       "the regressor to bag");
}

double BaggingRegressor::predict_one(const Features& x) const {
  // statistics.mean: the sum over the count.
  double sum = 0.0;
  for (size_t i = 0; i < members_->size(); ++i) sum += (*members_)[i].predict_one(x);
  return sum / static_cast<double>(members_->size());
}

}  // namespace rivulet::ml
