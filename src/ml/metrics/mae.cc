#include "rivulet/ml/metrics/mae.h"

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<MAE>> MAE::create() { return std::make_unique<MAE>(); }

Result<std::unique_ptr<MAE>> MAE::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

void MAE::update(double y_true, double y_pred) { mean_.update(std::abs(y_true - y_pred)); }

void MAE::revert(double y_true, double y_pred) { mean_.revert(std::abs(y_true - y_pred)); }

}  // namespace rivulet::ml
