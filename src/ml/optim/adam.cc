#include "rivulet/ml/optim/adam.h"

#include <fmt/format.h>

#include <cmath>

namespace rivulet::ml {

Result<std::unique_ptr<Adam>> Adam::create(const Options& options) {
  auto bad = [](std::string_view what) {
    return Status::invalid_argument(fmt::format("optim.Adam: {}", what));
  };
  if (!(options.lr > 0)) return bad(fmt::format("lr must be > 0, got {}", options.lr));
  if (!(options.beta_1 >= 0 && options.beta_1 < 1)) {
    return bad(fmt::format("beta_1 must be in [0, 1), got {}", options.beta_1));
  }
  if (!(options.beta_2 >= 0 && options.beta_2 < 1)) {
    return bad(fmt::format("beta_2 must be in [0, 1), got {}", options.beta_2));
  }
  if (!(options.eps >= 0)) return bad(fmt::format("eps must be >= 0, got {}", options.eps));
  return std::make_unique<Adam>(options);
}

Result<std::unique_ptr<Adam>> Adam::from_params(Params& p) {
  Options o;
  o.lr = p.number("lr", o.lr, "learning rate, > 0");
  o.beta_1 = p.number("beta_1", o.beta_1, "decay of the gradient's running mean, in [0, 1)");
  o.beta_2 =
      p.number("beta_2", o.beta_2, "decay of the squared gradient's running mean, in [0, 1)");
  o.eps = p.number("eps", o.eps, "added to the root of the squared-gradient mean, >= 0");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void Adam::step(std::vector<double>& w, const Features& gradient) {
  if (m_.size() < w.size()) {
    m_.resize(w.size(), 0.0);
    v_.resize(w.size(), 0.0);
  }
  const double t = static_cast<double>(n_iterations_ + 1);
  // Both bias corrections fold into the step size, in River's order.
  double lr = options_.lr * std::pow(1.0 - std::pow(options_.beta_2, t), 0.5);
  lr /= 1.0 - std::pow(options_.beta_1, t);
  const double b1 = options_.beta_1;
  const double b2 = options_.beta_2;
  for (const auto& [i, gi] : gradient) {
    double& m = m_[i];
    double& v = v_[i];
    m = b1 * m + (1.0 - b1) * gi;
    v = b2 * v + (1.0 - b2) * (gi * gi);
    w[i] -= lr * m / (std::pow(v, 0.5) + options_.eps);
  }
  ++n_iterations_;
}

void Adam::save(StateWriter& out) const {
  Optimizer::save(out);
  out(m_, v_);
}

void Adam::load(StateReader& in) {
  Optimizer::load(in);
  in(m_, v_);
}

}  // namespace rivulet::ml
