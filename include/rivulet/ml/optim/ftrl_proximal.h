#pragma once
/// FTRL-Proximal, River's `optim.FTRLProximal(alpha=0.05, beta=1, l1=0, l2=1)`. Each feature keeps
/// z (the adjusted sum of gradients) and n (the sum of squared gradients). As River 0.12 does it,
/// the whole update happens in `step` (River's FTRL has no look_ahead): for each feature i of the
/// gradient, first, when |z_i| > l1, the weight is set from the state before this sample,
/// w_i = -(z_i - sign(z_i) l1) / ((beta + sqrt(n_i)) / alpha + l2) (when |z_i| <= l1 it keeps its
/// value); then sigma = (sqrt(n_i + g_i^2) - sqrt(n_i)) / alpha, z_i += g_i - sigma w_i,
/// n_i += g_i^2. So the gradient a model computes is taken at weights one update behind z and n.
/// River's FTRL has no learning rate; `learning_rate()` returns alpha (used only by a model's
/// cumulative L1 penalty, which River cannot combine with this optimizer).
/// Thread safety: none.
/// Reference: H. B. McMahan et al., "Ad click prediction: a view from the trenches", KDD 2013.
/// ```cpp example
/// auto ftrl = rivulet::ml::FTRLProximal::create({}).value();
/// std::vector<double> w = {0.0};
/// ftrl->step(w, rivulet::Features{{0, 1.0}});  // z was 0: w stays 0; then z = 1, n = 1
/// EXPECT_EQ(w[0], 0.0);
/// ftrl->step(w, rivulet::Features{{0, 1.0}});  // w = -1 / ((1 + 1) / 0.05 + 1) = -1/41
/// EXPECT_DOUBLE_EQ(w[0], -1.0 / 41.0);
/// EXPECT_DOUBLE_EQ(ftrl->z()[0], 2.0 + (std::sqrt(2.0) - 1.0) / 0.05 / 41.0);
/// ```

#include <cmath>
#include <memory>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class FTRLProximal final : public Optimizer {
 public:
  struct Options {
    double alpha = 0.05;  ///< Scale of the per-feature learning rates. REQUIRES: > 0.
    double beta = 1.0;    ///< Smoothing of the per-feature learning rates. REQUIRES: >= 0.
    double l1 = 0.0;      ///< L1 regularization strength. REQUIRES: >= 0.
    double l2 = 1.0;      ///< L2 regularization strength. REQUIRES: >= 0.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<FTRLProximal>> create(const Options& options);
  static Result<std::unique_ptr<FTRLProximal>> from_params(Params& p);

  std::string_view name() const override { return "optim.FTRLProximal"; }
  std::unique_ptr<Optimizer> clone_fresh() const override {
    return std::make_unique<FTRLProximal>(options_);
  }
  void step(std::vector<double>& w, const Features& gradient) override;
  double learning_rate() const override { return options_.alpha; }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  const std::vector<double>& z() const { return z_; }
  const std::vector<double>& n() const { return n_; }

  explicit FTRLProximal(const Options& options) : options_(options) {}

 private:
  Options options_;
  std::vector<double> z_;  // by feature index, grown with the weights
  std::vector<double> n_;
};

}  // namespace rivulet::ml
