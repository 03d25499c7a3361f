#pragma once
/// Online linear regression trained one event at a time, River's
/// `linear_model.LinearRegression(optimizer=optim.SGD(0.01), l2=0.0, l1=0.0, intercept_init=0.0,
/// intercept_lr=0.01, clip_gradient=1e12)`: the squared loss (p - y)^2, whose gradient is
/// 2 (p - y) as River's `optim.losses.Squared`, on the shared GLM core (glm.h). Scale the
/// features first (`preprocessing.StandardScaler | linear_model.LinearRegression`): plain SGD on
/// raw features diverges easily.
/// Thread safety: none.
/// ```cpp example
/// auto model = rivulet::ml::LinearRegression::create({}).value();
/// model->learn_one(rivulet::Features{{0, 1.0}}, 5.0);  // g = 2 (0 - 5) = -10
/// EXPECT_DOUBLE_EQ(model->weights()[0], 0.1);        // 0 - 0.01 * -10 * 1
/// EXPECT_DOUBLE_EQ(model->intercept(), 0.1);         // 0 - 0.01 * -10
/// EXPECT_DOUBLE_EQ(model->predict_one(rivulet::Features{{0, 2.0}}), 0.3);
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/linear/glm.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class LinearRegression final : public Regressor {
 public:
  using Options = GlmOptions;
  /// Returns kInvalidArgument if a REQUIRES clause of GlmOptions fails.
  static Result<std::unique_ptr<LinearRegression>> create(Options options);
  static Result<std::unique_ptr<LinearRegression>> from_params(Params& p);

  std::string_view name() const override { return "linear_model.LinearRegression"; }
  void learn_one(const Features& x, double y) override;
  /// River's `learn_one(x, y, w)`: one step with the loss gradient scaled by the sample weight
  /// `w` (Hoeffding tree leaves train their models with the weight of the sample).
  void learn_weighted(const Features& x, double y, double w);
  double predict_one(const Features& x) const override { return glm_.raw_dot(x); }
  void save(StateWriter& out) const override { glm_.save(out); }
  void load(StateReader& in) override { glm_.load(in); }
  void describe(Description& out) const override;

  const std::vector<double>& weights() const { return glm_.weights(); }
  double intercept() const { return glm_.intercept(); }
  const Glm& glm() const { return glm_; }

  explicit LinearRegression(Options options) : glm_(std::move(options)) {}

 private:
  Glm glm_;
};

}  // namespace rivulet::ml
