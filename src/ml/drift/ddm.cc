#include "rivulet/ml/drift/ddm.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace rivulet::ml {

Result<std::unique_ptr<DDM>> DDM::create(Options options) {
  if (options.warm_start < 0) {
    return Status::invalid_argument(
        fmt::format("drift.DDM: warm_start must be >= 0, got {}", options.warm_start));
  }
  if (!(options.warning_threshold > 0.0)) {
    return Status::invalid_argument(
        fmt::format("drift.DDM: warning_threshold must be > 0, got {}", options.warning_threshold));
  }
  if (!(options.drift_threshold >= options.warning_threshold)) {
    return Status::invalid_argument(
        fmt::format("drift.DDM: drift_threshold must be >= warning_threshold, got {}",
                    options.drift_threshold));
  }
  return std::make_unique<DDM>(options);
}

Result<std::unique_ptr<DDM>> DDM::from_params(Params& p) {
  const Options d;
  Options o;
  o.warm_start = p.integer("warm_start", d.warm_start, "values seen before any test");
  o.warning_threshold = p.number("warning_threshold", d.warning_threshold,
                                 "warning when p + s > p_min + this * s_min");
  o.drift_threshold =
      p.number("drift_threshold", d.drift_threshold, "drift when p + s > p_min + this * s_min");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void DDM::reset() {
  p_ = stats::Mean();
  p_min_ = s_min_ = 0.0;
  ps_min_ = std::numeric_limits<double>::infinity();
  drift_detected_ = warning_detected_ = false;
}

void DDM::update(double x) {
  if (drift_detected_) reset();
  p_.update(x);
  const double p_i = p_.get();
  const double n = p_.n();
  const double s_i = std::sqrt(p_i * (1 - p_i) / n);
  if (n > static_cast<double>(options_.warm_start)) {
    if (p_i + s_i <= ps_min_) {
      p_min_ = p_i;
      s_min_ = s_i;
      ps_min_ = p_min_ + s_min_;
    }
    warning_detected_ = p_i + s_i > p_min_ + options_.warning_threshold * s_min_;
    if (p_i + s_i > p_min_ + options_.drift_threshold * s_min_) {
      drift_detected_ = true;
      warning_detected_ = false;
    }
  }
}

void DDM::save(StateWriter& out) const {
  out(p_, p_min_, s_min_, ps_min_, drift_detected_, warning_detected_);
}

void DDM::load(StateReader& in) {
  in(p_, p_min_, s_min_, ps_min_, drift_detected_, warning_detected_);
}

}  // namespace rivulet::ml
