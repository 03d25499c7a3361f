#include "rivulet/ml/linear/softmax_regression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rivulet/ml/optim/sgd.h"

namespace rivulet::ml {

SoftmaxRegression::SoftmaxRegression(Options options) : options_(std::move(options)) {
  if (!options_.optimizer) options_.optimizer = std::make_unique<SGD>(SGD::Options{0.01});
}

Result<std::unique_ptr<SoftmaxRegression>> SoftmaxRegression::create(Options options) {
  if (!(options.l2 >= 0)) {
    return Status::invalid_argument(
        fmt::format("linear_model.SoftmaxRegression: l2 must be >= 0, got {}", options.l2));
  }
  return std::make_unique<SoftmaxRegression>(std::move(options));
}

Result<std::unique_ptr<SoftmaxRegression>> SoftmaxRegression::from_params(Params& p) {
  Options o;
  o.optimizer = p.optimizer("optimizer", "optim.SGD(0.01)", "optimizer of each class's weights");
  o.l2 = p.number("l2", o.l2, "L2 penalty, >= 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

const std::vector<double>& SoftmaxRegression::weights(ClassId c) const {
  static const std::vector<double> kNone;
  return c < classes_.size() ? classes_[c].weights : kNone;
}

double SoftmaxRegression::dot(const std::vector<double>& w, const Features& x) const {
  double total = 0.0;
  const size_t n = w.size();
  for (const auto& [i, xi] : x) {
    if (i < n) total += w[i] * xi;
  }
  return total;
}

void SoftmaxRegression::softmax(const Features& x, std::vector<double>& proba, size_t size) const {
  proba.assign(std::max(size, classes_.size()), 0.0);
  if (order_.empty()) return;
  // River's utils.math.softmax: shift by the largest score, exponentiate, normalise.
  double largest = -INFINITY;
  for (ClassId c : order_) {
    proba[c] = dot(classes_[c].weights, x);
    largest = std::max(largest, proba[c]);
  }
  double total = 0.0;
  for (ClassId c : order_) {
    proba[c] = std::exp(proba[c] - largest);
    total += proba[c];
  }
  for (ClassId c : order_) proba[c] /= total;
}

bool SoftmaxRegression::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  if (order_.empty()) {
    proba.clear();
    return false;
  }
  softmax(x, proba, context_.labels != nullptr ? context_.labels->size() : 0);
  return true;
}

void SoftmaxRegression::add_class(ClassId c) {
  if (c >= classes_.size()) classes_.resize(static_cast<size_t>(c) + 1);
  PerClass& k = classes_[c];
  k.learned = true;
  k.optimizer = options_.optimizer->clone_fresh();
  order_.push_back(c);
}

void SoftmaxRegression::learn_one(const Features& x, ClassId y) {
  const FeatureIndex bound = x.index_bound();
  for (ClassId c : order_) {
    PerClass& k = classes_[c];
    if (bound > k.weights.size()) k.weights.resize(bound, 0.0);
    k.optimizer->look_ahead(k.weights, x);
  }
  softmax(x, proba_, 0);
  const bool new_class = y >= classes_.size() || !classes_[y].learned;
  if (new_class) {
    add_class(y);
    classes_[y].weights.resize(bound, 0.0);
    if (proba_.size() <= y) proba_.resize(static_cast<size_t>(y) + 1, 0.0);
    proba_[y] = 0.0;
  }
  for (ClassId c : order_) {
    PerClass& k = classes_[c];
    // River's CrossEntropy gradient, probabilities clamped to [1e-15, 1 - 1e-15].
    const double p = std::clamp(proba_[c], 1e-15, 1.0 - 1e-15);
    const double loss = p - (c == y ? 1.0 : 0.0);
    gradient_.clear();
    for (const auto& [i, xi] : x) gradient_.push(i, xi * loss + options_.l2 * k.weights[i]);
    k.optimizer->step(k.weights, gradient_);
  }
}

void SoftmaxRegression::save(StateWriter& out) const {
  out(order_);
  for (ClassId c : order_) {
    out(classes_[c].weights);
    classes_[c].optimizer->save(out);
  }
}

void SoftmaxRegression::load(StateReader& in) {
  std::vector<ClassId> order;
  in(order);
  classes_.clear();
  order_.clear();
  for (ClassId c : order) {
    add_class(c);
    in(classes_[c].weights);
    classes_[c].optimizer->load(in);
  }
}

void SoftmaxRegression::describe(Description& out) const {
  for (ClassId c : order_) {
    const std::string label = context_.labels != nullptr && c < context_.labels->size()
                                  ? context_.labels->name(c)
                                  : "#" + std::to_string(c);
    const auto& w = classes_[c].weights;
    for (FeatureIndex i = 0; i < w.size(); ++i) {
      if (w[i] != 0.0) out.add("weight[" + label + "][" + feature_name(i) + "]", w[i]);
    }
  }
}

}  // namespace rivulet::ml
