#pragma once
/// Adam, River's `optim.Adam(lr=0.1, beta_1=0.9, beta_2=0.999, eps=1e-8)`: per-feature running
/// means of the gradient (m) and of its square (v). As River, the bias correction folds into the
/// step size with the optimizer's own iteration counter t (the number of steps taken so far):
/// lr_t = lr sqrt(1 - beta_2^(t+1)) / (1 - beta_1^(t+1)), then w_i -= lr_t m_i / (sqrt(v_i) + eps)
/// for each feature i of the gradient. Only the features of the gradient move. (Inside River's
/// GLMs Adam takes its vector path, which also decays m and v of the features absent from x and
/// rewrites their weights; when every sample has every feature, as in River's datasets, both are
/// the same update.)
/// Thread safety: none.
/// Reference: D. P. Kingma, J. Ba, "Adam: A method for stochastic optimization", ICLR 2015.
/// ```cpp example
/// auto adam = rivulet::ml::Adam::create({}).value();
/// std::vector<double> w = {0.0};
/// adam->step(w, rivulet::Features{{0, 2.0}});
/// // m = 0.2, v = 0.004, lr_1 = 0.1 * sqrt(0.001) / 0.1: the first step moves by ~lr.
/// EXPECT_NEAR(w[0], -0.1, 1e-6);
/// EXPECT_EQ(adam->n_iterations(), 1u);
/// ```

#include <memory>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class Adam final : public Optimizer {
 public:
  struct Options {
    double lr = 0.1;        ///< Learning rate. REQUIRES: > 0.
    double beta_1 = 0.9;    ///< Decay of the gradient's running mean. REQUIRES: in [0, 1).
    double beta_2 = 0.999;  ///< Decay of the squared gradient's running mean. REQUIRES: in [0, 1).
    double eps = 1e-8;      ///< Added to sqrt(v). REQUIRES: >= 0.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<Adam>> create(const Options& options);
  static Result<std::unique_ptr<Adam>> from_params(Params& p);

  std::string_view name() const override { return "optim.Adam"; }
  std::unique_ptr<Optimizer> clone_fresh() const override {
    return std::make_unique<Adam>(options_);
  }
  void step(std::vector<double>& w, const Features& gradient) override;
  double learning_rate() const override { return options_.lr; }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  const std::vector<double>& m() const { return m_; }
  const std::vector<double>& v() const { return v_; }

  explicit Adam(const Options& options) : options_(options) {}

 private:
  Options options_;
  std::vector<double> m_;  // by feature index, grown with the weights
  std::vector<double> v_;
};

}  // namespace rivulet::ml
