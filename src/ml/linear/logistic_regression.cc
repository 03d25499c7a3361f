#include "rivulet/ml/linear/logistic_regression.h"

namespace rivulet::ml {

LogisticRegression::LogisticRegression(Options options) : glm_(std::move(options)) {}

Result<std::unique_ptr<LogisticRegression>> LogisticRegression::create(Options options) {
  RIVULET_RETURN_IF_ERROR(Glm::validate(options, "linear_model.LogisticRegression"));
  return std::make_unique<LogisticRegression>(std::move(options));
}

Result<std::unique_ptr<LogisticRegression>> LogisticRegression::from_params(Params& p) {
  Options o = Glm::read_params(p);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

double LogisticRegression::predict_positive(const Features& x) const {
  return sigmoid(glm_.raw_dot(x));
}

void LogisticRegression::learn_binary(const Features& x, bool y) {
  glm_.learn(x, [y](double raw) { return log_loss_gradient(y, raw); });
}

void LogisticRegression::save(StateWriter& out) const { glm_.save(out); }

void LogisticRegression::load(StateReader& in) { glm_.load(in); }

void LogisticRegression::describe(Description& out) const {
  glm_.describe(out, [this](FeatureIndex i) { return feature_name(i); });
}

}  // namespace rivulet::ml
