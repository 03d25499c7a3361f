#pragma once
/// AdaGrad, River's `optim.AdaGrad(lr=0.1, eps=1e-8)`: each feature keeps the sum of its squared
/// gradients G_i, and moves by w_i -= lr / sqrt(G_i + eps) * g_i (G_i updated first).
/// Thread safety: none.
/// Reference: J. Duchi, E. Hazan, Y. Singer, "Adaptive subgradient methods for online learning
/// and stochastic optimization", JMLR 12, 2011.
/// ```cpp example
/// auto adagrad = rivulet::ml::AdaGrad::create({.lr = 0.5, .eps = 0.0}).value();
/// std::vector<double> w = {1.0, 1.0};
/// adagrad->step(w, rivulet::Features{{1, 4.0}});  // G = 16: w -= 0.5 / 4 * 4
/// EXPECT_EQ(w[0], 1.0);
/// EXPECT_EQ(w[1], 0.5);
/// ```

#include <memory>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class AdaGrad final : public Optimizer {
 public:
  struct Options {
    double lr = 0.1;    ///< Learning rate. REQUIRES: > 0.
    double eps = 1e-8;  ///< Added to the sum of squares under the root. REQUIRES: >= 0.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<AdaGrad>> create(const Options& options);
  static Result<std::unique_ptr<AdaGrad>> from_params(Params& p);

  std::string_view name() const override { return "optim.AdaGrad"; }
  std::unique_ptr<Optimizer> clone_fresh() const override {
    return std::make_unique<AdaGrad>(options_);
  }
  void step(std::vector<double>& w, const Features& gradient) override;
  double learning_rate() const override { return options_.lr; }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  /// The sums of squared gradients, by feature index.
  const std::vector<double>& g2() const { return g2_; }

  explicit AdaGrad(const Options& options) : options_(options) {}

 private:
  Options options_;
  std::vector<double> g2_;  // by feature index, grown with the weights
};

}  // namespace rivulet::ml
