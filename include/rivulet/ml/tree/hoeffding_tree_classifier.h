#pragma once
/// Hoeffding tree (VFDT) classifier, River 0.12.1's `tree.HoeffdingTreeClassifier`, with its
/// parameters and defaults, reproduced to the last floating-point operation (River's results on
/// its benchmark data sets are matched, not approximated).
///
/// A leaf watches each attribute with a splitter (per class: a Gaussian estimator and the range
/// for numeric attributes, category counts for nominal ones) and, every `grace_period` of weight,
/// ranks the best split of each attribute (and the null split) by the split criterion; it splits
/// on the best when its merit beats the runner-up's by more than the Hoeffding bound
/// sqrt(R^2 ln(1/delta) / 2n), or when the bound falls under `tau`. Leaves predict the majority
/// class ('mc'), naive Bayes ('nb', after `nb_threshold` weight) or whichever of the two has
/// been right more often on the leaf's own samples ('nba', the default).
///
/// Categorical features (`column=value`, one-hot) are one nominal attribute per column, split
/// multiway (binary with `binary_split`); samples missing a split attribute follow the most
/// common path, and a nominal value without a branch gets a new one while learning (River).
/// Memory: every `memory_estimate_period` of weight the tree measures its own bytes and, over
/// `max_size` MiB, deactivates its least promising leaves (River's memory management).
///
/// For forests built on the tree (River's ARF `BaseTreeClassifier`): `learn(x, y, weight)`
/// (River's `learn_one(x, y, sample_weight=w)`), `max_features` (each leaf watches a random
/// subset of that many attributes, chosen when it learns its first sample), `draw_subset` (the
/// forest draws that subset from its own generator, as River's leaves draw from the forest's
/// `random.Random`) and `reset()`. Without a forest the subsets come from the tree's own
/// rivulet::Random, seeded by `seed`.
/// Thread safety: none. Reference: Domingos and Hulten, "Mining high-speed data streams", KDD
/// 2000; River's river/tree/hoeffding_tree_classifier.py.
/// ```cpp example
/// auto tree = rivulet::ml::HoeffdingTreeClassifier::create({.grace_period = 20}).value();
/// rivulet::LabelEncoder labels;
/// tree->attach({nullptr, &labels});
/// const auto low = labels.intern("low"), high = labels.intern("high");
/// for (int i = 0; i < 200; ++i) {
///   const double v = (i * 37 % 100) / 100.0;
///   tree->learn_one(rivulet::Features{{0, v}}, v < 0.5 ? low : high);
/// }
/// EXPECT_GE(tree->n_branches(), 1u);  // it split on feature 0
/// std::vector<double> scratch;
/// EXPECT_EQ(tree->predict_one(rivulet::Features{{0, 0.1}}, scratch), low);
/// EXPECT_EQ(tree->predict_one(rivulet::Features{{0, 0.9}}, scratch), high);
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/tree/branch.h"
#include "rivulet/ml/tree/nominal.h"
#include "rivulet/ml/tree/size_limit.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml {

namespace tree::internal {
class ClassLeaves;
struct SplitSuggestion;
}  // namespace tree::internal

class HoeffdingTreeClassifier final : public Classifier {
 public:
  enum class LeafPrediction : uint8_t { kMajorityClass, kNaiveBayes, kNaiveBayesAdaptive };

  struct Options {
    int64_t grace_period = 200;        ///< weight between split attempts. REQUIRES: > 0.
    std::optional<int64_t> max_depth;  ///< none: unlimited. REQUIRES: >= 0.
    tree::SplitCriterion::Kind split_criterion = tree::SplitCriterion::Kind::kInfoGain;
    double delta = 1e-7;  ///< significance of the bound. REQUIRES: in (0, 1).
    double tau = 0.05;    ///< tie-breaking bound. REQUIRES: >= 0.
    LeafPrediction leaf_prediction = LeafPrediction::kNaiveBayesAdaptive;
    int64_t nb_threshold = 0;  ///< weight before naive Bayes ('nb'). REQUIRES: >= 0.
    std::vector<std::string> nominal_attributes;  ///< numeric features to treat as nominal
    int64_t n_splits = 10;                        ///< GaussianSplitter candidates. REQUIRES: > 0.
    bool binary_split = false;                    ///< only binary splits of nominal attributes
    double max_size = 100.0;                      ///< MiB. REQUIRES: > 0.
    int64_t memory_estimate_period = 1000000;     ///< weight between size checks. REQUIRES: > 0.
    bool stop_mem_management = false;             ///< stop growing at the memory limit
    bool remove_poor_attrs = false;               ///< drop splitters of hopeless attributes ('mc')
    bool merit_preprune = true;                   ///< the null split competes
    // Not parameters of River's HoeffdingTreeClassifier: for forests built on the tree.
    size_t max_features = 0;  ///< attributes watched per leaf; 0: all
    uint64_t seed = 0;        ///< seed of the feature subsets
    /// The forest hands every subset through draw_subset before the tree learns the sample
    /// (learning one that needs a subset not handed over is a bug, asserted in debug builds).
    bool caller_draws_subsets = false;
  };

  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<HoeffdingTreeClassifier>> create(const Options& options);
  /// Reads River's parameters in the order of its signature. `nominal_attributes` is a string
  /// of comma-separated names; `splitter` accepts only 'GaussianSplitter' (River's default).
  static Result<std::unique_ptr<HoeffdingTreeClassifier>> from_params(Params& p);

  explicit HoeffdingTreeClassifier(const Options& options);
  ~HoeffdingTreeClassifier() override;
  HoeffdingTreeClassifier(const HoeffdingTreeClassifier&) = delete;
  HoeffdingTreeClassifier& operator=(const HoeffdingTreeClassifier&) = delete;

  std::string_view name() const override { return "tree.HoeffdingTreeClassifier"; }
  void learn_one(const Features& x, ClassId y) override { learn(x, y, 1.0); }
  /// River's `learn_one(x, y, sample_weight=weight)`. Samples of weight <= 0 are ignored.
  void learn(const Features& x, ClassId y, double weight);
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const override;
  /// The most probable class, without the naive Bayes softmax when one class clearly leads. Ties
  /// go as River's `max` over its set of classes breaks them: to the negative class of a binary
  /// task (River's `False`), else to the first class seen.
  std::optional<ClassId> predict_one(const Features& x,
                                     std::vector<double>& scratch) const override;
  /// Forgets everything learned (options kept; the feature-subset generator is re-seeded).
  void reset();
  /// For a forest whose trees draw from the forest's generator (River's ARF, whose leaves call
  /// `rng.sample(sorted(x.keys()), k=max_features)` on the forest's `random.Random`): when the
  /// next `learn(x, y, w > 0)` will make a leaf choose its attribute subset (the leaf x reaches
  /// is active and has none; the root on the first sample; a new branch for an unseen
  /// category), chooses it now, drawing from `rng` exactly as River does, and keeps it for that
  /// learn. Returns whether it chose one. Changes nothing the tree has learned, so that the
  /// forest can make the draws of all its trees in River's order, then let them learn in
  /// parallel.
  bool draw_subset(const Features& x, PythonRandom& rng);
  /// Attribute subsets chosen by leaves since construction (diagnostics, not saved).
  uint64_t n_subsets_chosen() const;
  /// Finds x's leaf in each of `trees` (null entries are skipped), walking them down level by
  /// level together: a walk is a chain of dependent memory loads, and walking the trees in
  /// step lets the loads of different trees overlap. Changes nothing the trees predict; the
  /// leaves found serve the trees' next prediction of x. `cursor` is scratch.
  static void find_leaves(std::span<HoeffdingTreeClassifier* const> trees, const Features& x,
                          std::vector<uint32_t>& cursor);

  void save(StateWriter& out) const override;
  void load(StateReader& in) override;
  void describe(Description& out) const override;
  void feature_importances(std::vector<FeatureImportance>& out) const override;
  std::string draw(size_t max_depth) const override;

  const Options& options() const { return options_; }
  size_t n_nodes() const;
  size_t n_branches() const;
  size_t n_leaves() const;
  size_t n_active_leaves() const { return n_active_; }
  size_t n_inactive_leaves() const { return n_inactive_; }
  /// River's `height`: 0 for an empty tree, 1 for a single leaf.
  size_t height() const;
  double total_weight_seen() const { return train_weight_; }
  /// Bytes the tree holds (what its memory management measures).
  size_t bytes() const;

 private:
  void attempt_to_split(uint32_t node);
  void apply_split(uint32_t node, const tree::internal::SplitSuggestion& decision, double weight);
  void enforce_size_limit();
  void estimate_model_size();
  void ensure_dims();
  void configure();
  uint32_t new_leaf(const tree::ClassWeight* stats, size_t n, uint32_t depth);
  double leaf_weight(uint32_t payload) const;
  size_t n_classes() const;

  Options options_;
  double max_depth_;  // +inf for none
  tree::SplitCriterion criterion_;
  mutable tree::AttributeMap attributes_;
  mutable tree::AttributeView view_;
  tree::TreeNodes nodes_;
  std::unique_ptr<tree::internal::ClassLeaves> leaves_;
  tree::SizeLimit size_limit_;
  Random rng_;
  uint32_t root_ = tree::kNone;
  size_t n_active_ = 0;
  size_t n_inactive_ = 0;
  double train_weight_ = 0.0;
  ClassId max_class_ = 0;  // classes learned: ids < max_class_
  // What the last prediction found, so that learning the same sample right after (test then
  // train) neither walks the tree nor runs the leaf's naive Bayes again.
  struct PredictMemo {
    bool valid = false;
    uint64_t version = 0;
    uint32_t node = tree::kNone;
    bool ran_nb = false;
    ClassId nb_argmax = kNoClass;
    Features x;
  };
  mutable PredictMemo memo_;
  // x's leaf node, through memo_ when x was the last sample seen; leaves x resolved in view_.
  uint32_t find_leaf(const Features& x) const;
  uint64_t version_ = 0;  // changes with every update of the tree
  // Scratch of one split attempt.
  std::vector<tree::internal::SplitSuggestion> suggestions_;
  std::vector<uint32_t> ranked_;
  std::vector<uint32_t> leaf_nodes_;
  bool has_multiway_ = false;  // a multiway branch exists (learning can add a leaf to it)
  // Scratch of draw_subset.
  std::vector<tree::AttributeId> subset_, subset_sorted_;
  std::vector<size_t> subset_positions_, subset_pool_;
};

}  // namespace rivulet::ml
