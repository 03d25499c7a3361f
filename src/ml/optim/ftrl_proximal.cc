#include "rivulet/ml/optim/ftrl_proximal.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<FTRLProximal>> FTRLProximal::create(const Options& options) {
  auto bad = [](std::string_view what, double value) {
    return Status::invalid_argument(fmt::format("optim.FTRLProximal: {}, got {}", what, value));
  };
  if (!(options.alpha > 0)) return bad("alpha must be > 0", options.alpha);
  if (!(options.beta >= 0)) return bad("beta must be >= 0", options.beta);
  if (!(options.l1 >= 0)) return bad("l1 must be >= 0", options.l1);
  if (!(options.l2 >= 0)) return bad("l2 must be >= 0", options.l2);
  return std::make_unique<FTRLProximal>(options);
}

Result<std::unique_ptr<FTRLProximal>> FTRLProximal::from_params(Params& p) {
  Options o;
  o.alpha = p.number("alpha", o.alpha, "scale of the per-feature learning rates, > 0");
  o.beta = p.number("beta", o.beta, "smoothing of the per-feature learning rates, >= 0");
  o.l1 = p.number("l1", o.l1, "L1 regularization strength, >= 0");
  o.l2 = p.number("l2", o.l2, "L2 regularization strength, >= 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void FTRLProximal::step(std::vector<double>& w, const Features& gradient) {
  if (z_.size() < w.size()) {
    z_.resize(w.size(), 0.0);
    n_.resize(w.size(), 0.0);
  }
  const double alpha = options_.alpha;
  const double l1 = options_.l1;
  for (const auto& [i, gi] : gradient) {
    const double z = z_[i];
    if (std::abs(z) > l1) {
      const double sign = z > 0 ? 1.0 : (z < 0 ? -1.0 : 0.0);
      w[i] =
          -(1.0 / ((options_.beta + std::pow(n_[i], 0.5)) / alpha + options_.l2)) * (z - sign * l1);
    }
    const double g2 = gi * gi;
    const double sigma = (std::pow(n_[i] + g2, 0.5) - std::pow(n_[i], 0.5)) / alpha;
    z_[i] += gi - sigma * w[i];
    n_[i] += g2;
  }
  ++n_iterations_;
}

void FTRLProximal::save(StateWriter& out) const {
  Optimizer::save(out);
  out(z_, n_);
}

void FTRLProximal::load(StateReader& in) {
  Optimizer::load(in);
  in(z_, n_);
}

}  // namespace rivulet::ml
