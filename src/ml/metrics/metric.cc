#include "rivulet/ml/metrics/metric.h"

#include <fmt/format.h>

namespace rivulet::ml {

std::string Metric::report() const { return fmt::format("{}: {:.6f}", name(), get()); }

}  // namespace rivulet::ml
