#include "rivulet/ml/metrics/mse.h"

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<MSE>> MSE::create() { return std::make_unique<MSE>(); }

Result<std::unique_ptr<MSE>> MSE::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

void MSE::update(double y_true, double y_pred) {
  mean_.update((y_true - y_pred) * (y_true - y_pred));
}

void MSE::revert(double y_true, double y_pred) {
  mean_.revert((y_true - y_pred) * (y_true - y_pred));
}

}  // namespace rivulet::ml
