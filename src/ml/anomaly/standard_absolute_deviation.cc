#include "rivulet/ml/anomaly/standard_absolute_deviation.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

StandardAbsoluteDeviation::StandardAbsoluteDeviation(const Options& options)
    : UnivariateAnomalyDetector(options.feature), options_(options) {}

Result<std::unique_ptr<StandardAbsoluteDeviation>> StandardAbsoluteDeviation::create(
    const Options& options) {
  if (options.sub_stat != "mean" && options.sub_stat != "median") {
    return Status::invalid_argument(fmt::format(
        "anomaly.StandardAbsoluteDeviation: sub_stat must be 'mean' or 'median', got '{}'",
        options.sub_stat));
  }
  return std::make_unique<StandardAbsoluteDeviation>(options);
}

Result<std::unique_ptr<StandardAbsoluteDeviation>> StandardAbsoluteDeviation::from_params(
    Params& p) {
  Options o;
  o.sub_stat = p.string("sub_stat", o.sub_stat,
                        "the statistic subtracted: 'mean' (River's stats.Mean()) or 'median'");
  o.feature =
      p.string("feature", "", "the feature scored (River scores y); empty: the first feature");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void StandardAbsoluteDeviation::learn_one(const Features& x) {
  const auto y = learn_value_of(x);
  if (!y) return;
  // River's stats.Var.update then stats.Mean.update (w = 1), operation for operation.
  const double mean_old = var_mean_;
  n_ += 1.0;
  var_mean_ += (1.0 / n_) * (*y - var_mean_);
  s_ += 1.0 * (*y - mean_old) * (*y - var_mean_);
  if (options_.sub_stat == "median") {
    median_.update(*y);
  } else {
    sub_n_ += 1.0;
    sub_mean_ += (1.0 / sub_n_) * (*y - sub_mean_);
  }
}

double StandardAbsoluteDeviation::center() const {
  return options_.sub_stat == "median" ? median_.get() : sub_mean_;
}

double StandardAbsoluteDeviation::score_value(double y) const {
  const double var = n_ > 1.0 ? s_ / (n_ - 1.0) : 0.0;
  return std::abs((y - center()) / ((var > 0.0 ? std::pow(var, 0.5) : 0.0) + 1e-10));
}

double StandardAbsoluteDeviation::score_one(const Features& x) const {
  const auto y = value_of(x);
  return y ? score_value(*y) : 0.0;
}

void StandardAbsoluteDeviation::save(StateWriter& out) const {
  save_feature(out);
  out(n_, var_mean_, s_, sub_n_, sub_mean_, median_);
}

void StandardAbsoluteDeviation::load(StateReader& in) {
  load_feature(in);
  in(n_, var_mean_, s_, sub_n_, sub_mean_, median_);
}

void StandardAbsoluteDeviation::describe(Description& out) const {
  const std::string f = feature();
  out.add("feature", f.empty() ? "(the first feature, once learned)" : f);
  out.add("n", n_);
  out.add(options_.sub_stat, center());
  out.add("sigma", n_ > 1.0 && s_ > 0.0 ? std::pow(s_ / (n_ - 1.0), 0.5) : 0.0);
}

}  // namespace rivulet::ml
