#include "rivulet/ml/metrics/r2.h"

namespace rivulet::ml {

Result<std::unique_ptr<R2>> R2::create() { return std::make_unique<R2>(); }

Result<std::unique_ptr<R2>> R2::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

// River's Var.update(x, w) with ddof = 1, including with w = -1 (how R2.revert takes a value
// back): the mean moves only while weight is left, the variance only while more than one
// sample is.
void R2::update_var(double x, double w) {
  const double old_mean = mean_;
  n_ += w;
  if (n_ > 0) mean_ += w * (x - mean_) / n_;
  if (n_ > 1) var_ += w * ((x - old_mean) * (x - mean_) - var_) / (n_ - 1);
}

void R2::update(double y_true, double y_pred) {
  update_var(y_true, 1.0);
  rss_ += (y_true - y_pred) * (y_true - y_pred);
}

void R2::revert(double y_true, double y_pred) {
  update_var(y_true, -1.0);
  rss_ -= (y_true - y_pred) * (y_true - y_pred);
}

double R2::get() const {
  if (n_ <= 1) return 0.0;  // not defined for fewer than 2 samples
  const double tss = (n_ - 1) * var_;
  return tss != 0.0 ? 1.0 - rss_ / tss : 0.0;
}

void R2::save(StateWriter& out) const { out(n_, mean_, var_, rss_); }

void R2::load(StateReader& in) { in(n_, mean_, var_, rss_); }

}  // namespace rivulet::ml
