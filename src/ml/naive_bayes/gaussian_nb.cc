#include "rivulet/ml/naive_bayes/gaussian_nb.h"

#include <cmath>
#include <limits>

#include "ml/internal/vector_math.h"
#include "rivulet/core/state.h"

namespace rivulet::ml {
namespace {
constexpr double kTwoPi = 6.283185307179586;
}

void GaussianNB::Gaussian::refresh() {
  // stats.Var(ddof=1): 0 until two values are seen.
  const double var = n > 1 ? m2 / (n - 1) : 0.0;
  if (var != 0.0) {
    neg_half_inv_var = 1.0 / (-2.0 * var);
    inv_norm = 1.0 / std::sqrt(kTwoPi * var);
  } else {
    neg_half_inv_var = 0.0;
    inv_norm = 0.0;
  }
}

Result<std::unique_ptr<GaussianNB>> GaussianNB::create(const Options&) {
  return std::make_unique<GaussianNB>();
}

Result<std::unique_ptr<GaussianNB>> GaussianNB::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create({});
}

void GaussianNB::learn_one(const Features& x, ClassId y) {
  if (y >= class_counts_.size()) {
    class_counts_.resize(y + 1, 0.0);
    gaussians_.resize(y + 1);
  }
  if (class_counts_[y] == 0) class_order_.push_back(y);
  class_counts_[y] += 1;
  total_ += 1;
  auto& per_feature = gaussians_[y];
  const FeatureIndex bound = x.index_bound();
  if (bound > per_feature.size()) per_feature.resize(bound);
  for (const auto& [i, xi] : x) {
    Gaussian& g = per_feature[i];
    g.n += 1;
    const double delta = xi - g.mean;
    g.mean += delta / g.n;
    g.m2 += delta * (xi - g.mean);
    g.refresh();
  }
}

void GaussianNB::joint_log_likelihood(const Features& x, std::vector<double>& ll) const {
  const size_t n_classes = context_.labels != nullptr ? context_.labels->size() : class_counts_.size();
  ll.assign(std::max(n_classes, class_counts_.size()), 0.0);
  const size_t n = x.size();
  if (terms_.size() < 2 * n) terms_.resize(2 * n);  // grows only with a wider sample
  double* exponent = terms_.data();
  double* scale = terms_.data() + n;
  for (ClassId c : class_order_) {
    // River: log P(c) + sum over x of log(1e-9 + pdf_c,i(x_i)), a zero variance (or a feature
    // the class never had) giving density 0. The exps and logs go through vector_math in
    // batches; the sum keeps River's order.
    const auto& per_feature = gaussians_[c];
    for (size_t k = 0; k < n; ++k) {
      const auto& [i, xi] = x[k];
      const Gaussian* g = i < per_feature.size() ? &per_feature[i] : nullptr;
      if (g != nullptr && g->inv_norm != 0.0) {
        const double d = xi - g->mean;
        exponent[k] = d * d * g->neg_half_inv_var;
        scale[k] = g->inv_norm;
      } else {
        exponent[k] = 0.0;
        scale[k] = 0.0;
      }
    }
    internal::exp_in_place(exponent, n);
    for (size_t k = 0; k < n; ++k) exponent[k] = 1e-9 + exponent[k] * scale[k];
    internal::log_in_place(exponent, n);
    double sum = 0.0;
    for (size_t k = 0; k < n; ++k) sum += exponent[k];
    ll[c] = std::log(class_counts_[c] / total_) + sum;
  }
}

bool GaussianNB::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  if (class_order_.empty()) {
    proba.assign(context_.labels != nullptr ? context_.labels->size() : 0, 0.0);
    return false;
  }
  joint_log_likelihood(x, proba);
  // Softmax through log-sum-exp, as River's BaseNB.predict_proba_one.
  double max_ll = -std::numeric_limits<double>::infinity();
  for (ClassId c : class_order_) max_ll = std::max(max_ll, proba[c]);
  double sum = 0.0;
  for (ClassId c : class_order_) sum += std::exp(proba[c] - max_ll);
  const double lse = max_ll + std::log(sum);
  for (ClassId c : class_order_) proba[c] = std::exp(proba[c] - lse);
  return true;
}

std::optional<ClassId> GaussianNB::predict_one(const Features& x, std::vector<double>& scratch) const {
  if (class_order_.empty()) return std::nullopt;
  joint_log_likelihood(x, scratch);
  ClassId best = class_order_.front();
  for (ClassId c : class_order_) {
    if (scratch[c] > scratch[best]) best = c;
  }
  return best;
}

void GaussianNB::save(StateWriter& out) const { out(class_counts_, gaussians_, class_order_, total_); }

void GaussianNB::load(StateReader& in) { in(class_counts_, gaussians_, class_order_, total_); }

void GaussianNB::describe(Description& out) const {
  for (ClassId c : class_order_) {
    const std::string label =
        context_.labels != nullptr && c < context_.labels->size() ? context_.labels->name(c) : std::to_string(c);
    out.add("count[" + label + "]", class_counts_[c]);
    for (FeatureIndex i = 0; i < gaussians_[c].size(); ++i) {
      const Gaussian& g = gaussians_[c][i];
      if (g.n == 0) continue;
      out.add("mean[" + label + "][" + feature_name(i) + "]", g.mean);
    }
  }
}

}  // namespace rivulet::ml
