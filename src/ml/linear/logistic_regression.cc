#include "rivulet/ml/linear/logistic_regression.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rivulet/ml/optim/sgd.h"

namespace rivulet::ml {

double log_loss_gradient(bool y, double raw) {
  // As River's optim.losses.Log: y in {-1, 1}, gradient -y * sigmoid(-y * raw), with the
  // same cut-offs for large |z|.
  const double sign = y ? 1.0 : -1.0;
  const double z = raw * sign;
  if (z > 18.0) return -sign * std::exp(-z);
  if (z < -18.0) return -sign;
  return -sign / (std::exp(z) + 1.0);
}

LogisticRegression::LogisticRegression(Options options)
    : options_(std::move(options)), intercept_(options_.intercept_init) {
  if (!options_.optimizer) options_.optimizer = std::make_unique<SGD>(SGD::Options{0.01});
}

Result<std::unique_ptr<LogisticRegression>> LogisticRegression::create(Options options) {
  auto bad = [](std::string_view what) {
    return Status::invalid_argument(fmt::format("linear_model.LogisticRegression: {}", what));
  };
  if (!(options.l2 >= 0)) return bad("l2 must be >= 0");
  if (!(options.l1 >= 0)) return bad("l1 must be >= 0");
  if (!(options.intercept_lr >= 0)) return bad("intercept_lr must be >= 0");
  if (!(options.clip_gradient > 0)) return bad("clip_gradient must be > 0");
  return std::make_unique<LogisticRegression>(std::move(options));
}

Result<std::unique_ptr<LogisticRegression>> LogisticRegression::from_params(Params& p) {
  Options o;
  o.optimizer = p.optimizer("optimizer", "optim.SGD(0.01)", "optimizer of the weights");
  o.l2 = p.number("l2", o.l2, "L2 penalty, >= 0");
  o.l1 = p.number("l1", o.l1, "L1 penalty (cumulative), >= 0");
  o.intercept_init = p.number("intercept_init", o.intercept_init, "initial intercept");
  o.intercept_lr = p.number("intercept_lr", o.intercept_lr, "intercept learning rate, >= 0");
  o.clip_gradient = p.number("clip_gradient", o.clip_gradient, "bound on the loss gradient, > 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

double LogisticRegression::raw_dot(const Features& x) const {
  double dot = 0.0;
  const size_t n = weights_.size();
  for (const auto& [i, xi] : x) {
    if (i < n) dot += weights_[i] * xi;
  }
  return dot + intercept_;
}

double LogisticRegression::predict_positive(const Features& x) const { return sigmoid(raw_dot(x)); }

void LogisticRegression::learn_binary(const Features& x, bool y) {
  const FeatureIndex bound = x.index_bound();
  if (bound > weights_.size()) weights_.resize(bound, 0.0);
  options_.optimizer->look_ahead(weights_, x);

  double g = log_loss_gradient(y, raw_dot(x));
  g = std::clamp(g, -options_.clip_gradient, options_.clip_gradient);
  gradient_.clear();
  for (const auto& [i, xi] : x) {
    gradient_.push(i, options_.l2 != 0.0 ? g * xi + options_.l2 * weights_[i] : g * xi);
  }
  intercept_ -= options_.intercept_lr * g;
  const double lr = options_.optimizer->learning_rate();
  options_.optimizer->step(weights_, gradient_);

  if (options_.l1 != 0.0 && options_.l2 == 0.0) {
    if (bound > cum_l1_.size()) cum_l1_.resize(bound, 0.0);
    max_cum_l1_ += options_.l1 * lr;
    for (const auto& f : x) {
      double& w = weights_[f.index];
      const double before = w;
      if (before > 0) {
        w = std::max(0.0, before - (max_cum_l1_ + cum_l1_[f.index]));
      } else if (before < 0) {
        w = std::min(0.0, before + (max_cum_l1_ - cum_l1_[f.index]));
      }
      cum_l1_[f.index] += w - before;
    }
  }
}

void LogisticRegression::save(StateWriter& out) const {
  out(weights_, intercept_, max_cum_l1_, cum_l1_);
  options_.optimizer->save(out);
}

void LogisticRegression::load(StateReader& in) {
  in(weights_, intercept_, max_cum_l1_, cum_l1_);
  options_.optimizer->load(in);
}

void LogisticRegression::describe(Description& out) const {
  out.add("intercept", intercept_);
  for (FeatureIndex i = 0; i < weights_.size(); ++i) {
    if (weights_[i] != 0.0) out.add("weight[" + feature_name(i) + "]", weights_[i]);
  }
}

}  // namespace rivulet::ml
