#pragma once
/// Online binary logistic regression trained one event at a time, River's
/// `linear_model.LogisticRegression(optimizer=optim.SGD(0.01), l2=0.0, l1=0.0, intercept_init=0.0,
/// intercept_lr=0.01, clip_gradient=1e12)`. The intercept has its own constant learning rate, as
/// in River; the L1 penalty is the cumulative one of Tsuruoka et al. (2009), applied when l2 is 0.
/// Thread safety: none.
/// Reference: Y. Tsuruoka, J. Tsujii, S. Ananiadou, "Stochastic gradient descent training for
/// L1-regularized log-linear models with cumulative penalty", ACL 2009.
/// ```cpp example
/// auto model = rivulet::ml::LogisticRegression::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto yes = labels.intern("1"), no = labels.intern("0");
/// for (int i = 0; i < 200; ++i) {
///   model->learn_one(rivulet::Features{{0, 1.0}}, yes);
///   model->learn_one(rivulet::Features{{0, -1.0}}, no);
/// }
/// EXPECT_GT(model->predict_positive(rivulet::Features{{0, 1.0}}), 0.8);
/// std::vector<double> proba;
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, -1.0}}, proba), no);
/// ```

#include <cmath>
#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class LogisticRegression final : public BinaryClassifier {
 public:
  struct Options {
    std::unique_ptr<Optimizer> optimizer;  ///< Weights' optimizer; null means optim.SGD(0.01).
    double l2 = 0.0;                       ///< L2 penalty. REQUIRES: >= 0.
    double l1 = 0.0;                       ///< L1 penalty (cumulative). REQUIRES: >= 0.
    double intercept_init = 0.0;           ///< Initial intercept.
    double intercept_lr = 0.01;            ///< Intercept learning rate. REQUIRES: >= 0.
    double clip_gradient = 1e12;           ///< Bound on the loss gradient. REQUIRES: > 0.
  };
  static Result<std::unique_ptr<LogisticRegression>> create(Options options);
  static Result<std::unique_ptr<LogisticRegression>> from_params(Params& p);

  std::string_view name() const override { return "linear_model.LogisticRegression"; }
  double predict_positive(const Features& x) const override;
  void learn_binary(const Features& x, bool y) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// The raw score w.x + b.
  double raw_dot(const Features& x) const;
  const std::vector<double>& weights() const { return weights_; }
  double intercept() const { return intercept_; }

  explicit LogisticRegression(Options options);

 private:
  Options options_;
  std::vector<double> weights_;
  double intercept_;
  // Cumulative L1 penalty state (Tsuruoka et al.).
  double max_cum_l1_ = 0.0;
  std::vector<double> cum_l1_;
  Features gradient_;
};

/// River's `utils.math.sigmoid`: 1 / (1 + e^-x), clamped to exactly 0 and 1 beyond |x| > 30.
inline double sigmoid(double x) {
  if (x < -30.0) return 0.0;
  if (x > 30.0) return 1.0;
  return 1.0 / (1.0 + std::exp(-x));
}

/// Gradient of River's `optim.losses.Log` with respect to the raw score, y in {0, 1}.
double log_loss_gradient(bool y, double raw);

}  // namespace rivulet::ml
