#include "rivulet/ml/naive_bayes/multinomial_nb.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rivulet::ml {

Result<std::unique_ptr<MultinomialNB>> MultinomialNB::create(const Options& options) {
  if (!(options.alpha >= 0.0)) {
    return Status::invalid_argument(
        fmt::format("MultinomialNB: alpha must be >= 0, got {}", options.alpha));
  }
  return std::make_unique<MultinomialNB>(options);
}

Result<std::unique_ptr<MultinomialNB>> MultinomialNB::from_params(Params& p) {
  Options o;
  o.alpha = p.number("alpha", o.alpha, "additive (Laplace/Lidstone) smoothing; 0 for none");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void MultinomialNB::learn_one(const Features& x, ClassId y) {
  if (y >= class_counts_.size()) {
    class_counts_.resize(static_cast<size_t>(y) + 1, 0.0);
    class_totals_.resize(static_cast<size_t>(y) + 1, 0.0);
    counts_.resize(static_cast<size_t>(y) + 1);
  }
  if (class_counts_[y] == 0) class_order_.push_back(y);
  class_counts_[y] += 1;
  total_ += 1;
  auto& per_feature = counts_[y];
  const FeatureIndex bound = x.index_bound();
  if (bound > per_feature.size()) per_feature.resize(bound, 0.0);
  if (bound > known_.size()) known_.resize(bound, 0);
  for (const auto& [f, value] : x) {
    per_feature[f] += value;
    class_totals_[y] += value;
    if (!known_[f]) {
      known_[f] = 1;
      n_terms_ += 1;
    }
  }
}

double MultinomialNB::p_class(ClassId c) const {
  return c < class_counts_.size() ? class_counts_[c] / total_ : 0.0;
}

double MultinomialNB::p_feature_given_class(FeatureIndex f, ClassId c) const {
  const double count = c < counts_.size() && f < counts_[c].size() ? counts_[c][f] : 0.0;
  const double total = c < class_totals_.size() ? class_totals_[c] : 0.0;
  return (count + options_.alpha) / (total + options_.alpha * n_terms_);
}

bool MultinomialNB::joint_log_likelihood(const Features& x, std::vector<double>& out) const {
  const size_t n_classes = context_.labels != nullptr ? context_.labels->size() : 0;
  out.assign(std::max(n_classes, class_counts_.size()), 0.0);
  if (class_order_.empty()) return false;
  for (ClassId c : class_order_) {
    const std::vector<double>& per_feature = counts_[c];
    const double den = class_totals_[c] + options_.alpha * n_terms_;
    // Summed apart from the prior, in x's order, as River does. A zero value adds nothing (and
    // would make 0 * log(0) a NaN when alpha is 0).
    double sum = 0.0;
    for (const auto& [f, value] : x) {
      if (value == 0.0) continue;
      const double count = f < per_feature.size() ? per_feature[f] : 0.0;
      sum += value * std::log((count + options_.alpha) / den);
    }
    out[c] = std::log(class_counts_[c] / total_) + sum;
  }
  return true;
}

bool MultinomialNB::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  if (!joint_log_likelihood(x, proba)) return false;
  double max_ll = -std::numeric_limits<double>::infinity();
  bool nan = false;
  for (ClassId c : class_order_) {
    max_ll = std::max(max_ll, proba[c]);
    nan = nan || std::isnan(proba[c]);
  }
  if (nan || !std::isfinite(max_ll)) {
    for (ClassId c : class_order_) proba[c] = class_counts_[c] / total_;
    return true;
  }
  // Softmax through log-sum-exp, as scipy.special.logsumexp.
  double sum = 0.0;
  for (ClassId c : class_order_) sum += std::exp(proba[c] - max_ll);
  const double lse = std::log(sum) + max_ll;
  for (ClassId c : class_order_) proba[c] = std::exp(proba[c] - lse);
  return true;
}

std::optional<ClassId> MultinomialNB::predict_one(const Features& x,
                                                  std::vector<double>& scratch) const {
  if (!predict_proba_one(x, scratch)) return std::nullopt;
  ClassId best = class_order_.front();
  for (ClassId c : class_order_) {
    if (scratch[c] > scratch[best]) best = c;
  }
  return best;
}

void MultinomialNB::save(StateWriter& out) const {
  out(class_counts_, class_totals_, counts_, class_order_, known_, n_terms_, total_);
}

void MultinomialNB::load(StateReader& in) {
  in(class_counts_, class_totals_, counts_, class_order_, known_, n_terms_, total_);
}

void MultinomialNB::describe(Description& out) const {
  out.add("n_terms", n_terms_);
  for (ClassId c : class_order_) {
    const std::string label = context_.labels != nullptr && c < context_.labels->size()
                                  ? context_.labels->name(c)
                                  : std::to_string(c);
    out.add("count[" + label + "]", class_counts_[c]);
    out.add("total[" + label + "]", class_totals_[c]);
  }
}

}  // namespace rivulet::ml
