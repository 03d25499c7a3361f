#include "rivulet/ml/linear/glm.h"

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

Status Glm::validate(const GlmOptions& options, std::string_view owner) {
  auto bad = [owner](std::string_view what, double value) {
    return Status::invalid_argument(fmt::format("{}: {}, got {}", owner, what, value));
  };
  if (!(options.l2 >= 0)) return bad("l2 must be >= 0", options.l2);
  if (!(options.l1 >= 0)) return bad("l1 must be >= 0", options.l1);
  if (!std::isfinite(options.intercept_init))
    return bad("intercept_init must be finite", options.intercept_init);
  if (!(options.intercept_lr >= 0)) return bad("intercept_lr must be >= 0", options.intercept_lr);
  if (!(options.clip_gradient > 0)) return bad("clip_gradient must be > 0", options.clip_gradient);
  return Status();
}

GlmOptions Glm::read_params(Params& p) {
  GlmOptions o;
  o.optimizer = p.optimizer("optimizer", "optim.SGD(0.01)", "optimizer of the weights");
  o.l2 = p.number("l2", o.l2, "L2 penalty, >= 0");
  o.l1 = p.number("l1", o.l1, "L1 penalty (cumulative; ignored when l2 > 0), >= 0");
  o.intercept_init = p.number("intercept_init", o.intercept_init, "initial intercept");
  o.intercept_lr =
      p.number("intercept_lr", o.intercept_lr, "intercept learning rate, >= 0 (0 freezes it)");
  o.clip_gradient = p.number("clip_gradient", o.clip_gradient, "bound on the loss gradient, > 0");
  return o;
}

Glm::Glm(GlmOptions options) : options_(std::move(options)), intercept_(options_.intercept_init) {
  if (!options_.optimizer) options_.optimizer = std::make_unique<SGD>(SGD::Options{0.01});
}

double Glm::raw_dot(const Features& x) const {
  double dot = 0.0;
  const size_t n = weights_.size();
  for (const auto& [i, xi] : x) {
    if (i < n) dot += weights_[i] * xi;
  }
  return dot + intercept_;
}

void Glm::prepare(const Features& x) {
  const FeatureIndex bound = x.index_bound();
  if (bound > weights_.size()) weights_.resize(bound, 0.0);
  options_.optimizer->look_ahead(weights_, x);
}

void Glm::update(const Features& x, double loss_gradient) {
  const double g = std::clamp(loss_gradient, -options_.clip_gradient, options_.clip_gradient);
  gradient_.clear();
  if (options_.l2 != 0.0) {
    for (const auto& [i, xi] : x) gradient_.push(i, g * xi + options_.l2 * weights_[i]);
  } else {
    for (const auto& [i, xi] : x) gradient_.push(i, g * xi);
  }
  intercept_ -= options_.intercept_lr * g;
  options_.optimizer->step(weights_, gradient_);

  if (options_.l1 != 0.0 && options_.l2 == 0.0) {
    if (weights_.size() > cum_l1_.size()) cum_l1_.resize(weights_.size(), 0.0);
    max_cum_l1_ += options_.l1 * options_.optimizer->learning_rate();
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

void Glm::save(StateWriter& out) const {
  out(weights_, intercept_, max_cum_l1_, cum_l1_);
  options_.optimizer->save(out);
}

void Glm::load(StateReader& in) {
  in(weights_, intercept_, max_cum_l1_, cum_l1_);
  options_.optimizer->load(in);
}

}  // namespace rivulet::ml

namespace rivulet::ml {

double passive_aggressive_tau(int mode, double C, const Features& x, double loss) {
  // River squares numpy's 2-norm (sqrt of the sum of squares), so do the same.
  double sum = 0.0;
  for (const auto& f : x) sum += f.value * f.value;
  const double root = std::sqrt(sum);
  const double norm = root * root;
  switch (mode) {
    case 0:
      return norm > 0 ? loss / norm : 0.0;
    case 1:
      return norm > 0 ? std::min(C, loss / norm) : 0.0;
    default:
      return loss / (norm + 0.5 / C);
  }
}

}  // namespace rivulet::ml
