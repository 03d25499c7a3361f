#pragma once
/// Online binary logistic regression trained one event at a time, River's
/// `linear_model.LogisticRegression(optimizer=optim.SGD(0.01), l2=0.0, l1=0.0, intercept_init=0.0,
/// intercept_lr=0.01, clip_gradient=1e12)`: the log loss on the shared GLM core (glm.h), whose
/// comment gives the order of one step. The intercept has its own constant learning rate, as in
/// River; the L1 penalty is the cumulative one of Tsuruoka et al. (2009), applied when l2 is 0.
/// Any optimizer works (`optimizer=optim.Adam()`); the L1 budget follows its learning rate.
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
/// EXPECT_GT(model->predict_positive(rivulet::Features{{0, 1.0}}), 0.75);
/// std::vector<double> proba;
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, -1.0}}, proba), no);
/// ```

#include <cmath>
#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/linear/glm.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class LogisticRegression final : public BinaryClassifier {
 public:
  using Options = GlmOptions;
  /// Returns kInvalidArgument if a REQUIRES clause of GlmOptions fails.
  static Result<std::unique_ptr<LogisticRegression>> create(Options options);
  static Result<std::unique_ptr<LogisticRegression>> from_params(Params& p);

  std::string_view name() const override { return "linear_model.LogisticRegression"; }
  double predict_positive(const Features& x) const override;
  void learn_binary(const Features& x, bool y) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// The raw score w.x + b.
  double raw_dot(const Features& x) const { return glm_.raw_dot(x); }
  const std::vector<double>& weights() const { return glm_.weights(); }
  double intercept() const { return glm_.intercept(); }
  const Glm& glm() const { return glm_; }

  explicit LogisticRegression(Options options);

 private:
  Glm glm_;
};

}  // namespace rivulet::ml
