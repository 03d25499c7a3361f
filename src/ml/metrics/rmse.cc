#include "rivulet/ml/metrics/rmse.h"

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<RMSE>> RMSE::create() { return std::make_unique<RMSE>(); }

Result<std::unique_ptr<RMSE>> RMSE::from_params(Params& p) {
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create();
}

void RMSE::update(double y_true, double y_pred) {
  mean_.update((y_true - y_pred) * (y_true - y_pred));
}

void RMSE::revert(double y_true, double y_pred) {
  mean_.revert((y_true - y_pred) * (y_true - y_pred));
}

// River takes `** 0.5`.
double RMSE::get() const { return std::pow(mean_.get(), 0.5); }

}  // namespace rivulet::ml
