#include "rivulet/ml/metrics/mape.h"

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<MAPE>> MAPE::create() { return std::make_unique<MAPE>(); }

Result<std::unique_ptr<MAPE>> MAPE::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

void MAPE::update(double y_true, double y_pred) {
  mean_.update(y_true == 0.0 ? 0.0 : std::abs(y_true - y_pred) / std::abs(y_true));
}

void MAPE::revert(double y_true, double y_pred) {
  mean_.revert(y_true == 0.0 ? 0.0 : std::abs(y_true - y_pred) / std::abs(y_true));
}

}  // namespace rivulet::ml
