#pragma once
/// Multinomial naive Bayes, River's `naive_bayes.MultinomialNB(alpha=1.0)`, for counts or
/// frequencies (the values should be non-negative). With N(c) the number of samples of class c,
/// N(f, c) the sum of feature f's values over them, T(c) the sum of all values over them and V
/// the number of features ever learned, the joint log-likelihood of class c is
///   log P(c) + sum over x's features of x_f * log((N(f, c) + alpha) / (T(c) + alpha * V)),
/// a feature never learned counting with N(f, c) = 0; probabilities are its softmax. It cannot
/// predict before its first update. Where River raises a math domain error (a log of 0 with
/// alpha = 0, or of a negative number when values are negative, e.g. on Bananas), the
/// log-likelihood here is -inf or NaN; when every class gets -inf, or any gets NaN, the
/// probabilities fall back to the class priors.
/// Thread safety: none.
/// Reference: C. D. Manning, P. Raghavan, H. Schütze, "Introduction to Information Retrieval",
/// section 13.2, Naive Bayes text classification.
/// ```cpp example
/// auto model = rivulet::ml::MultinomialNB::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto yes = labels.intern("yes"), no = labels.intern("no");
/// // Features 0..5: Chinese, Beijing, Shanghai, Macao, Tokyo, Japan (term counts).
/// model->learn_one(rivulet::Features{{0, 2}, {1, 1}}, yes);
/// model->learn_one(rivulet::Features{{0, 2}, {2, 1}}, yes);
/// model->learn_one(rivulet::Features{{0, 1}, {3, 1}}, yes);
/// model->learn_one(rivulet::Features{{4, 1}, {5, 1}, {0, 1}}, no);
/// EXPECT_EQ(model->p_class(yes), 0.75);
/// EXPECT_EQ(model->p_feature_given_class(0, yes), (5.0 + 1) / (8 + 6));
/// std::vector<double> proba;
/// EXPECT_EQ(model->predict_one(rivulet::Features{{0, 3}, {4, 1}, {5, 1}}, proba), yes);
/// ```

#include <memory>
#include <optional>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class MultinomialNB final : public Classifier {
 public:
  struct Options {
    double alpha = 1.0;  ///< Additive (Laplace/Lidstone) smoothing; 0 for none. REQUIRES: >= 0.
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<MultinomialNB>> create(const Options& options);
  static Result<std::unique_ptr<MultinomialNB>> from_params(Params& p);

  std::string_view name() const override { return "naive_bayes.MultinomialNB"; }
  void learn_one(const Features& x, ClassId y) override;
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  /// The most probable class, the first learned among equals (River's dict order).
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;

  /// P(c): the share of learned samples of class c. REQUIRES: a sample was learned.
  double p_class(ClassId c) const;
  /// P(f | c), smoothed. REQUIRES: a sample was learned.
  double p_feature_given_class(FeatureIndex f, ClassId c) const;
  /// The joint log-likelihood of each learned class, indexed by class id (0 for classes not
  /// learned); false before the first update.
  bool joint_log_likelihood(const Features& x, std::vector<double>& out) const;

  explicit MultinomialNB(const Options& options) : options_(options) {}

 private:
  Options options_;
  std::vector<double> class_counts_;         // N(c), by class id
  std::vector<double> class_totals_;         // T(c), by class id
  std::vector<std::vector<double>> counts_;  // N(f, c) as [class][feature]
  std::vector<ClassId> class_order_;         // classes in the order first learned
  std::vector<uint8_t> known_;               // by feature: learned at least once
  double n_terms_ = 0;                       // V
  double total_ = 0;                         // sum of N(c)
};

}  // namespace rivulet::ml
