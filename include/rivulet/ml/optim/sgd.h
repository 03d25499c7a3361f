#pragma once
/// Plain stochastic gradient descent, River's `optim.SGD(lr=0.01)`: w -= lr * g.
/// Thread safety: none.
/// ```cpp example
/// auto sgd = rivulet::ml::SGD::create({.lr = 0.5}).value();
/// std::vector<double> w = {1.0, 1.0};
/// sgd->step(w, rivulet::Features{{1, 2.0}});
/// EXPECT_EQ(w[0], 1.0);
/// EXPECT_EQ(w[1], 0.0);
/// EXPECT_EQ(sgd->n_iterations(), 1u);
/// ```

#include <memory>

#include "rivulet/core/status.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class SGD final : public Optimizer {
 public:
  struct Options {
    double lr = 0.01;  ///< Learning rate. REQUIRES: > 0.
  };
  static Result<std::unique_ptr<SGD>> create(const Options& options);
  static Result<std::unique_ptr<SGD>> from_params(Params& p);

  std::string_view name() const override { return "optim.SGD"; }
  std::unique_ptr<Optimizer> clone_fresh() const override { return std::make_unique<SGD>(options_); }
  void step(std::vector<double>& w, const Features& gradient) override {
    for (const auto& g : gradient) w[g.index] -= options_.lr * g.value;
    ++n_iterations_;
  }
  double learning_rate() const override { return options_.lr; }

  explicit SGD(const Options& options) : options_(options) {}

 private:
  Options options_;
};

}  // namespace rivulet::ml
