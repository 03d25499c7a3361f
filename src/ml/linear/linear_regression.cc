#include "rivulet/ml/linear/linear_regression.h"

namespace rivulet::ml {

Result<std::unique_ptr<LinearRegression>> LinearRegression::create(Options options) {
  RIVULET_RETURN_IF_ERROR(Glm::validate(options, "linear_model.LinearRegression"));
  return std::make_unique<LinearRegression>(std::move(options));
}

Result<std::unique_ptr<LinearRegression>> LinearRegression::from_params(Params& p) {
  Options o = Glm::read_params(p);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

void LinearRegression::learn_one(const Features& x, double y) {
  glm_.learn(x, [y](double raw) { return squared_loss_gradient(y, raw); });
}

void LinearRegression::learn_weighted(const Features& x, double y, double w) {
  glm_.learn(x, [y, w](double raw) { return squared_loss_gradient(y, raw) * w; });
}

void LinearRegression::describe(Description& out) const {
  glm_.describe(out, [this](FeatureIndex i) { return feature_name(i); });
}

}  // namespace rivulet::ml
