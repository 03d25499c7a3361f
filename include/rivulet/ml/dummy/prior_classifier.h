#pragma once
/// A baseline that predicts the class frequencies seen so far, River's `dummy.PriorClassifier`:
/// probabilities are the normalized class counts and the prediction is the most frequent class
/// (the first learned among equals). It cannot predict before its first label.
/// Thread safety: none.
/// ```cpp example
/// auto model = rivulet::ml::PriorClassifier::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto plus = labels.intern("+"), minus = labels.intern("-");
/// for (auto y : {plus, plus, plus, minus}) model->learn_one(rivulet::Features{}, y);
/// std::vector<double> proba;
/// ASSERT_TRUE(model->predict_proba_one(rivulet::Features{}, proba));
/// EXPECT_EQ(proba[plus], 0.75);
/// EXPECT_EQ(proba[minus], 0.25);
/// EXPECT_EQ(model->predict_one(rivulet::Features{}, proba), plus);
/// ```

#include <memory>
#include <optional>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class PriorClassifier final : public Classifier {
 public:
  struct Options {};
  static Result<std::unique_ptr<PriorClassifier>> create(const Options& options);
  static Result<std::unique_ptr<PriorClassifier>> from_params(Params& p);

  std::string_view name() const override { return "dummy.PriorClassifier"; }
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;
  void save(StateWriter& out) const override { out(counts_, class_order_, n_); }
  void load(StateReader& in) override { in(counts_, class_order_, n_); }
  void describe(Description& out) const override;

  PriorClassifier() = default;

 private:
  std::vector<double> counts_;        // by class id
  std::vector<ClassId> class_order_;  // classes in the order first learned (River's dict order)
  double n_ = 0;
};

}  // namespace rivulet::ml
