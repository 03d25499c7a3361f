#include "rivulet/ml/anomaly/quantile_filter.h"

#include <fmt/format.h>

#include <limits>

namespace rivulet::ml {

QuantileFilter::QuantileFilter(std::unique_ptr<AnomalyDetector> detector, const Options& options)
    : AnomalyFilter(std::move(detector), options.protect_anomaly_detector),
      options_(options),
      quantile_(options.q) {}

Result<std::unique_ptr<QuantileFilter>> QuantileFilter::create(
    std::unique_ptr<AnomalyDetector> detector, const Options& options) {
  if (detector == nullptr) {
    return Status::invalid_argument("anomaly.QuantileFilter: anomaly_detector is missing");
  }
  if (!(options.q > 0.0 && options.q < 1.0)) {
    return Status::invalid_argument(
        fmt::format("anomaly.QuantileFilter: q must be in (0, 1), got {}", options.q));
  }
  return std::make_unique<QuantileFilter>(std::move(detector), options);
}

Result<std::unique_ptr<QuantileFilter>> QuantileFilter::from_params(Params& p) {
  Options o;
  auto detector = read_detector(p);
  o.q = p.number("q", o.q,
                 "quantile level of the scores above which a score is anomalous "
                 "(River: required; rivulet's default 0.95)");
  o.protect_anomaly_detector = p.boolean("protect_anomaly_detector", o.protect_anomaly_detector,
                                         "do not learn the samples classified as anomalous");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(detector), o);
}

double QuantileFilter::threshold() const {
  const double t = quantile_.get();  // 0 before any score, as River's None
  return t == 0.0 ? std::numeric_limits<double>::infinity() : t;
}

bool QuantileFilter::classify(double score) const { return score >= threshold(); }

void QuantileFilter::learn_scored(const Features& x, double score) {
  AnomalyFilter::learn_scored(x, score);
  quantile_.update(score);
}

void QuantileFilter::save(StateWriter& out) const {
  AnomalyFilter::save(out);
  out(quantile_);
}

void QuantileFilter::load(StateReader& in) {
  AnomalyFilter::load(in);
  in(quantile_);
  if (quantile_.q() != options_.q) {
    throw cereal::Exception("anomaly.QuantileFilter: state saved with another q");
  }
}

void QuantileFilter::describe(Description& out) const {
  out.add("q", options_.q);
  out.add("threshold", threshold());
  out.add("protect_anomaly_detector", protect_ ? "True" : "False");
  AnomalyFilter::describe(out);
}

}  // namespace rivulet::ml
