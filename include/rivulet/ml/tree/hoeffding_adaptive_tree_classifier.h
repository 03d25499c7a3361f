#pragma once
/// Hoeffding Adaptive Tree classifier, River 0.12.1's `tree.HoeffdingAdaptiveTreeClassifier`:
/// a Hoeffding tree whose every node watches its own error rate with an ADWIN detector. When a
/// branch's error rises (ADWIN detects a change while the error grows) it starts an alternate
/// subtree, which learns alongside it; once both have seen `drift_window_threshold` samples, the
/// alternate replaces the branch if its error is significantly lower (a Hoeffding-style bound at
/// `switch_significance`), or is dropped if significantly higher. Leaves learn from bootstrap
/// samples (each sample weighted by a Poisson(1) draw) and predict through all the leaves the
/// sample reaches, alternates included, each weighted by its error.
///
/// River's behaviours kept on purpose: the leaves draw their Poisson weights from the tree's
/// `random.Random(seed)` (rivulet replays CPython's Mersenne Twister, so a seed gives River's
/// draws and River's results: Phishing and Bananas agree to the last sample with seed 42), a
/// draw of 0 leaves the weight at 1, and an alternate leaf that splits takes the place of the
/// branch it shadows at once (River, like MOA, hands the alternate the branch's parent).
/// Thread safety: none. Reference: Bifet and Gavaldà, "Adaptive learning from evolving data
/// streams", IDA 2009; River's river/tree/hoeffding_adaptive_tree_classifier.py.
/// ```cpp example
/// auto hat = rivulet::ml::HoeffdingAdaptiveTreeClassifier::create({.grace_period = 20}).value();
/// rivulet::LabelEncoder labels;
/// hat->attach({nullptr, &labels});
/// const auto low = labels.intern("low"), high = labels.intern("high");
/// for (int i = 0; i < 300; ++i) {
///   const double v = (i * 37 % 100) / 100.0;
///   hat->learn_one(rivulet::Features{{0, v}}, v < 0.5 ? low : high);
/// }
/// std::vector<double> scratch;
/// EXPECT_EQ(hat->predict_one(rivulet::Features{{0, 0.1}}, scratch), low);
/// EXPECT_EQ(hat->predict_one(rivulet::Features{{0, 0.9}}, scratch), high);
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/tree/branch.h"
#include "rivulet/ml/tree/hoeffding_tree_classifier.h"
#include "rivulet/ml/tree/nominal.h"
#include "rivulet/ml/tree/size_limit.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml {

class HoeffdingAdaptiveTreeClassifier final : public Classifier {
 public:
  using LeafPrediction = HoeffdingTreeClassifier::LeafPrediction;

  struct Options {
    int64_t grace_period = 200;        ///< weight between split attempts. REQUIRES: > 0.
    std::optional<int64_t> max_depth;  ///< none: unlimited. REQUIRES: >= 0.
    tree::SplitCriterion::Kind split_criterion = tree::SplitCriterion::Kind::kInfoGain;
    double delta = 1e-7;  ///< significance of the bound. REQUIRES: in (0, 1).
    double tau = 0.05;    ///< tie-breaking bound. REQUIRES: >= 0.
    LeafPrediction leaf_prediction = LeafPrediction::kNaiveBayesAdaptive;
    int64_t nb_threshold = 0;  ///< REQUIRES: >= 0.
    std::vector<std::string> nominal_attributes;
    int64_t n_splits = 10;           ///< GaussianSplitter candidates. REQUIRES: > 0.
    bool bootstrap_sampling = true;  ///< Poisson(1) weights at the leaves
    int64_t drift_window_threshold =
        300;                          ///< samples before an alternate may switch. REQUIRES: >= 0.
    double adwin_confidence = 0.002;  ///< the nodes' ADWIN delta. REQUIRES: in (0, 1).
    bool binary_split = false;
    double max_size = 100.0;                   ///< MiB. REQUIRES: > 0.
    int64_t memory_estimate_period = 1000000;  ///< REQUIRES: > 0.
    bool stop_mem_management = false;
    bool remove_poor_attrs = false;
    bool merit_preprune = true;
    uint64_t seed = 42;                 ///< seed of the leaves' Poisson draws
    double switch_significance = 0.05;  ///< of the switch test. REQUIRES: in (0, 1).
  };

  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<HoeffdingAdaptiveTreeClassifier>> create(const Options& options);
  /// River 0.12.1's parameters in its order, then `switch_significance` (later River versions'
  /// name for the switch test's significance, fixed at 0.05 in 0.12.1).
  static Result<std::unique_ptr<HoeffdingAdaptiveTreeClassifier>> from_params(Params& p);

  explicit HoeffdingAdaptiveTreeClassifier(const Options& options);
  ~HoeffdingAdaptiveTreeClassifier() override;

  std::string_view name() const override { return "tree.HoeffdingAdaptiveTreeClassifier"; }
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
  size_t n_alternate_trees() const { return n_alternate_; }
  size_t n_pruned_alternate_trees() const { return n_pruned_; }
  size_t n_switch_alternate_trees() const { return n_switch_; }
  size_t bytes() const;

 private:
  // Per node: the ADWIN of its error, its class statistics and alternate subtree (branches).
  struct NodeState {
    std::unique_ptr<ADWIN> adwin;
    uint32_t alternate = tree::kNone;      // branches: the alternate subtree's root
    uint32_t serial = 0;                   // changes whenever the id is reused
    std::vector<tree::ClassWeight> stats;  // branches: River's branch.stats
  };
  uint32_t new_leaf(const tree::ClassWeight* stats, size_t n, uint32_t depth);
  void learn_node(uint32_t node, ClassId y, double w, uint32_t parent, uint32_t parent_branch);
  void learn_leaf(uint32_t node, ClassId y, double w, uint32_t parent, uint32_t parent_branch);
  void learn_branch(uint32_t node, ClassId y, double w, uint32_t parent, uint32_t parent_branch);
  void attempt_to_split(uint32_t node, uint32_t parent, uint32_t parent_branch);
  // Releases a subtree with its alternates, sparing `keep`.
  void release_subtree(uint32_t node, uint32_t keep);
  // River's leaf.prediction (weighted by the leaf's error) into `dist`; false for River's None.
  bool leaf_prediction(uint32_t node, std::vector<double>& dist) const;
  ClassId leaf_argmax(uint32_t node) const;
  bool update_error(uint32_t node, bool correct);
  int poisson();
  std::unique_ptr<ADWIN> fresh_adwin();
  void collect_leaves(uint32_t node, std::vector<uint32_t>& out) const;
  void enforce_size_limit();
  void estimate_model_size();
  double leaf_weight(uint32_t payload) const;
  size_t n_classes() const;
  NodeState& state(uint32_t node);

  Options options_;
  double max_depth_;
  tree::SplitCriterion criterion_;
  mutable tree::AttributeMap attributes_;
  mutable tree::AttributeView view_;
  tree::TreeNodes nodes_;
  std::unique_ptr<tree::internal::ClassLeaves> leaves_;
  std::vector<NodeState> states_;
  tree::SizeLimit size_limit_;
  uint32_t root_ = tree::kNone;
  size_t n_active_ = 0;
  size_t n_inactive_ = 0;
  size_t n_alternate_ = 0;
  size_t n_pruned_ = 0;
  size_t n_switch_ = 0;
  double train_weight_ = 0.0;
  ClassId max_class_ = 0;
  uint32_t serial_ = 0;
  PythonRandom rng_;  // River's random.Random(seed), shared by the leaves
  // Scratch.
  mutable std::vector<double> dist_;
  mutable std::vector<tree::ClassWeight> leaf_stats_;
  std::vector<uint32_t> leaf_nodes_;
  std::vector<std::unique_ptr<ADWIN>> spare_adwins_;  // detectors of released nodes, reused
  std::vector<tree::ClassWeight> split_stats_;
  std::vector<uint32_t> split_children_;
  std::vector<tree::internal::SplitSuggestion> suggestions_;
  std::vector<uint32_t> ranked_;
};

}  // namespace rivulet::ml
