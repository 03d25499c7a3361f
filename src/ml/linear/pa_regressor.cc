#include "rivulet/ml/linear/pa_regressor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "rivulet/ml/linear/glm.h"

namespace rivulet::ml {

Result<std::unique_ptr<PARegressor>> PARegressor::create(const Options& options) {
  auto bad = [](std::string_view what) {
    return Status::invalid_argument(fmt::format("linear_model.PARegressor: {}", what));
  };
  if (!(options.C > 0)) return bad(fmt::format("C must be > 0, got {}", options.C));
  if (options.mode < 0 || options.mode > 2)
    return bad(fmt::format("mode must be 0, 1 or 2, got {}", options.mode));
  if (!(options.eps >= 0)) return bad(fmt::format("eps must be >= 0, got {}", options.eps));
  return std::make_unique<PARegressor>(options);
}

Result<std::unique_ptr<PARegressor>> PARegressor::from_params(Params& p) {
  Options o;
  o.C = p.number("C", o.C, "aggressiveness, > 0");
  o.mode = static_cast<int>(p.integer("mode", o.mode, "0: PA, 1: PA-I, 2: PA-II"));
  o.eps = p.number("eps", o.eps, "width of the insensitive zone, >= 0");
  o.learn_intercept =
      p.boolean("learn_intercept", o.learn_intercept, "whether the intercept learns");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

double PARegressor::predict_one(const Features& x) const {
  double dot = 0.0;
  const size_t n = weights_.size();
  for (const auto& [i, xi] : x) {
    if (i < n) dot += weights_[i] * xi;
  }
  return dot + intercept_;
}

void PARegressor::learn_one(const Features& x, double y) {
  const double p = predict_one(x);
  // River 0.12's EpsilonInsensitiveHinge maps y to 2y - 1 (see the class comment).
  const double loss = std::max(std::abs(p - (y * 2.0 - 1.0)) - options_.eps, 0.0);
  const double tau = passive_aggressive_tau(options_.mode, options_.C, x, loss);
  const double direction = y > p ? 1.0 : (y < p ? -1.0 : 0.0);
  const double step = tau * direction;
  const FeatureIndex bound = x.index_bound();
  if (bound > weights_.size()) weights_.resize(bound, 0.0);
  for (const auto& [i, xi] : x) weights_[i] += step * xi;
  if (options_.learn_intercept) intercept_ += step;
}

void PARegressor::describe(Description& out) const {
  out.add("intercept", intercept_);
  for (FeatureIndex i = 0; i < weights_.size(); ++i) {
    if (weights_[i] != 0.0) out.add("weight[" + feature_name(i) + "]", weights_[i]);
  }
}

}  // namespace rivulet::ml
