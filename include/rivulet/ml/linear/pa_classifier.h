#pragma once
/// Passive-aggressive binary classification, River's `linear_model.PAClassifier(C=1.0, mode=1,
/// learn_intercept=True)`. With y in {-1, 1} and the raw score r = w.x + b, the hinge loss is
/// max(1 - y r, 0); the model takes the step tau * y along x (and y tau for the intercept), with
/// tau from the loss and |x|^2 (see `passive_aggressive_tau` in glm.h): PA (mode 0), PA-I
/// (mode 1, capped at C) or PA-II (mode 2). Probabilities are sigmoid(r), as River's.
/// Thread safety: none.
/// Reference: K. Crammer, O. Dekel, J. Keshet, S. Shalev-Shwartz, Y. Singer, "Online
/// passive-aggressive algorithms", JMLR 7, 2006.
/// ```cpp example
/// auto model = rivulet::ml::PAClassifier::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto yes = labels.intern("1"), no = labels.intern("0");
/// model->learn_one(rivulet::Features{{0, 2.0}}, yes);  // loss 1, tau = min(1, 1 / 4)
/// EXPECT_EQ(model->weights()[0], 0.5);
/// EXPECT_EQ(model->intercept(), 0.25);
/// std::vector<double> proba;
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, -1.0}}, proba), no);  // r = -0.25
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class PAClassifier final : public BinaryClassifier {
 public:
  struct Options {
    double C = 1.0;  ///< Aggressiveness (cap of PA-I, softness of PA-II). REQUIRES: > 0.
    int mode = 1;    ///< 0: PA, 1: PA-I, 2: PA-II. REQUIRES: 0, 1 or 2.
    bool learn_intercept = true;  ///< Whether the intercept learns.
  };
  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<PAClassifier>> create(const Options& options);
  static Result<std::unique_ptr<PAClassifier>> from_params(Params& p);

  std::string_view name() const override { return "linear_model.PAClassifier"; }
  double predict_positive(const Features& x) const override;
  void learn_binary(const Features& x, bool y) override;
  void save(StateWriter& out) const override { out(weights_, intercept_); }
  void load(StateReader& in) override { in(weights_, intercept_); }
  void describe(Description& out) const override;

  const std::vector<double>& weights() const { return weights_; }
  double intercept() const { return intercept_; }

  explicit PAClassifier(const Options& options) : options_(options) {}

 private:
  double raw_dot(const Features& x) const;

  Options options_;
  std::vector<double> weights_;
  double intercept_ = 0.0;
};

}  // namespace rivulet::ml
