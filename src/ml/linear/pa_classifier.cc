#include "rivulet/ml/linear/pa_classifier.h"

#include <fmt/format.h>

#include <algorithm>

#include "rivulet/ml/linear/glm.h"

namespace rivulet::ml {

Result<std::unique_ptr<PAClassifier>> PAClassifier::create(const Options& options) {
  auto bad = [](std::string_view what) {
    return Status::invalid_argument(fmt::format("linear_model.PAClassifier: {}", what));
  };
  if (!(options.C > 0)) return bad(fmt::format("C must be > 0, got {}", options.C));
  if (options.mode < 0 || options.mode > 2)
    return bad(fmt::format("mode must be 0, 1 or 2, got {}", options.mode));
  return std::make_unique<PAClassifier>(options);
}

Result<std::unique_ptr<PAClassifier>> PAClassifier::from_params(Params& p) {
  Options o;
  o.C = p.number("C", o.C, "aggressiveness, > 0");
  o.mode = static_cast<int>(p.integer("mode", o.mode, "0: PA, 1: PA-I, 2: PA-II"));
  o.learn_intercept =
      p.boolean("learn_intercept", o.learn_intercept, "whether the intercept learns");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

double PAClassifier::raw_dot(const Features& x) const {
  double dot = 0.0;
  const size_t n = weights_.size();
  for (const auto& [i, xi] : x) {
    if (i < n) dot += weights_[i] * xi;
  }
  return dot + intercept_;
}

double PAClassifier::predict_positive(const Features& x) const { return sigmoid(raw_dot(x)); }

void PAClassifier::learn_binary(const Features& x, bool y) {
  const double sign = y ? 1.0 : -1.0;
  // River's optim.losses.Hinge(threshold=1).
  const double loss = std::max(1.0 - sign * raw_dot(x), 0.0);
  const double step = passive_aggressive_tau(options_.mode, options_.C, x, loss) * sign;
  const FeatureIndex bound = x.index_bound();
  if (bound > weights_.size()) weights_.resize(bound, 0.0);
  for (const auto& [i, xi] : x) weights_[i] += step * xi;
  if (options_.learn_intercept) intercept_ += step;
}

void PAClassifier::describe(Description& out) const {
  out.add("intercept", intercept_);
  for (FeatureIndex i = 0; i < weights_.size(); ++i) {
    if (weights_[i] != 0.0) out.add("weight[" + feature_name(i) + "]", weights_[i]);
  }
}

}  // namespace rivulet::ml
