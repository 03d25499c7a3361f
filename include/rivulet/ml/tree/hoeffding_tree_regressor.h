#pragma once
/// River's `tree.HoeffdingTreeRegressor` (0.12.1): an incremental regression tree that splits a
/// leaf when the Hoeffding bound says that the best split (by variance reduction) beats the
/// second best. Numeric features are observed by an E-BST per leaf (ebst_splitter.h): River
/// 0.12's default is the truncated E-BST, TEBSTSplitter(digits=1), which rounds each value to one
/// decimal first (with it River's published MAE on TrumpApproval, 0.949, is reproduced to the
/// digit; the plain E-BST, `splitter='EBSTSplitter'`, gives 0.801). Nominal attributes are
/// observed by per-category statistics (nominal_regression_splitter.h). Leaves predict the target
/// mean ('mean'), a model of their own ('model', `leaf_model`, by default
/// `linear_model.LinearRegression()`, which each child copies from its parent leaf at a split),
/// or whichever of the two has the lower exponentially decayed squared error ('adaptive', the
/// default).
///
/// As in River: a split attempt happens every `grace_period` of weight at an active leaf; the
/// candidates are sorted by merit (stably, in the order the leaf first saw their attributes,
/// after the null split of `merit_preprune`); the best splits when its merit is positive and the
/// ratio second / best is below 1 - epsilon, or epsilon < tau (epsilon = sqrt(ln(1/delta) /
/// (2 n)), range 1). A failed attempt prunes the E-BSTs (FIMT-DD). After every decided attempt
/// the memory manager runs (Kirkby): with no estimate yet it re-activates every inactive leaf
/// above max_depth, as River's does (a leaf pre-pruned by the null split starts over). A sample
/// whose split feature is missing goes down the heaviest branch (the most weight in its leaves) and
/// trains the leaf it reaches without a split attempt.
///
/// rivulet's one-hot `column=value` features are read as one nominal attribute `column` (River
/// sees `{"column": "value"}`), with the categories sorted by value; numeric features named in
/// `nominal_attributes` are nominal with their values as categories.
///
/// For forests (River's ARF base tree): `learn_weighted` trains with a sample weight (the leaf
/// model gets it as River's `learn_one(x, y, w)`), and `max_features` makes each leaf observe a
/// random subset of that many attributes, chosen from the first sample it learns: drawn by the
/// forest from its own generator through `draw_subset` (River's leaves draw from the forest's
/// `random.Random`), else from the tree's own rivulet::Random (seeded by `seed`).
/// The branches, the attribute mapping, the traversal rules, feature importances, the drawing
/// and the memory manager are the trees' shared ones (tree/branch.h, tree/nominal.h,
/// tree/size_limit.h); the leaves (target statistics, splitters, leaf models) are this class's.
/// Memory: nodes and leaves live in pools with free lists; a split allocates the new leaf models
/// and splitters, and steady-state learning allocates only when an E-BST meets a new value and
/// its arena is full. `memory_estimate_period` and `max_size` drive River's leaf
/// deactivation with this implementation's byte counts.
/// Thread safety: none.
/// Reference: E. Ikonomovska, J. Gama, S. Dzeroski, "Learning model trees from evolving data
/// streams", Data Mining and Knowledge Discovery 23(1), 2011.
/// ```cpp example
/// auto tree = rivulet::ml::HoeffdingTreeRegressor::create({.grace_period = 20,
///                                                          .leaf_prediction =
///                                                              rivulet::ml::LeafPrediction::kMean})
///                 .value();
/// for (int i = 0; i < 200; ++i) {
///   const double x = i % 20;
///   tree->learn_one(rivulet::Features{{0, x}}, x < 10 ? 1.0 : 5.0);
/// }
/// EXPECT_EQ(tree->n_branches(), 1u);
/// EXPECT_NEAR(tree->predict_one(rivulet::Features{{0, 3.0}}), 1.0, 1e-12);
/// EXPECT_NEAR(tree->predict_one(rivulet::Features{{0, 15.0}}), 5.0, 1e-12);
/// ```

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/tree/branch.h"
#include "rivulet/ml/tree/ebst_splitter.h"
#include "rivulet/ml/tree/nominal.h"
#include "rivulet/ml/tree/nominal_regression_splitter.h"
#include "rivulet/ml/tree/size_limit.h"
#include "rivulet/ml/tree/variance_stats.h"

namespace rivulet::ml {

/// How a regression tree leaf predicts (River's `leaf_prediction`).
enum class LeafPrediction { kMean, kModel, kAdaptive };

class HoeffdingTreeRegressor : public Regressor {
 public:
  struct Options {
    int64_t grace_period = 200;  ///< Weight between split attempts at a leaf. REQUIRES: >= 1.
    int64_t max_depth = -1;      ///< Deepest leaf depth; -1: unbounded (None). REQUIRES: >= -1.
    double delta = 1e-7;         ///< Significance of the Hoeffding bound. REQUIRES: 0 < delta < 1.
    double tau = 0.05;           ///< Tie threshold on the bound. REQUIRES: >= 0.
    LeafPrediction leaf_prediction = LeafPrediction::kAdaptive;  ///< mean, model or adaptive.
    /// Builds the leaf models; empty: linear_model.LinearRegression(). REQUIRES: regressors.
    EstimatorMaker leaf_model = nullptr;
    double model_selector_decay = 0.95;  ///< Decay of the adaptive errors. REQUIRES: 0 < d <= 1.
    /// Numeric feature names treated as nominal (one-hot `column=value` features always are).
    std::vector<std::string> nominal_attributes = {};
    /// Numeric splitter: River's TEBSTSplitter(digits) when >= 0 (River 0.12's default, with 1
    /// digit), the plain EBSTSplitter when -1. REQUIRES: -1 <= splitter_digits <= 15.
    int64_t splitter_digits = 1;
    int64_t min_samples_split = 5;  ///< Least weight on each side of a split. REQUIRES: >= 0.
    bool binary_split = false;      ///< Nominal attributes split only in two.
    double max_size = 500.0;        ///< Memory budget in MiB. REQUIRES: > 0.
    int64_t memory_estimate_period = 1000000;  ///< Weight between size checks. REQUIRES: >= 1.
    bool stop_mem_management = false;          ///< Stop growing at the memory limit.
    bool remove_poor_attrs = false;            ///< Stop observing attributes far behind the best.
    bool merit_preprune = true;                ///< The null split competes (pre-pruning).
    /// ARF hook (not a parameter of River's class): observe a random subset of this many
    /// attributes per leaf; 0: all.
    size_t max_features = 0;
    uint64_t seed = 0;  ///< Seeds the leaves' attribute subsets (and HATR's bootstrap).
    /// ARF hook: the forest hands every subset through draw_subset before the tree learns the
    /// sample (learning one that needs a subset not handed over is a bug, asserted in debug).
    bool caller_draws_subsets = false;
  };

  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<HoeffdingTreeRegressor>> create(Options options);
  /// The REQUIRES clauses; `who` starts the message. Returns kInvalidArgument when one fails.
  static Status validate(const Options& options, std::string_view who);
  /// River's signature: grace_period, max_depth, delta, tau, leaf_prediction, leaf_model,
  /// model_selector_decay, nominal_attributes (comma-separated names), splitter
  /// ('TEBSTSplitter(digits=1)', 'TEBSTSplitter' (River's default digits, 1), 'EBSTSplitter'),
  /// min_samples_split,
  /// binary_split, max_size, memory_estimate_period, stop_mem_management, remove_poor_attrs,
  /// merit_preprune.
  static Result<std::unique_ptr<HoeffdingTreeRegressor>> from_params(Params& p);
  explicit HoeffdingTreeRegressor(Options options);
  ~HoeffdingTreeRegressor() override;

  std::string_view name() const override { return "tree.HoeffdingTreeRegressor"; }
  void learn_one(const Features& x, double y) override { learn_weighted(x, y, 1.0); }
  /// Learns x with sample weight w (River's `sample_weight`). REQUIRES: w > 0.
  virtual void learn_weighted(const Features& x, double y, double w);
  double predict_one(const Features& x) const override;
  /// For a forest whose trees draw from the forest's generator (River's ARF, whose leaves call
  /// `rng.sample(sorted(x.keys()), k=max_features)` on the forest's `random.Random`): when the
  /// next `learn_weighted(x, y, w)` will make a leaf choose its attribute subset (the leaf x
  /// reaches is active and has none; the root on the first sample; a new branch for an unseen
  /// category), chooses it now, drawing from `rng` exactly as River does, and keeps it for that
  /// learn. Returns whether it chose one. Changes nothing the tree has learned, so that the
  /// forest can make the draws of all its trees in River's order, then let them learn in
  /// parallel.
  bool draw_subset(const Features& x, PythonRandom& rng);
  /// Attribute subsets chosen by leaves since construction (diagnostics, not saved).
  uint64_t n_subsets_chosen() const { return n_subsets_chosen_; }
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;
  void feature_importances(std::vector<FeatureImportance>& out) const override;
  std::string draw(size_t max_depth) const override;

  const Options& options() const { return options_; }
  size_t n_nodes() const { return n_branches() + n_leaves(); }
  size_t n_branches() const;
  size_t n_leaves() const;
  size_t height() const;
  size_t n_active_leaves() const { return n_active_; }
  size_t n_inactive_leaves() const { return n_inactive_; }
  /// Structural growth since construction or load, for diagnostics (not saved): leaves created
  /// (root, splits, new category branches, alternate trees) and leaves given their splitters
  /// (at their first sample). A learn call that leaves it unchanged allocates nothing.
  uint64_t n_growth_events() const { return n_growth_events_; }
  double total_weight_seen() const { return train_weight_seen_; }

 protected:
  using AttributeId = tree::AttributeId;
  static constexpr uint32_t kNone = tree::kNone;

  // What a leaf observes of one attribute: an E-BST (numeric) or per-category statistics.
  struct Observer {
    AttributeId attribute = 0;
    bool nominal = false;
    EbstSplitter ebst;
    NominalRegressionSplitter categories;
  };

  // A leaf's data (the payload of its node).
  struct Leaf {
    bool in_use = false;
    VarianceStats stats;
    bool active = true;
    double last_split_attempt_at = 0.0;
    std::vector<Observer> observers;   // in the order the leaf first saw the attributes
    std::vector<int32_t> observer_of;  // attribute id -> observer, -1
    std::vector<AttributeId> disabled;
    std::vector<AttributeId> feature_subset;  // ARF: the attributes observed, once drawn
    bool subset_drawn = false;
    std::unique_ptr<Regressor> model;
    double fmse_mean = 0.0;
    double fmse_model = 0.0;
    // Hoeffding adaptive trees: the drift detector of the leaf's error and the running
    // statistics of that error (River's `_error_tracker`).
    std::unique_ptr<ADWIN> adwin;
    VarianceStats error_normalizer;
  };

  // One split candidate; `attribute` kNone is River's null split.
  struct Suggestion {
    double merit = -std::numeric_limits<double>::infinity();
    AttributeId attribute = tree::kNone;
    tree::NodeKind kind = tree::NodeKind::kNumericBinary;
    double threshold = 0.0;
    uint32_t category = tree::kNone;
    VarianceStats left;
    VarianceStats right;
  };

  // The parameters HoeffdingAdaptiveTreeRegressor shares, up to min_samples_split and from
  // binary_split on.
  static void read_leading_params(Params& p, Options& o);
  static void read_trailing_params(Params& p, Options& o);

  // Adds a leaf node below `parent` (a leaf being split, a branch, or kNone for the root), with
  // `initial` statistics, and returns its node id. HATR adds its detector and random source.
  virtual uint32_t new_leaf(const VarianceStats* initial, uint32_t parent);
  // Called when `node` has just become a branch (HATR adds its detector).
  virtual void init_branch(uint32_t node) { (void)node; }
  // The leaves in River's iteration order (HATR adds the alternate subtrees).
  virtual void collect_leaves(uint32_t node, std::vector<uint32_t>& out) const;
  // Releases a node and its subtree (HATR also releases alternate subtrees).
  virtual void release_subtree(uint32_t node);
  // Extra state of the subclasses.
  virtual void save_extra(StateWriter& out) const { (void)out; }
  virtual void load_extra(StateReader& in) { (void)in; }
  virtual size_t extra_bytes() const { return 0; }

  Leaf& leaf_of(uint32_t node) { return leaves_[nodes_[node].payload]; }
  const Leaf& leaf_of(uint32_t node) const { return leaves_[nodes_[node].payload]; }
  double subtree_weight(uint32_t node) const;
  uint32_t most_common_branch(uint32_t node) const;
  // River's walk(x, until_leaf=True) below `node` (the view must hold x).
  uint32_t leaf_for(uint32_t node) const;
  // The child of multiway `node` for x's unseen category (River's add_child).
  uint32_t add_category_branch(uint32_t node);

  void leaf_learn(uint32_t node, const Features& x, double y, double w);
  double leaf_predict(uint32_t node, const Features& x) const;
  // River's _attempt_to_split for the leaf `node`. (parent, branch) is the slot River would
  // assign a new split to (kNone: the root): for a leaf of the tree it is the leaf's own slot;
  // HATR passes an alternate leaf the slot of the branch that grows it.
  void attempt_to_split(uint32_t node, uint32_t parent, uint32_t branch);
  uint32_t occupant(uint32_t parent, uint32_t branch) const {
    return parent == kNone ? root_ : nodes_[parent].child(branch);
  }
  void set_occupant(uint32_t parent, uint32_t branch, uint32_t node) {
    (parent == kNone ? root_ : nodes_[parent].child_ref(branch)) = node;
  }
  void deactivate(uint32_t node);
  void enforce_size_limit();
  void estimate_model_size();
  // Releases the subtrees cut off during this learning step.
  void release_detached();

  std::unique_ptr<Regressor> fresh_model() const;
  std::unique_ptr<Regressor> copy_model(const Regressor& from) const;
  double max_depth() const;
  size_t leaf_bytes(const Leaf& leaf) const;

  Options options_;
  VarianceReduction criterion_;
  tree::TreeNodes nodes_;
  uint32_t root_ = tree::kNone;
  std::vector<Leaf> leaves_;
  std::vector<uint32_t> free_leaves_;
  size_t n_active_ = 0;
  size_t n_inactive_ = 0;
  uint64_t n_growth_events_ = 0;
  tree::SizeLimit size_limit_;
  double train_weight_seen_ = 0.0;
  Random rng_;
  mutable tree::AttributeMap attributes_;
  mutable tree::AttributeView view_;

  // Scratch (kept across calls).
  std::vector<Suggestion> suggestions_;
  std::vector<uint32_t> order_;
  std::vector<AttributeId> poor_;
  std::vector<uint32_t> detached_;
  std::vector<uint32_t> leaf_ids_;
  std::vector<tree::LeafStatus> leaf_status_;
  // draw_subset's subset for the next leaf to choose one, and its scratch.
  std::vector<AttributeId> pending_subset_, subset_sorted_;
  std::vector<size_t> subset_positions_, subset_pool_;
  bool has_pending_subset_ = false;
  uint64_t n_subsets_chosen_ = 0;
  size_t n_without_subset_ = 0;  // leaves in use without their subset (max_features > 0)
  bool has_multiway_ = false;    // a multiway branch exists (learning can add a leaf to it)

 private:
  uint32_t new_payload();
  void free_payload(uint32_t payload);
  void update_observers(Leaf& leaf, double y, double w);
  void observe(Leaf& leaf, const tree::AttributeValue& v, double y, double w);
  void disable_attribute(Leaf& leaf, AttributeId attribute);
  void choose_subset(Leaf& leaf);
  void best_split_suggestions(Leaf& leaf);
  std::string describe_leaf(uint32_t payload) const;
};

}  // namespace rivulet::ml
