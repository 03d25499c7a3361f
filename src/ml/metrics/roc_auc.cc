#include "rivulet/ml/metrics/roc_auc.h"

#include <fmt/format.h>

#include <algorithm>

namespace rivulet::ml {
namespace {

// numpy's pairwise summation (what `np.add.reduce` does on a contiguous float64 array), so that
// get() returns River's value to the last bit.
double pairwise_sum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (size_t j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (size_t j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

}  // namespace

ROCAUC::ROCAUC(const Options& options) : options_(options) {
  const auto n = static_cast<size_t>(options_.n_thresholds);
  thresholds_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    thresholds_[i] = static_cast<double>(i) / static_cast<double>(n - 1);
  }
  thresholds_.front() -= 1e-7;
  thresholds_.back() += 1e-7;
  counts_.assign(4 * n, 0.0);
  tprs_.resize(n);
  fprs_.resize(n);
  terms_.resize(n - 1);
}

Result<std::unique_ptr<ROCAUC>> ROCAUC::create(const Options& options) {
  if (options.n_thresholds < 2 || options.n_thresholds > kMaxThresholds) {
    return Status::invalid_argument(fmt::format("ROCAUC: n_thresholds must be in [2, {}], got {}",
                                                kMaxThresholds, options.n_thresholds));
  }
  return std::make_unique<ROCAUC>(options);
}

Result<std::unique_ptr<ROCAUC>> ROCAUC::from_params(Params& p) {
  Options o;
  const int64_t n =
      p.integer("n_thresholds", o.n_thresholds,
                "thresholds discretizing the ROC curve (more: closer to the exact AUC)");
  o.n_thresholds = static_cast<int>(std::clamp<int64_t>(n, -1, kMaxThresholds + 1));
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

std::unique_ptr<Metric> ROCAUC::clone_fresh() const {
  auto m = std::make_unique<ROCAUC>(options_);
  m->attach(labels_);
  return m;
}

void ROCAUC::add(ClassId y_true, std::span<const double> proba, double w) {
  const auto pos = positive_class();
  const bool actual = pos.has_value() && y_true == *pos;
  const double p_true = proba_of(proba, pos);
  for (size_t i = 0; i < thresholds_.size(); ++i) {
    const bool predicted = p_true > thresholds_[i];
    counts_[4 * i + (actual ? (predicted ? 0 : 1) : (predicted ? 2 : 3))] += w;
  }
}

void ROCAUC::update(ClassId y_true, ClassId, std::span<const double> proba) {
  add(y_true, proba, 1.0);
}

void ROCAUC::revert(ClassId y_true, ClassId, std::span<const double> proba) {
  add(y_true, proba, -1.0);
}

double ROCAUC::get() const {
  const size_t n = thresholds_.size();
  for (size_t i = 0; i < n; ++i) {
    const double tp = counts_[4 * i], fn = counts_[4 * i + 1];
    const double fp = counts_[4 * i + 2], tn = counts_[4 * i + 3];
    tprs_[i] = tp + fn != 0.0 ? tp / (tp + fn) : 0.0;
    fprs_[i] = fp + tn != 0.0 ? fp / (fp + tn) : 0.0;
  }
  // -np.trapz(x=fprs, y=tprs): the thresholds rise, so the false positive rates fall.
  for (size_t i = 0; i + 1 < n; ++i) {
    terms_[i] = (fprs_[i + 1] - fprs_[i]) * (tprs_[i + 1] + tprs_[i]) / 2.0;
  }
  return -(0.0 + pairwise_sum(terms_.data(), terms_.size()));
}

void ROCAUC::load(StateReader& in) {
  in(counts_);
  if (counts_.size() != 4 * thresholds_.size()) {
    throw cereal::Exception("ROCAUC: state saved with a different n_thresholds");
  }
}

}  // namespace rivulet::ml
