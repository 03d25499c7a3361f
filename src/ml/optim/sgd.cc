#include "rivulet/ml/optim/sgd.h"

#include <fmt/format.h>

namespace rivulet::ml {

Result<std::unique_ptr<SGD>> SGD::create(const Options& options) {
  if (!(options.lr > 0)) return Status::invalid_argument(fmt::format("optim.SGD: lr must be > 0, got {}", options.lr));
  return std::make_unique<SGD>(options);
}

Result<std::unique_ptr<SGD>> SGD::from_params(Params& p) {
  Options o;
  o.lr = p.number("lr", o.lr, "learning rate, > 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

}  // namespace rivulet::ml
