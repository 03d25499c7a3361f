#pragma once
/// Bernoulli naive Bayes, River's `naive_bayes.BernoulliNB(alpha=1.0, true_threshold=0.0)`: each
/// feature is binarized (true when its value is above `true_threshold`). With N(c) the number of
/// samples of class c and N(f, c) the number of them where f was true,
/// P(f | c) = (N(f, c) + alpha) / (N(c) + 2 alpha), and the joint log-likelihood of class c is
///   log P(c) + sum over every feature ever learned of log(1e-9 + P(f | c)) when f is true in x,
///   else log(1e-9 + 1 - P(f | c)),
/// so, as in River, a feature absent from x counts as false and features x has that were never
/// learned are ignored. A feature becomes known the first time a learned sample holds it, true
/// or not. The sum runs over the known features in the order they were first learned, as River
/// iterates its dict, so a prediction costs O(classes x known features) and allocates nothing.
/// It cannot predict before its first update.
/// Thread safety: none (predictions reuse a member buffer).
/// Reference: C. D. Manning, P. Raghavan, H. Schütze, "Introduction to Information Retrieval",
/// section 13.3, The Bernoulli model.
/// ```cpp example
/// auto model = rivulet::ml::BernoulliNB::create({}).value();
/// rivulet::LabelEncoder labels;
/// model->attach({nullptr, &labels});
/// const auto yes = labels.intern("yes"), no = labels.intern("no");
/// // Features 0..5: Chinese, Beijing, Shanghai, Macao, Tokyo, Japan (term counts).
/// model->learn_one(rivulet::Features{{0, 2}, {1, 1}}, yes);
/// model->learn_one(rivulet::Features{{0, 2}, {2, 1}}, yes);
/// model->learn_one(rivulet::Features{{0, 1}, {3, 1}}, yes);
/// model->learn_one(rivulet::Features{{4, 1}, {5, 1}, {0, 1}}, no);
/// std::vector<double> proba;
/// ASSERT_TRUE(model->predict_proba_one(rivulet::Features{{6, 1}}, proba));  // "test": unknown
/// EXPECT_NEAR(proba[yes], 0.8831539823829913, 1e-15);  // River's docstring
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {

class BernoulliNB final : public Classifier {
 public:
  struct Options {
    double alpha = 1.0;           ///< Additive (Laplace/Lidstone) smoothing. REQUIRES: >= 0.
    double true_threshold = 0.0;  ///< A value above this is true.
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<BernoulliNB>> create(const Options& options);
  static Result<std::unique_ptr<BernoulliNB>> from_params(Params& p);

  std::string_view name() const override { return "naive_bayes.BernoulliNB"; }
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
  /// P(f | c), smoothed.
  double p_feature_given_class(FeatureIndex f, ClassId c) const;
  /// The joint log-likelihood of each learned class, indexed by class id (0 for classes not
  /// learned); false before the first update.
  bool joint_log_likelihood(const Features& x, std::vector<double>& out) const;

  explicit BernoulliNB(const Options& options) : options_(options) {}

 private:
  Options options_;
  std::vector<double> class_counts_;         // N(c), by class id
  std::vector<std::vector<double>> counts_;  // N(f, c) as [class][feature]
  std::vector<ClassId> class_order_;         // classes in the order first learned
  std::vector<FeatureIndex> known_;          // features in the order first learned
  std::vector<uint8_t> is_known_;            // by feature
  double total_ = 0;                         // sum of N(c)
  // Marks the features that are true in the x being predicted: true_mark_[f] == stamp_.
  mutable std::vector<uint64_t> true_mark_;
  mutable uint64_t stamp_ = 0;
};

}  // namespace rivulet::ml
