#pragma once
/// Gaussian naive Bayes, River's `naive_bayes.GaussianNB`: one running Gaussian (mean and
/// variance with ddof=1) per class and feature. The joint log-likelihood of class c is
/// log P(c) + sum over x's features of log(1e-9 + pdf_c,i(x_i)); probabilities are its softmax.
/// It cannot predict before its first update.
/// Thread safety: none.
/// ```cpp example
/// auto model = rivulet::ml::GaussianNB::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto a = labels.intern("a"), b = labels.intern("b");
/// std::vector<double> proba;
/// EXPECT_FALSE(model->predict_proba_one(rivulet::Features{{0, 1.0}}, proba));
/// for (double v : {-1.0, -2.0, -3.0}) model->learn_one(rivulet::Features{{0, v}}, a);
/// for (double v : {1.0, 2.0, 3.0}) model->learn_one(rivulet::Features{{0, v}}, b);
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, -0.8}}, proba), a);
/// ```

#include <memory>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class GaussianNB final : public Classifier {
 public:
  struct Options {};
  static Result<std::unique_ptr<GaussianNB>> create(const Options& options);
  static Result<std::unique_ptr<GaussianNB>> from_params(Params& p);

  std::string_view name() const override { return "naive_bayes.GaussianNB"; }
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  /// The class of highest joint log-likelihood (the first learned on ties): River's argmax of
  /// the probabilities, without computing them.
  std::optional<ClassId> predict_one(const Features& x, std::vector<double>& scratch) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  GaussianNB() = default;

 private:
  // Welford state of one (class, feature) pair, plus the density's constants derived from it
  // at learn time (so that predicting costs one exp and one log per class and feature):
  // pdf(x) = exp((x - mean)^2 * neg_half_inv_var) * inv_norm, and 0 while the variance is 0.
  struct Gaussian {
    double n = 0, mean = 0, m2 = 0;
    double neg_half_inv_var = 0, inv_norm = 0;
    void refresh();
    template <class Archive>
    void serialize(Archive& ar) {
      ar(n, mean, m2);
      if constexpr (Archive::is_loading::value) refresh();
    }
  };
  // Fills ll[c] (resized to cover every class id) for each learned class c.
  void joint_log_likelihood(const Features& x, std::vector<double>& ll) const;

  std::vector<double> class_counts_;              // by class id
  std::vector<std::vector<Gaussian>> gaussians_;  // [class][feature]
  std::vector<ClassId> class_order_;              // classes in the order first learned
  double total_ = 0;
  mutable std::vector<double> terms_;             // per-feature scratch of one prediction
};

}  // namespace rivulet::ml
