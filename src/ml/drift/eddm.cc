#include "rivulet/ml/drift/eddm.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<EDDM>> EDDM::create(Options options) {
  if (options.warm_start < 0) {
    return Status::invalid_argument(
        fmt::format("drift.EDDM: warm_start must be >= 0, got {}", options.warm_start));
  }
  if (!(options.alpha > 0.0 && options.alpha <= 1.0) ||
      !(options.beta > 0.0 && options.beta <= 1.0)) {
    return Status::invalid_argument(
        fmt::format("drift.EDDM: alpha and beta must be in (0, 1], got {} and {}", options.alpha,
                    options.beta));
  }
  if (options.alpha < options.beta) {
    return Status::invalid_argument("drift.EDDM: 'alpha' must be greater or equal to 'beta'");
  }
  return std::make_unique<EDDM>(options);
}

Result<std::unique_ptr<EDDM>> EDDM::from_params(Params& p) {
  const Options d;
  Options o;
  o.warm_start = p.integer("warm_start", d.warm_start, "values (and errors) seen before any test");
  o.alpha = p.number("alpha", d.alpha, "warning when (p' + 2 s') / max falls below this");
  o.beta = p.number("beta", d.beta, "drift when (p' + 2 s') / max falls below this");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void EDDM::reset() {
  distances_ = stats::Var(1);
  n_ = last_error_ = n_errors_ = 0;
  p2s_max_ = -1.0;
  drift_detected_ = warning_detected_ = false;
}

void EDDM::update(double x) {
  if (drift_detected_) reset();
  ++n_;
  if (x == 1.0) {
    ++n_errors_;
    distances_.update(static_cast<double>(n_ - last_error_));
    if (n_ > options_.warm_start) {
      const double p_prime = distances_.mean().get();
      const double s_prime = std::sqrt(distances_.get());
      const double p2s = p_prime + 2 * s_prime;
      if (p2s > p2s_max_) {
        p2s_max_ = p2s;
      } else if (n_errors_ > options_.warm_start) {
        const double level = p2s / p2s_max_;
        if (level < options_.beta) {
          drift_detected_ = true;
        } else if (level < options_.alpha) {
          warning_detected_ = true;
        } else {
          warning_detected_ = false;
        }
      }
    }
    last_error_ = n_;
  }
}

void EDDM::save(StateWriter& out) const {
  out(distances_, n_, last_error_, n_errors_, p2s_max_, drift_detected_, warning_detected_);
}

void EDDM::load(StateReader& in) {
  in(distances_, n_, last_error_, n_errors_, p2s_max_, drift_detected_, warning_detected_);
}

}  // namespace rivulet::ml
