#include "rivulet/ml/drift/page_hinkley.h"

#include <fmt/format.h>

#include <limits>

namespace rivulet::ml {

Result<std::unique_ptr<PageHinkley>> PageHinkley::create(Options options) {
  if (options.min_instances < 0) {
    return Status::invalid_argument(fmt::format(
        "drift.PageHinkley: min_instances must be >= 0, got {}", options.min_instances));
  }
  if (!(options.delta >= 0.0)) {
    return Status::invalid_argument(
        fmt::format("drift.PageHinkley: delta must be >= 0, got {}", options.delta));
  }
  if (!(options.threshold > 0.0)) {
    return Status::invalid_argument(
        fmt::format("drift.PageHinkley: threshold must be > 0, got {}", options.threshold));
  }
  if (!(options.alpha >= 0.0 && options.alpha <= 1.0)) {
    return Status::invalid_argument(
        fmt::format("drift.PageHinkley: alpha must be in [0, 1], got {}", options.alpha));
  }
  return std::make_unique<PageHinkley>(options);
}

Result<std::unique_ptr<PageHinkley>> PageHinkley::from_params(Params& p) {
  const Options d;
  Options o;
  o.min_instances = p.integer("min_instances", d.min_instances, "values seen before any test");
  o.delta = p.number("delta", d.delta, "tolerated deviation from the mean");
  o.threshold = p.number("threshold", d.threshold, "drift threshold (lambda)");
  o.alpha = p.number("alpha", d.alpha, "fading factor of the cumulative sums");
  const std::string mode =
      p.string("mode", "both", "\"up\", \"down\" or \"both\": which changes of the mean");
  RIVULET_RETURN_IF_ERROR(p.finish());
  if (mode == "up") {
    o.mode = Mode::kUp;
  } else if (mode == "down") {
    o.mode = Mode::kDown;
  } else if (mode == "both") {
    o.mode = Mode::kBoth;
  } else {
    return Status::invalid_argument(fmt::format(
        "drift.PageHinkley: mode must be \"up\", \"down\" or \"both\", got \"{}\"", mode));
  }
  return create(o);
}

PageHinkley::PageHinkley(Options options) : options_(options) { clear_state(); }

std::unique_ptr<DriftDetector> PageHinkley::clone() const {
  return std::make_unique<PageHinkley>(options_);
}

void PageHinkley::clear_state() {
  mean_ = stats::Mean();
  sum_increase_ = 0.0;
  sum_decrease_ = 0.0;
  min_increase_ = std::numeric_limits<double>::infinity();
  max_decrease_ = -1.0;  // River 0.12.1's initial value
}

void PageHinkley::reset() {
  clear_state();
  drift_detected_ = false;
}

void PageHinkley::update(double x) {
  if (drift_detected_) reset();
  mean_.update(x);
  const double dev = x - mean_.get();
  sum_increase_ = options_.alpha * sum_increase_ + dev - options_.delta;
  sum_decrease_ = options_.alpha * sum_decrease_ + dev + options_.delta;
  if (sum_increase_ < min_increase_) min_increase_ = sum_increase_;
  if (sum_decrease_ > max_decrease_) max_decrease_ = sum_decrease_;
  if (mean_.n() >= static_cast<double>(options_.min_instances)) {
    const double test_increase = sum_increase_ - min_increase_;
    const double test_decrease = max_decrease_ - sum_decrease_;
    switch (options_.mode) {
      case Mode::kUp:
        drift_detected_ = test_increase > options_.threshold;
        break;
      case Mode::kDown:
        drift_detected_ = test_decrease > options_.threshold;
        break;
      case Mode::kBoth:
        drift_detected_ = test_increase > options_.threshold || test_decrease > options_.threshold;
        break;
    }
  }
}

void PageHinkley::save(StateWriter& out) const {
  out(mean_, sum_increase_, sum_decrease_, min_increase_, max_decrease_, drift_detected_);
}

void PageHinkley::load(StateReader& in) {
  in(mean_, sum_increase_, sum_decrease_, min_increase_, max_decrease_, drift_detected_);
}

}  // namespace rivulet::ml
