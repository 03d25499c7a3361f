#include "rivulet/ml/anomaly/threshold_filter.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

ThresholdFilter::ThresholdFilter(std::unique_ptr<AnomalyDetector> detector, const Options& options)
    : AnomalyFilter(std::move(detector), options.protect_anomaly_detector), options_(options) {}

Result<std::unique_ptr<ThresholdFilter>> ThresholdFilter::create(
    std::unique_ptr<AnomalyDetector> detector, const Options& options) {
  if (detector == nullptr) {
    return Status::invalid_argument("anomaly.ThresholdFilter: anomaly_detector is missing");
  }
  if (std::isnan(options.threshold)) {
    return Status::invalid_argument("anomaly.ThresholdFilter: threshold must be a number, got nan");
  }
  return std::make_unique<ThresholdFilter>(std::move(detector), options);
}

Result<std::unique_ptr<ThresholdFilter>> ThresholdFilter::from_params(Params& p) {
  Options o;
  auto detector = read_detector(p);
  o.threshold = p.number("threshold", o.threshold,
                         "scores >= this are anomalous (River: required; rivulet's default 0.5)");
  o.protect_anomaly_detector = p.boolean("protect_anomaly_detector", o.protect_anomaly_detector,
                                         "do not learn the samples classified as anomalous");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(detector), o);
}

void ThresholdFilter::describe(Description& out) const {
  out.add("threshold", options_.threshold);
  out.add("protect_anomaly_detector", protect_ ? "True" : "False");
  AnomalyFilter::describe(out);
}

}  // namespace rivulet::ml
