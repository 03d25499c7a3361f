#include "rivulet/ml/linear/perceptron.h"

#include "rivulet/ml/optim/sgd.h"

namespace rivulet::ml {
namespace {

GlmOptions perceptron_glm(const Perceptron::Options& options) {
  GlmOptions o;
  o.optimizer = std::make_unique<SGD>(SGD::Options{1.0});
  o.l2 = options.l2;
  o.intercept_lr = 1.0;
  o.clip_gradient = options.clip_gradient;
  return o;
}

}  // namespace

Perceptron::Perceptron(const Options& options) : glm_(perceptron_glm(options)) {}

Result<std::unique_ptr<Perceptron>> Perceptron::create(const Options& options) {
  RIVULET_RETURN_IF_ERROR(Glm::validate(perceptron_glm(options), "linear_model.Perceptron"));
  return std::make_unique<Perceptron>(options);
}

Result<std::unique_ptr<Perceptron>> Perceptron::from_params(Params& p) {
  Options o;
  o.l2 = p.number("l2", o.l2, "L2 penalty, >= 0");
  o.clip_gradient = p.number("clip_gradient", o.clip_gradient, "bound on the loss gradient, > 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void Perceptron::learn_binary(const Features& x, bool y) {
  glm_.learn(x, [y](double raw) { return hinge_loss_gradient(y, raw, 0.0); });
}

void Perceptron::describe(Description& out) const {
  glm_.describe(out, [this](FeatureIndex i) { return feature_name(i); });
}

}  // namespace rivulet::ml
