#pragma once
/// The generalized linear model core that LinearRegression, LogisticRegression and Perceptron
/// share, River's `linear_model.base.GLM` (0.12): weights indexed by feature, a separately
/// learned intercept, an optimizer for the weights, and L2 or cumulative L1 penalties. One
/// learning step, in River's order:
/// 1. the optimizer's look_ahead (before the prediction the gradient needs);
/// 2. g = clamp(dLoss/draw at raw = w.x + b, +-clip_gradient);
/// 3. b -= intercept_lr * g;
/// 4. the optimizer steps with the gradient g * x_i + l2 * w_i over the features of x;
/// 5. when l1 > 0 and l2 == 0, the cumulative L1 penalty of Tsuruoka et al. (2009) is applied to
///    the features of x, its budget growing by l1 times the optimizer's learning rate as it is
///    after the step (River: "after the learning_rate update"). As in River 0.12, l1 is ignored
///    when l2 is set.
/// The GLM is a part of a learner, not a learner: each model owns one.
/// Thread safety: none.
/// Reference: Y. Tsuruoka, J. Tsujii, S. Ananiadou, "Stochastic gradient descent training for
/// L1-regularized log-linear models with cumulative penalty", ACL 2009.
/// ```cpp example
/// rivulet::ml::Glm glm({});  // optim.SGD(0.01), intercept_lr 0.01
/// // Squared loss at y = 1 from all-zero weights: g = 2 * (0 - 1) = -2.
/// glm.learn(rivulet::Features{{0, 3.0}}, [](double raw) { return 2.0 * (raw - 1.0); });
/// EXPECT_DOUBLE_EQ(glm.weights()[0], 0.06);   // 0 - 0.01 * (-2 * 3)
/// EXPECT_DOUBLE_EQ(glm.intercept(), 0.02);    // 0 - 0.01 * -2
/// EXPECT_DOUBLE_EQ(glm.raw_dot(rivulet::Features{{0, 1.0}}), 0.08);
/// ```

#include <cmath>
#include <memory>
#include <string_view>
#include <vector>

#include "rivulet/core/features.h"
#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class Glm {
 public:
  /// The options of River's GLMs (LinearRegression and LogisticRegression share these defaults).
  struct Options {
    /// Optimizer of the weights; null means optim.SGD(0.01).
    std::unique_ptr<Optimizer> optimizer = nullptr;
    double l2 = 0.0;              ///< L2 penalty. REQUIRES: >= 0.
    double l1 = 0.0;              ///< L1 penalty (cumulative; ignored when l2 > 0). REQUIRES: >= 0.
    double intercept_init = 0.0;  ///< Initial intercept. REQUIRES: finite.
    double intercept_lr = 0.01;   ///< Intercept learning rate; 0 freezes it. REQUIRES: >= 0.
    double clip_gradient = 1e12;  ///< Bound on |dLoss/draw|. REQUIRES: > 0.
  };
  /// Checks the REQUIRES clauses; `owner` (e.g. "linear_model.LinearRegression") starts the
  /// message. Returns kInvalidArgument when one fails.
  static Status validate(const Options& options, std::string_view owner);
  /// Reads River's GLM parameters in its signature order: optimizer, l2, l1, intercept_init,
  /// intercept_lr, clip_gradient (River's `loss` and `initializer` are not offered: the loss is
  /// the model's, the weights start at zero).
  static Options read_params(Params& p);

  explicit Glm(Options options);

  /// w.x + b; features beyond the known ones weigh 0.
  double raw_dot(const Features& x) const;

  /// One learning step on x; `loss_gradient(raw)` returns dLoss/draw at the raw score.
  template <typename LossGradient>
  void learn(const Features& x, LossGradient&& loss_gradient) {
    prepare(x);
    update(x, loss_gradient(raw_dot(x)));
  }

  const std::vector<double>& weights() const { return weights_; }
  double intercept() const { return intercept_; }
  const Options& options() const { return options_; }
  const Optimizer& optimizer() const { return *options_.optimizer; }

  /// Weights, intercept, L1 state, then the optimizer's state.
  void save(StateWriter& out) const;
  void load(StateReader& in);
  /// The intercept and the non-zero weights, named by `name_of`.
  template <typename NameOf>
  void describe(Description& out, NameOf&& name_of) const {
    out.add("intercept", intercept_);
    for (FeatureIndex i = 0; i < weights_.size(); ++i) {
      if (weights_[i] != 0.0) out.add("weight[" + name_of(i) + "]", weights_[i]);
    }
  }

 private:
  // Grows the parameters to x's features and runs the optimizer's look_ahead.
  void prepare(const Features& x);
  // Steps 2 to 5 of the class comment, given the unclipped loss gradient.
  void update(const Features& x, double loss_gradient);

  Options options_;
  std::vector<double> weights_;
  double intercept_;
  // Cumulative L1 penalty state (Tsuruoka et al.).
  double max_cum_l1_ = 0.0;
  std::vector<double> cum_l1_;
  Features gradient_;  // reused: no allocation per sample
};

/// The options of LinearRegression and LogisticRegression.
using GlmOptions = Glm::Options;

/// River's `utils.math.sigmoid`: 1 / (1 + e^-x), clamped to exactly 0 and 1 beyond |x| > 30.
inline double sigmoid(double x) {
  if (x < -30.0) return 0.0;
  if (x > 30.0) return 1.0;
  return 1.0 / (1.0 + std::exp(-x));
}

/// Gradient of River's `optim.losses.Log` with respect to the raw score, y in {0, 1}.
double log_loss_gradient(bool y, double raw);

/// Gradient of River's `optim.losses.Hinge(threshold)`: -y when y * raw <= threshold, else 0,
/// with y in {-1, 1}.
inline double hinge_loss_gradient(bool y, double raw, double threshold) {
  const double sign = y ? 1.0 : -1.0;
  return sign * raw <= threshold ? -sign : 0.0;
}

/// Gradient of River's `optim.losses.Squared`: 2 (raw - y).
inline double squared_loss_gradient(double y, double raw) { return 2.0 * (raw - y); }

/// The step size of River's passive-aggressive learners (`linear_model.pa.BasePA`), shared by
/// PAClassifier and PARegressor, from the loss and the squared norm |x|^2 (which leaves the
/// intercept out): mode 0 (PA) loss / |x|^2, mode 1 (PA-I) min(C, loss / |x|^2), both 0 when
/// |x| = 0; mode 2 (PA-II) loss / (|x|^2 + 1 / (2C)). REQUIRES: mode in {0, 1, 2}, C > 0.
double passive_aggressive_tau(int mode, double C, const Features& x, double loss);

}  // namespace rivulet::ml
