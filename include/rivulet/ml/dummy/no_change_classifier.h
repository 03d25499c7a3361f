#pragma once
/// A baseline that predicts the last label it learned, River's `dummy.NoChangeClassifier`.
/// Its probabilities are 1 for that label and 0 for every other. Before its first label it
/// cannot predict (River returns None and an empty dict), so a prequential evaluation does not
/// score the first sample.
/// Thread safety: none.
/// ```cpp example
/// auto model = rivulet::ml::NoChangeClassifier::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// std::vector<double> proba;
/// EXPECT_EQ(model->predict_one(rivulet::Features{}, proba), std::nullopt);
/// const auto plus = labels.intern("+"), minus = labels.intern("-");
/// model->learn_one(rivulet::Features{}, plus);
/// model->learn_one(rivulet::Features{}, minus);
/// EXPECT_EQ(model->predict_one(rivulet::Features{}, proba), minus);
/// ```

#include <memory>
#include <optional>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class NoChangeClassifier final : public Classifier {
 public:
  struct Options {};
  static Result<std::unique_ptr<NoChangeClassifier>> create(const Options& options);
  static Result<std::unique_ptr<NoChangeClassifier>> from_params(Params& p);

  std::string_view name() const override { return "dummy.NoChangeClassifier"; }
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;
  void save(StateWriter& out) const override { out(last_); }
  void load(StateReader& in) override { in(last_); }
  void describe(Description& out) const override;

  NoChangeClassifier() = default;

 private:
  ClassId last_ = kNoClass;
};

}  // namespace rivulet::ml
