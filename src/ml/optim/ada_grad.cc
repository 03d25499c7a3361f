#include "rivulet/ml/optim/ada_grad.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<AdaGrad>> AdaGrad::create(const Options& options) {
  if (!(options.lr > 0)) {
    return Status::invalid_argument(
        fmt::format("optim.AdaGrad: lr must be > 0, got {}", options.lr));
  }
  if (!(options.eps >= 0)) {
    return Status::invalid_argument(
        fmt::format("optim.AdaGrad: eps must be >= 0, got {}", options.eps));
  }
  return std::make_unique<AdaGrad>(options);
}

Result<std::unique_ptr<AdaGrad>> AdaGrad::from_params(Params& p) {
  Options o;
  o.lr = p.number("lr", o.lr, "learning rate, > 0");
  o.eps = p.number("eps", o.eps, "added to the sum of squared gradients under the root, >= 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void AdaGrad::step(std::vector<double>& w, const Features& gradient) {
  if (g2_.size() < w.size()) g2_.resize(w.size(), 0.0);
  for (const auto& [i, gi] : gradient) {
    g2_[i] += gi * gi;
    w[i] -= options_.lr / std::pow(g2_[i] + options_.eps, 0.5) * gi;
  }
  ++n_iterations_;
}

void AdaGrad::save(StateWriter& out) const {
  Optimizer::save(out);
  out(g2_);
}

void AdaGrad::load(StateReader& in) {
  Optimizer::load(in);
  in(g2_);
}

}  // namespace rivulet::ml
