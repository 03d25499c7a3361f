#pragma once
/// Extremely Fast Decision Tree (Hoeffding Anytime Tree), River 0.12.1's
/// `tree.ExtremelyFastDecisionTreeClassifier`: a Hoeffding tree that splits a leaf as soon as
/// the best split beats not splitting (merit 0) by the Hoeffding bound, and keeps revisiting its
/// decisions: every branch goes on learning (class statistics and splitters) from the samples
/// that pass through it and, every `min_samples_reevaluate` of weight, compares its split with
/// the best one now. A better split on another attribute replaces the subtree; a better
/// threshold on the same attribute moves the test and keeps the children; when not splitting
/// beats the best split, the subtree is cut back to a leaf that keeps the branch's statistics.
///
/// Sharing HoeffdingTreeClassifier's leaves, splitters and criteria; a branch keeps the leaf
/// data it had when it split (its splitters go on learning), as River's EFDT branches keep
/// their splitters. Samples missing a split attribute follow the child that has seen the most
/// weight (EFDT's branches count their own weight).
/// Thread safety: none. Reference: Manapragada, Webb and Salehi, "Extremely Fast Decision
/// Tree", KDD 2018; River's river/tree/extremely_fast_decision_tree.py.
/// ```cpp example
/// auto efdt = rivulet::ml::ExtremelyFastDecisionTreeClassifier::create({.grace_period =
/// 20}).value(); rivulet::LabelEncoder labels; efdt->attach({nullptr, &labels}); const auto low =
/// labels.intern("low"), high = labels.intern("high"); for (int i = 0; i < 300; ++i) {
///   const double v = (i * 37 % 100) / 100.0;
///   efdt->learn_one(rivulet::Features{{0, v}}, v < 0.5 ? low : high);
/// }
/// std::vector<double> scratch;
/// EXPECT_EQ(efdt->predict_one(rivulet::Features{{0, 0.1}}, scratch), low);
/// EXPECT_EQ(efdt->predict_one(rivulet::Features{{0, 0.9}}, scratch), high);
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/core/random.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/tree/branch.h"
#include "rivulet/ml/tree/hoeffding_tree_classifier.h"
#include "rivulet/ml/tree/nominal.h"
#include "rivulet/ml/tree/size_limit.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml {

class ExtremelyFastDecisionTreeClassifier final : public Classifier {
 public:
  using LeafPrediction = HoeffdingTreeClassifier::LeafPrediction;

  struct Options {
    int64_t grace_period = 200;           ///< weight between split attempts. REQUIRES: > 0.
    std::optional<int64_t> max_depth;     ///< none: unlimited. REQUIRES: >= 0.
    int64_t min_samples_reevaluate = 20;  ///< weight between re-evaluations. REQUIRES: > 0.
    tree::SplitCriterion::Kind split_criterion = tree::SplitCriterion::Kind::kInfoGain;
    double delta = 1e-7;  ///< REQUIRES: in (0, 1).
    double tau = 0.05;    ///< REQUIRES: >= 0.
    LeafPrediction leaf_prediction = LeafPrediction::kNaiveBayesAdaptive;
    int64_t nb_threshold = 0;  ///< REQUIRES: >= 0.
    std::vector<std::string> nominal_attributes;
    int64_t n_splits = 10;  ///< GaussianSplitter candidates. REQUIRES: > 0.
    bool binary_split = false;
    double max_size = 100.0;                   ///< MiB. REQUIRES: > 0.
    int64_t memory_estimate_period = 1000000;  ///< REQUIRES: > 0.
    bool stop_mem_management = false;
    bool remove_poor_attrs = false;  ///< accepted, as River's EFDT does not use it
    bool merit_preprune = true;      ///< accepted, as River's EFDT does not use it
  };

  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<ExtremelyFastDecisionTreeClassifier>> create(
      const Options& options);
  static Result<std::unique_ptr<ExtremelyFastDecisionTreeClassifier>> from_params(Params& p);

  explicit ExtremelyFastDecisionTreeClassifier(const Options& options);
  ~ExtremelyFastDecisionTreeClassifier() override;

  std::string_view name() const override { return "tree.ExtremelyFastDecisionTreeClassifier"; }
  void learn_one(const Features& x, ClassId y) override { learn(x, y, 1.0); }
  void learn(const Features& x, ClassId y, double weight);
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  /// The most probable class; of tied classes, the one River's class order puts first (the
  /// negative label of a binary task, else the lowest class id).
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;

  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;
  void feature_importances(std::vector<FeatureImportance>& out) const override;
  std::string draw(size_t max_depth) const override;

  size_t n_branches() const;
  size_t n_leaves() const;
  size_t height() const;
  /// Splits replaced or cut back by re-evaluation so far.
  size_t n_reevaluation_changes() const { return n_changes_; }
  /// Changes of the tree's structure so far (splits, re-evaluations that replaced or cut a
  /// subtree, new branches for new categories): the steps that may allocate.
  uint64_t n_structure_changes() const { return n_structure_changes_; }
  size_t bytes() const;

 private:
  uint32_t new_leaf(const tree::ClassWeight* stats, size_t n, uint32_t depth);
  // The weight River's EFDT nodes report: their own class statistics' sum.
  double node_weight(uint32_t node) const;
  uint32_t most_common_child(uint32_t node) const;
  uint32_t leaf_for(const tree::AttributeView& x) const;
  void process(ClassId y, double w);
  void attempt_to_split(uint32_t node);
  bool reevaluate(uint32_t node);
  // Builds `decision`'s children under `node` (which keeps its own leaf data).
  void make_split(uint32_t node, const tree::internal::SplitSuggestion& decision);
  void release_children(uint32_t node);
  void enforce_size_limit();
  void estimate_model_size();
  size_t n_classes() const;
  void set_hellinger_classes();

  Options options_;
  double max_depth_;
  tree::SplitCriterion criterion_;
  mutable tree::AttributeMap attributes_;
  mutable tree::AttributeView view_;
  tree::TreeNodes nodes_;
  std::unique_ptr<tree::internal::ClassLeaves> leaves_;
  std::vector<double> last_reevaluation_;  // by node id
  tree::SizeLimit size_limit_;
  Random rng_;
  uint32_t root_ = tree::kNone;
  size_t n_active_ = 0;
  size_t n_inactive_ = 0;
  size_t n_changes_ = 0;
  uint64_t n_structure_changes_ = 0;
  double train_weight_ = 0.0;
  ClassId max_class_ = 0;
  std::vector<tree::internal::SplitSuggestion> suggestions_;
  std::vector<uint32_t> ranked_;
  std::vector<tree::ClassWeight> stats_;
  std::vector<uint32_t> leaf_nodes_;
  std::vector<uint32_t> split_children_;
};

}  // namespace rivulet::ml
