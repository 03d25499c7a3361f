#include "rivulet/ml/anomaly/anomaly_filter.h"

#include <fmt/format.h>

namespace rivulet::ml {

void AnomalyFilter::learn_scored(const Features& x, double score) {
  if (!protect_ || !classify(score)) detector_->learn_one(x);
}

void AnomalyFilter::attach(const ModelContext& context) {
  Estimator::attach(context);
  detector_->attach(context);
}

void AnomalyFilter::describe(Description& out) const {
  out.add("anomaly_detector", std::string(detector_->name()));
  Description inner;
  detector_->describe(inner);
  for (const auto& [key, value] : inner.items()) out.add("  " + key, value);
}

std::unique_ptr<AnomalyDetector> AnomalyFilter::read_detector(Params& p) {
  std::unique_ptr<Estimator> made =
      p.estimator("anomaly_detector", "anomaly.HalfSpaceTrees",
                  "the anomaly detector whose scores are classified (River: required)");
  if (made == nullptr) return nullptr;
  if (made->kind() != EstimatorKind::kAnomalyDetector) {
    p.fail(Status::invalid_argument(fmt::format(
        "anomaly_detector must be an anomaly detector (see `rivulet models --kind 'anomaly "
        "detector'`), got {}",
        made->name())));
    return nullptr;
  }
  return std::unique_ptr<AnomalyDetector>(static_cast<AnomalyDetector*>(made.release()));
}

}  // namespace rivulet::ml
