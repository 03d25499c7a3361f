#include "rivulet/ml/drift/hddm_a.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<HDDM_A>> HDDM_A::create(Options options) {
  if (!(options.drift_confidence > 0.0 && options.drift_confidence < 1.0)) {
    return Status::invalid_argument(fmt::format(
        "drift.HDDM_A: drift_confidence must be in (0, 1), got {}", options.drift_confidence));
  }
  if (!(options.warning_confidence > 0.0 && options.warning_confidence < 1.0)) {
    return Status::invalid_argument(fmt::format(
        "drift.HDDM_A: warning_confidence must be in (0, 1), got {}", options.warning_confidence));
  }
  return std::make_unique<HDDM_A>(options);
}

Result<std::unique_ptr<HDDM_A>> HDDM_A::from_params(Params& p) {
  const Options d;
  Options o;
  o.drift_confidence =
      p.number("drift_confidence", d.drift_confidence, "confidence of the drift test");
  o.warning_confidence =
      p.number("warning_confidence", d.warning_confidence, "confidence of the warning test");
  o.two_sided_test =
      p.boolean("two_sided_test", d.two_sided_test, "also detect decreases of the mean");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void HDDM_A::reset() {
  x_min_ = x_max_ = z_ = stats::Mean();
  drift_detected_ = warning_detected_ = false;
}

double HDDM_A::hoeffding_bound(double n) const {
  return std::sqrt(1.0 / (2 * n) * std::log(1.0 / options_.drift_confidence));
}

bool HDDM_A::mean_increased(double confidence) const {
  if (x_min_.n() == z_.n()) return false;
  const double m = (z_.n() - x_min_.n()) / x_min_.n() * (1.0 / z_.n());
  const double eps = std::sqrt(m / 2 * std::log(2.0 / confidence));
  return z_.get() - x_min_.get() >= eps;
}

bool HDDM_A::mean_decreased(double confidence) const {
  if (x_max_.n() == z_.n()) return false;
  const double m = (z_.n() - x_max_.n()) / x_max_.n() * (1.0 / z_.n());
  const double eps = std::sqrt(m / 2 * std::log(2.0 / confidence));
  return x_max_.get() - z_.get() >= eps;
}

void HDDM_A::update(double x) {
  if (drift_detected_) reset();
  z_.update(x);
  if (x_min_.n() == 0) x_min_ = z_;
  if (x_max_.n() == 0) x_max_ = z_;
  const double eps_z = hoeffding_bound(z_.n());
  double eps_x = hoeffding_bound(x_min_.n());
  if (x_min_.get() + eps_x >= z_.get() + eps_z) x_min_ = z_;
  eps_x = hoeffding_bound(x_max_.n());
  if (x_max_.get() - eps_x <= z_.get() - eps_z) x_max_ = z_;

  if (mean_increased(options_.drift_confidence)) {
    warning_detected_ = false;
    drift_detected_ = true;
  } else if (mean_increased(options_.warning_confidence)) {
    warning_detected_ = true;
    drift_detected_ = false;
  } else {
    warning_detected_ = false;
    drift_detected_ = false;
  }
  if (options_.two_sided_test) {
    if (mean_decreased(options_.drift_confidence)) {
      drift_detected_ = true;
    } else if (mean_decreased(options_.warning_confidence)) {
      warning_detected_ = true;
    }
  }
}

void HDDM_A::save(StateWriter& out) const {
  out(x_min_, x_max_, z_, drift_detected_, warning_detected_);
}

void HDDM_A::load(StateReader& in) { in(x_min_, x_max_, z_, drift_detected_, warning_detected_); }

}  // namespace rivulet::ml
