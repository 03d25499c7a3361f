#include "rivulet/ml/drift/hddm_w.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<HDDM_W>> HDDM_W::create(Options options) {
  if (!(options.drift_confidence > 0.0 && options.drift_confidence < 1.0)) {
    return Status::invalid_argument(fmt::format(
        "drift.HDDM_W: drift_confidence must be in (0, 1), got {}", options.drift_confidence));
  }
  if (!(options.warning_confidence > 0.0 && options.warning_confidence < 1.0)) {
    return Status::invalid_argument(fmt::format(
        "drift.HDDM_W: warning_confidence must be in (0, 1), got {}", options.warning_confidence));
  }
  if (!(options.lambda_val > 0.0 && options.lambda_val <= 1.0)) {
    return Status::invalid_argument(
        fmt::format("drift.HDDM_W: lambda_val must be in (0, 1], got {}", options.lambda_val));
  }
  return std::make_unique<HDDM_W>(options);
}

Result<std::unique_ptr<HDDM_W>> HDDM_W::from_params(Params& p) {
  const Options d;
  Options o;
  o.drift_confidence =
      p.number("drift_confidence", d.drift_confidence, "confidence of the drift test");
  o.warning_confidence =
      p.number("warning_confidence", d.warning_confidence, "confidence of the warning test");
  o.lambda_val =
      p.number("lambda_val", d.lambda_val, "weight of the newest value in the moving averages");
  o.two_sided_test =
      p.boolean("two_sided_test", d.two_sided_test, "also detect decreases of the mean");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

HDDM_W::HDDM_W(Options options)
    : options_(options),
      lambda_sq_(options.lambda_val * options.lambda_val),
      c_lambda_sq_((1 - options.lambda_val) * (1 - options.lambda_val)) {
  reset();
}

void HDDM_W::reset() {
  total_ = s1_decr_ = s1_incr_ = s2_decr_ = s2_incr_ = fresh();
  incr_cutpoint_ = std::numeric_limits<double>::infinity();
  decr_cutpoint_ = -std::numeric_limits<double>::infinity();
  drift_detected_ = warning_detected_ = false;
}

void HDDM_W::add(Sample& s, double x) const {
  s.ewma.update(x);
  s.is_init = true;
  s.ibc = lambda_sq_ + c_lambda_sq_ * s.ibc;
}

double HDDM_W::bound(double ibc, double confidence) const {
  return std::sqrt(ibc * std::log(1 / confidence) / 2);
}

bool HDDM_W::mean_changed(const Sample& s1, const Sample& s2, double confidence) const {
  if (!(s1.is_init && s2.is_init)) return false;
  return s2.ewma.get() - s1.ewma.get() > bound(s1.ibc + s2.ibc, confidence);
}

void HDDM_W::update(double x) {
  if (drift_detected_) reset();
  add(total_, x);

  // Increases: cut where the upper bound of the total EWMA was lowest.
  double eps = bound(total_.ibc, options_.drift_confidence);
  if (total_.ewma.get() + eps < incr_cutpoint_) {
    incr_cutpoint_ = total_.ewma.get() + eps;
    s1_incr_ = total_;
    s2_incr_ = fresh();
  } else {
    add(s2_incr_, x);
  }
  if (mean_changed(s1_incr_, s2_incr_, options_.drift_confidence)) {
    warning_detected_ = false;
    drift_detected_ = true;
  } else if (mean_changed(s1_incr_, s2_incr_, options_.warning_confidence)) {
    warning_detected_ = true;
    drift_detected_ = false;
  } else {
    warning_detected_ = false;
    drift_detected_ = false;
  }

  // Decreases: cut where the lower bound was highest.
  eps = bound(total_.ibc, options_.drift_confidence);
  if (total_.ewma.get() - eps > decr_cutpoint_) {
    decr_cutpoint_ = total_.ewma.get() - eps;
    s1_decr_ = total_;
    s2_decr_ = fresh();
  } else {
    add(s2_decr_, x);
  }
  if (options_.two_sided_test) {
    if (mean_changed(s2_decr_, s1_decr_, options_.drift_confidence)) {
      drift_detected_ = true;
    } else if (mean_changed(s2_decr_, s1_decr_, options_.warning_confidence)) {
      warning_detected_ = true;
    }
  }
}

void HDDM_W::save(StateWriter& out) const {
  out(total_, s1_decr_, s1_incr_, s2_decr_, s2_incr_, incr_cutpoint_, decr_cutpoint_,
      drift_detected_, warning_detected_);
}

void HDDM_W::load(StateReader& in) {
  in(total_, s1_decr_, s1_incr_, s2_decr_, s2_incr_, incr_cutpoint_, decr_cutpoint_,
     drift_detected_, warning_detected_);
}

}  // namespace rivulet::ml
