#pragma once
/// The perceptron, River's `linear_model.Perceptron(l2=0.0, clip_gradient=1e12)`: as in River, a
/// logistic regression (the shared GLM core, glm.h) whose loss is the hinge loss with threshold 0
/// and whose weights and intercept both learn with rate 1 (optim.SGD(1), intercept_lr=1). When
/// y * raw <= 0 (a mistake, or a zero score) the weights move by y * x and the intercept by y,
/// with y in {-1, 1}; otherwise nothing changes. Probabilities are sigmoid(raw), as River's.
/// Thread safety: none.
/// Reference: F. Rosenblatt, "The perceptron: a probabilistic model for information storage and
/// organization in the brain", Psychological Review 65(6), 1958.
/// ```cpp example
/// auto model = rivulet::ml::Perceptron::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto yes = labels.intern("1"), no = labels.intern("0");
/// model->learn_one(rivulet::Features{{0, 2.0}}, no);   // raw 0: a mistake
/// EXPECT_EQ(model->weights()[0], -2.0);
/// EXPECT_EQ(model->intercept(), -1.0);
/// model->learn_one(rivulet::Features{{0, -1.0}}, no);  // raw = 2 - 1 = 1 > 0: a mistake
/// EXPECT_EQ(model->weights()[0], -1.0);
/// std::vector<double> proba;
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, -3.0}}, proba), yes);
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/linear/glm.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class Perceptron final : public BinaryClassifier {
 public:
  struct Options {
    double l2 = 0.0;              ///< L2 penalty. REQUIRES: >= 0.
    double clip_gradient = 1e12;  ///< Bound on the loss gradient. REQUIRES: > 0.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<Perceptron>> create(const Options& options);
  static Result<std::unique_ptr<Perceptron>> from_params(Params& p);

  std::string_view name() const override { return "linear_model.Perceptron"; }
  double predict_positive(const Features& x) const override { return sigmoid(glm_.raw_dot(x)); }
  void learn_binary(const Features& x, bool y) override;
  void save(StateWriter& out) const override { glm_.save(out); }
  void load(StateReader& in) override { glm_.load(in); }
  void describe(Description& out) const override;

  const std::vector<double>& weights() const { return glm_.weights(); }
  double intercept() const { return glm_.intercept(); }

  explicit Perceptron(const Options& options);

 private:
  Glm glm_;
};

}  // namespace rivulet::ml
