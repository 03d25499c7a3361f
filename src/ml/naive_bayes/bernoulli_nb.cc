#include "rivulet/ml/naive_bayes/bernoulli_nb.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace rivulet::ml {
namespace {
// River adds 10e-10 inside each logarithm, so that a probability of 0 or 1 stays finite.
constexpr double kEpsilon = 10e-10;
}  // namespace

Result<std::unique_ptr<BernoulliNB>> BernoulliNB::create(const Options& options) {
  if (!(options.alpha >= 0.0)) {
    return Status::invalid_argument(
        fmt::format("BernoulliNB: alpha must be >= 0, got {}", options.alpha));
  }
  return std::make_unique<BernoulliNB>(options);
}

Result<std::unique_ptr<BernoulliNB>> BernoulliNB::from_params(Params& p) {
  Options o;
  o.alpha = p.number("alpha", o.alpha, "additive (Laplace/Lidstone) smoothing; 0 for none");
  o.true_threshold = p.number("true_threshold", o.true_threshold, "a value above this is true");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void BernoulliNB::learn_one(const Features& x, ClassId y) {
  if (y >= class_counts_.size()) {
    class_counts_.resize(static_cast<size_t>(y) + 1, 0.0);
    counts_.resize(static_cast<size_t>(y) + 1);
  }
  if (class_counts_[y] == 0) class_order_.push_back(y);
  class_counts_[y] += 1;
  total_ += 1;
  auto& per_feature = counts_[y];
  const FeatureIndex bound = x.index_bound();
  if (bound > per_feature.size()) per_feature.resize(bound, 0.0);
  if (bound > is_known_.size()) is_known_.resize(bound, 0);
  for (const auto& [f, value] : x) {
    if (value > options_.true_threshold) per_feature[f] += 1;
    if (!is_known_[f]) {
      is_known_[f] = 1;
      known_.push_back(f);
    }
  }
}

double BernoulliNB::p_class(ClassId c) const {
  return c < class_counts_.size() ? class_counts_[c] / total_ : 0.0;
}

double BernoulliNB::p_feature_given_class(FeatureIndex f, ClassId c) const {
  const double count = c < counts_.size() && f < counts_[c].size() ? counts_[c][f] : 0.0;
  const double n = c < class_counts_.size() ? class_counts_[c] : 0.0;
  return (count + options_.alpha) / (n + options_.alpha * 2);
}

bool BernoulliNB::joint_log_likelihood(const Features& x, std::vector<double>& out) const {
  const size_t n_classes = context_.labels != nullptr ? context_.labels->size() : 0;
  out.assign(std::max(n_classes, class_counts_.size()), 0.0);
  if (class_order_.empty()) return false;
  ++stamp_;
  if (true_mark_.size() < is_known_.size()) true_mark_.resize(is_known_.size(), 0);
  for (const auto& [f, value] : x) {
    if (f < true_mark_.size() && value > options_.true_threshold) true_mark_[f] = stamp_;
  }
  for (ClassId c : class_order_) {
    const std::vector<double>& per_feature = counts_[c];
    const double den = class_counts_[c] + options_.alpha * 2;
    double sum = 0.0;
    for (FeatureIndex f : known_) {
      const double count = f < per_feature.size() ? per_feature[f] : 0.0;
      const double p = (count + options_.alpha) / den;
      sum += std::log(true_mark_[f] == stamp_ ? kEpsilon + p : kEpsilon + (1.0 - p));
    }
    out[c] = std::log(class_counts_[c] / total_) + sum;
  }
  return true;
}

bool BernoulliNB::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  if (!joint_log_likelihood(x, proba)) return false;
  double max_ll = -std::numeric_limits<double>::infinity();
  for (ClassId c : class_order_) max_ll = std::max(max_ll, proba[c]);
  // Softmax through log-sum-exp, as scipy.special.logsumexp.
  double sum = 0.0;
  for (ClassId c : class_order_) sum += std::exp(proba[c] - max_ll);
  const double lse = std::log(sum) + max_ll;
  for (ClassId c : class_order_) proba[c] = std::exp(proba[c] - lse);
  return true;
}

std::optional<ClassId> BernoulliNB::predict_one(const Features& x,
                                                std::vector<double>& scratch) const {
  if (!predict_proba_one(x, scratch)) return std::nullopt;
  ClassId best = class_order_.front();
  for (ClassId c : class_order_) {
    if (scratch[c] > scratch[best]) best = c;
  }
  return best;
}

void BernoulliNB::save(StateWriter& out) const {
  out(class_counts_, counts_, class_order_, known_, is_known_, total_);
}

void BernoulliNB::load(StateReader& in) {
  in(class_counts_, counts_, class_order_, known_, is_known_, total_);
  true_mark_.clear();
  stamp_ = 0;
}

void BernoulliNB::describe(Description& out) const {
  out.add("n_features", static_cast<double>(known_.size()));
  for (ClassId c : class_order_) {
    const std::string label = context_.labels != nullptr && c < context_.labels->size()
                                  ? context_.labels->name(c)
                                  : std::to_string(c);
    out.add("count[" + label + "]", class_counts_[c]);
  }
}

}  // namespace rivulet::ml
