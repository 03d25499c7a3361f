#pragma once
/// Multinomial logistic regression, River's `linear_model.SoftmaxRegression(optimizer=
/// optim.SGD(0.01), l2=0)` with its cross-entropy loss. As River: one weight vector and one
/// optimizer per class (each class's optimizer is a fresh copy of the one given, so Adam counts
/// its own steps per class), no intercept, and a class exists from the first time it is learned.
/// Before any learning the model cannot predict (River's empty dict); afterwards it predicts
/// over the classes learned so far (the others get probability 0). One step on (x, y): the
/// probabilities p_c = softmax(w_c . x) over the learned classes, then for each of them and for
/// y (a new y has p = 0) the gradient (clamp(p_c, 1e-15, 1 - 1e-15) - [c == y]) x_i + l2 w_c,i.
/// Thread safety: none.
/// Reference: River's SoftmaxRegression (online-ml/river, river/linear_model/softmax.py).
/// ```cpp example
/// auto model = rivulet::ml::SoftmaxRegression::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto a = labels.intern("a"), b = labels.intern("b");
/// std::vector<double> proba;
/// EXPECT_FALSE(model->predict_proba_one(rivulet::Features{{0, 1.0}}, proba));
/// model->learn_one(rivulet::Features{{0, 1.0}}, a);  // g_a = 1e-15 - 1
/// EXPECT_NEAR(model->weights(a)[0], 0.01, 1e-15);
/// ASSERT_TRUE(model->predict_proba_one(rivulet::Features{{0, 1.0}}, proba));
/// EXPECT_EQ(proba, (std::vector<double>{1.0, 0.0}));  // b is not learned yet
/// for (int i = 0; i < 100; ++i) {
///   model->learn_one(rivulet::Features{{0, 1.0}}, a);
///   model->learn_one(rivulet::Features{{0, -1.0}}, b);
/// }
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, -2.0}}, proba), b);
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class SoftmaxRegression final : public Classifier {
 public:
  struct Options {
    /// Prototype of each class's optimizer; null means optim.SGD(0.01).
    std::unique_ptr<Optimizer> optimizer = nullptr;
    double l2 = 0.0;  ///< L2 penalty. REQUIRES: >= 0.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<SoftmaxRegression>> create(Options options);
  static Result<std::unique_ptr<SoftmaxRegression>> from_params(Params& p);

  std::string_view name() const override { return "linear_model.SoftmaxRegression"; }
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// The weights of class c (empty when c was never learned).
  const std::vector<double>& weights(ClassId c) const;
  /// The classes learned so far, in the order first learned.
  const std::vector<ClassId>& classes() const { return order_; }

  explicit SoftmaxRegression(Options options);

 private:
  struct PerClass {
    bool learned = false;
    std::vector<double> weights;
    std::unique_ptr<Optimizer> optimizer;
  };
  double dot(const std::vector<double>& w, const Features& x) const;
  // Softmax of the learned classes' scores into `proba` (indexed by class id, sized >= size).
  void softmax(const Features& x, std::vector<double>& proba, size_t size) const;
  void add_class(ClassId c);

  Options options_;
  std::vector<PerClass> classes_;  // by class id
  std::vector<ClassId> order_;     // learned classes, first learned first
  std::vector<double> proba_;      // reused by learn_one
  Features gradient_;              // reused by learn_one
};

}  // namespace rivulet::ml
