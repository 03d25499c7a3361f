#pragma once
// The leaves of River's classification Hoeffding trees (0.12.1 `HTLeaf` with
// `LeafMajorityClass`, `LeafNaiveBayes` and `LeafNaiveBayesAdaptive`), kept in flat pools so
// that learning allocates nothing per sample: per leaf, a block of class slots (the class
// statistics, a dict in River: weights, which classes it holds, in which order), a block of
// attribute flags (observed, disabled, in the leaf's feature subset) and, while the leaf is
// active, a block of Gaussian cells (attribute x class). Nominal attributes keep their
// observers in the leaf itself. Blocks of released leaves are reused; the pools grow
// geometrically, and are laid out again when a new attribute or class exceeds their capacity.
//
// Shared by HoeffdingTreeClassifier, HoeffdingAdaptiveTreeClassifier and
// ExtremelyFastDecisionTreeClassifier. Thread safety: none.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rivulet/core/labels.h"
#include "rivulet/core/random.h"
#include "rivulet/core/state.h"
#include "rivulet/ml/tree/branch.h"
#include "rivulet/ml/tree/gaussian_splitter.h"
#include "rivulet/ml/tree/nominal.h"
#include "rivulet/ml/tree/nominal_splitter.h"
#include "rivulet/ml/tree/size_limit.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml::tree::internal {

enum class LeafPrediction : uint8_t { kMajorityClass, kNaiveBayes, kNaiveBayesAdaptive };

// One split candidate of a leaf (River's BranchFactory). attribute == kNone: the null split.
struct SplitSuggestion {
  double merit = -INFINITY;
  AttributeId attribute = kNone;
  NodeKind kind = NodeKind::kNumericBinary;
  double threshold = 0.0;
  uint32_t category = kNone;
  std::vector<uint32_t> categories;             // multiway: category of each branch
  std::vector<std::vector<ClassWeight>> dists;  // the children's initial class statistics
  size_t n_dists = 0;                           // dists in use (the vector only grows)
};

// Turns `node` into the branch `decision` describes: one new leaf per child, made by
// `new_leaf(class statistics, count, depth)`, then the split test, and the split's merit and
// weight (for the importances). `children` is scratch for multiway splits.
template <class NewLeaf>
void make_branch(TreeNodes& nodes, uint32_t node, const SplitSuggestion& decision, double weight,
                 std::vector<uint32_t>& children, const NewLeaf& new_leaf) {
  const uint32_t depth = nodes[node].depth;
  uint32_t pair[2] = {kNone, kNone};
  children.clear();
  for (size_t i = 0; i < decision.n_dists; ++i) {
    const auto& d = decision.dists[i];
    const uint32_t child = new_leaf(d.data(), d.size(), depth + 1);
    if (decision.kind == NodeKind::kNominalMultiway) {
      children.push_back(child);
    } else {
      pair[i] = child;
    }
  }
  switch (decision.kind) {
    case NodeKind::kNumericBinary:
      nodes.make_numeric_binary(node, decision.attribute, decision.threshold, pair);
      break;
    case NodeKind::kNominalBinary:
      nodes.make_nominal_binary(node, decision.attribute, decision.category, pair);
      break;
    case NodeKind::kNominalMultiway:
      nodes.make_nominal_multiway(node, decision.attribute, decision.categories, children);
      break;
    case NodeKind::kLeaf:
      break;
  }
  nodes[node].merit = decision.merit;
  nodes[node].split_weight = weight;
}

// River's trees predict `{c: 0.0 for c in self.classes}` updated with the leaf's prediction, and
// `max` keeps the first of tied classes in the order of that Python set: for River's boolean
// labels of a binary task (its datasets' `x == "1"`), False before True. The class that wins
// ties: the negative label of a binary task, else kNoClass (ties go to the first class seen).
inline ClassId tie_winner(const LabelEncoder* labels) {
  if (labels == nullptr || labels->size() != 2) return kNoClass;
  return labels->negative().value_or(kNoClass);
}
// Whether class c comes before class d in that order (`first` is tie_winner's class).
inline bool class_before(ClassId c, ClassId d, ClassId first) {
  return c == first || (d != first && c < d);
}

// What River's `_attempt_to_split` decides for a leaf.
enum class SplitOutcome : uint8_t { kNone, kSplit, kPrePrune };

class ClassLeaves {
 public:
  struct Config {
    LeafPrediction prediction = LeafPrediction::kNaiveBayesAdaptive;
    double nb_threshold = 0.0;
    size_t n_splits = 10;
    bool binary_split = false;
    bool merit_preprune = true;
    size_t max_features = 0;  // 0: every attribute; else a random subset per leaf (ARF)
    // ARF: the subsets are handed by the caller (hand_subset) before the leaf learns; a leaf
    // that would have to draw one itself is a bug (asserted in debug builds).
    bool caller_draws_subsets = false;
  };
  void configure(const Config& config) { config_ = config; }
  const Config& config() const { return config_; }

  // Grows the pools' dimensions to hold n_attributes x n_classes.
  void ensure_dims(size_t n_attributes, size_t n_classes);
  // A new active leaf with the given initial statistics (River's `_new_leaf(initial_stats)`);
  // its last split attempt is at its initial weight.
  uint32_t create(ClassDistView initial);
  void release(uint32_t leaf);
  void clear();

  // River's `leaf.learn_one(x, y, sample_weight=w)`. `nb_hint`, when given, is the naive Bayes
  // argmax of x on this leaf as it is now (kNoClass for River's None), which predict() found
  // just before: learning then skips computing it again.
  void learn(uint32_t leaf, const AttributeView& x, ClassId y, double w, Random& rng,
             const ClassId* nb_hint = nullptr);
  // Starts loading what predicting at the leaf reads: `prefetch_record` its record and class
  // slots, then (once the record has arrived) `prefetch_cells` the Gaussian cells of its
  // attributes. Loads only; for a forest that predicts with many trees at once.
  void prefetch_record(uint32_t leaf) const {
    __builtin_prefetch(&leaves_[leaf]);
    __builtin_prefetch(slots(leaf));
  }
  void prefetch_cells(uint32_t leaf) const {
    const Leaf& l = leaves_[leaf];
    if (!l.active || l.cells == kNone) return;
    const GaussianCell* block = cells(l.cells);
    for (const AttributeId a : l.order) __builtin_prefetch(block + static_cast<size_t>(a) * class_cap_);
  }
  // ARF: whether learning a non-empty sample makes the leaf choose its attribute subset now
  // (it is active and has none yet).
  bool needs_subset(uint32_t leaf) const {
    return config_.max_features > 0 && leaves_[leaf].active && !leaves_[leaf].subset_chosen;
  }
  // The subset the next leaf to choose one takes, in River's order (drawn by the caller from
  // River's generator); without one, a leaf draws its subset from the `rng` it learns with.
  void hand_subset(std::span<const AttributeId> subset) {
    pending_.assign(subset.begin(), subset.end());
    has_pending_ = true;
  }
  bool has_pending_subset() const { return has_pending_; }
  // ARF: leaves in use that have not chosen their subset yet (active or not); 0 when none can.
  size_t n_without_subset() const { return n_without_subset_; }
  // Subsets chosen by leaves since construction (diagnostics, not saved).
  uint64_t n_subsets_chosen() const { return n_subsets_chosen_; }
  void drop_pending_subset() { has_pending_ = false; }
  // River's `update_stats` and `update_splitters` alone (what an EFDT branch learns).
  void update(uint32_t leaf, const AttributeView& x, ClassId y, double w, Random& rng);
  // Clears the naive Bayes adaptive counters and the last split attempt (a fresh leaf over
  // existing statistics and splitters, as EFDT's _kill_subtree makes).
  void reset_leaf_counters(uint32_t leaf);
  // River's `_enforce_size_limit` over the leaves of the nodes `leaf_nodes` (left to right):
  // rates them by promise and (de)activates them as `limit` says, updating the counters.
  void enforce_size_limit(const TreeNodes& nodes, std::span<const uint32_t> leaf_nodes,
                          SizeLimit& limit, size_t& n_active, size_t& n_inactive,
                          double max_depth, bool stop_mem_management);
  // River's `_estimate_model_size`: measures the leaves of `leaf_nodes` into `limit` for a tree
  // of `tree_bytes`; true when the tree is over the limit (then call enforce_size_limit).
  bool estimate_size(const TreeNodes& nodes, std::span<const uint32_t> leaf_nodes,
                     SizeLimit& limit, double tree_bytes, size_t n_active,
                     size_t n_inactive) const;
  // River's `leaf.prediction(x)`: writes the leaf's classes into proba (indexed by class id,
  // sized by the caller); false when naive Bayes has nothing to say (River's None). When the
  // prediction ran naive Bayes, `*nb_argmax` (if given) receives its argmax (kNoClass: None)
  // and `*ran_nb` is set.
  bool predict(uint32_t leaf, const AttributeView& x, std::vector<double>& proba,
               ClassId* nb_argmax = nullptr, bool* ran_nb = nullptr) const;
  // The class a tree predicts from the probabilities predict() writes (the highest; on a tie
  // `first`, the class tie_winner gives, else the lowest class id), found without the naive
  // Bayes softmax when one vote clearly leads; kNoClass when predict() and the argmax are
  // needed. `nb_argmax` and `ran_nb` as in predict().
  ClassId clear_prediction(uint32_t leaf, const AttributeView& x, ClassId* nb_argmax = nullptr,
                           bool* ran_nb = nullptr, ClassId first = kNoClass) const;
  // The class the leaf predicts for x (River's max(prediction, key=...): the first of the
  // highest in the leaf's order), or kNoClass when it predicts nothing.
  ClassId predict_argmax(uint32_t leaf, const AttributeView& x, std::vector<double>& scratch) const;
  // Whether the leaf watches a nominal attribute (its naive Bayes reads have side effects).
  bool has_nominal(uint32_t leaf) const { return !leaves_[leaf].nominal.empty(); }

  double total_weight(uint32_t leaf) const;
  bool is_pure(uint32_t leaf) const;
  double promise(uint32_t leaf) const;
  bool active(uint32_t leaf) const { return leaves_[leaf].active; }
  void set_active(uint32_t leaf, bool on);
  double last_split_attempt_at(uint32_t leaf) const { return leaves_[leaf].last_split_attempt_at; }
  void set_last_split_attempt_at(uint32_t leaf, double w) {
    leaves_[leaf].last_split_attempt_at = w;
  }
  // The class statistics in River's dict order.
  void stats(uint32_t leaf, std::vector<ClassWeight>& out) const;
  // The leaf as draw() shows it: "-> UP (DOWN: 0.2342, UP: 0.7658; 1234.5 samples)", the majority
  // class, the class shares in the leaf's order, the weight seen. Labels come from `labels`
  // (class ids when it is null or does not know one).
  std::string describe(uint32_t leaf, const LabelEncoder* labels) const;
  // River's `best_split_suggestions`; returns how many entries of `out` it filled.
  size_t suggestions(uint32_t leaf, const SplitCriterion& criterion, const AttributeMap& attributes,
                     std::vector<SplitSuggestion>& out);
  // River's `_attempt_to_split` up to its decision: for an impure leaf, ranks the suggestions
  // (a stable sort by merit), applies the Hoeffding test (or the tie threshold `tau`) and, with
  // `remove_poor_attrs`, disables the attributes that fell behind. On kSplit,
  // `out[ranked.back()]` is the winner.
  SplitOutcome decide_split(uint32_t leaf, const SplitCriterion& criterion,
                            const AttributeMap& attributes, double delta, double tau,
                            bool remove_poor_attrs, std::vector<SplitSuggestion>& out,
                            std::vector<uint32_t>& ranked);
  // River's `disable_attribute` (a no-op for naive Bayes leaves).
  void disable_attribute(uint32_t leaf, AttributeId a);
  // Bytes held by one leaf, and by the whole store.
  size_t leaf_bytes(uint32_t leaf) const;
  size_t bytes() const;

  void save(StateWriter& out) const;
  void load(StateReader& in);

 private:
  struct ClassSlot {
    double weight = 0.0;       // by class id
    uint16_t stats_order = 0;  // k-th class of the statistics, in insertion order (at slot k)
    uint16_t obs_order = 0;    // k-th class met by the observers since activation (at slot k)
    uint8_t in_stats = 0;      // by class id
    uint8_t in_obs = 0;        // by class id
    template <class Archive>
    void serialize(Archive& ar) {
      ar(weight, stats_order, obs_order, in_stats, in_obs);
    }
  };
  struct Leaf {
    uint32_t cells = kNone;  // block of Gaussian cells while active
    uint16_t n_stats = 0;
    uint16_t n_obs = 0;
    bool in_use = false;
    bool active = true;
    bool subset_chosen = false;
    double last_split_attempt_at = 0.0;
    double mc_correct = 0.0;
    double nb_correct = 0.0;
    std::vector<NominalClassObserver> nominal;  // by attribute id, once a nominal one is observed
    // ARF leaves (max_features > 0): the attribute subset in its drawn order, and the watched
    // attributes in the order their splitters were made (River's dict of splitters).
    std::vector<AttributeId> subset;
    std::vector<AttributeId> order;
    template <class Archive>
    void serialize(Archive& ar) {
      ar(cells, n_stats, n_obs, in_use, active, subset_chosen, last_split_attempt_at, mc_correct,
         nb_correct, nominal, subset, order);
    }
  };
  static constexpr uint8_t kObserved = 1, kDisabled = 2, kInSubset = 4;

  ClassSlot* slots(uint32_t leaf) { return &class_pool_[static_cast<size_t>(leaf) * class_cap_]; }
  const ClassSlot* slots(uint32_t leaf) const {
    return &class_pool_[static_cast<size_t>(leaf) * class_cap_];
  }
  uint8_t* flags(uint32_t leaf) { return &flag_pool_[static_cast<size_t>(leaf) * attr_cap_]; }
  const uint8_t* flags(uint32_t leaf) const {
    return &flag_pool_[static_cast<size_t>(leaf) * attr_cap_];
  }
  GaussianCell* cells(uint32_t block) {
    return &cell_pool_[static_cast<size_t>(block) * attr_cap_ * class_cap_];
  }
  const GaussianCell* cells(uint32_t block) const {
    return &cell_pool_[static_cast<size_t>(block) * attr_cap_ * class_cap_];
  }
  uint32_t acquire_cells();
  void release_cells(uint32_t block);
  void relayout(size_t attr_cap, size_t class_cap);
  // Naive Bayes votes (River's do_naive_bayes_prediction before the softmax) into votes_;
  // false for River's None. `touch` adds the zero entries River's nominal cond_proba leaves.
  bool nb_votes(uint32_t leaf, const AttributeView& x, bool touch) const;
  // The softmax of votes_ into proba, over the leaf's classes.
  void softmax(uint32_t leaf, double* proba) const;
  ClassId nb_argmax(uint32_t leaf) const;
  // The class whose vote in votes_ leads every other by so much that its softmax probability
  // is strictly the highest whatever the rounding, or kNoClass.
  ClassId clear_vote_winner(uint32_t leaf) const;
  // Whether predict() runs naive Bayes on the leaf.
  bool uses_naive_bayes(uint32_t leaf) const;
  ClassId mc_argmax(uint32_t leaf) const;
  void choose_subset(uint32_t leaf, const AttributeView& x, Random& rng);

  Config config_;
  size_t attr_cap_ = 0;
  size_t class_cap_ = 0;
  std::vector<Leaf> leaves_;
  std::vector<uint32_t> free_leaves_;
  std::vector<ClassSlot> class_pool_;
  std::vector<uint8_t> flag_pool_;
  std::vector<GaussianCell> cell_pool_;
  std::vector<uint32_t> free_cells_;
  uint32_t n_cell_blocks_ = 0;
  // Scratch of one call (reused; the store is not shared between threads).
  mutable std::vector<double> votes_;
  std::vector<ClassWeight> pre_, left_, right_, scratch_;
  std::vector<uint32_t> subset_;
  std::vector<AttributeId> pending_;  // hand_subset's
  bool has_pending_ = false;
  uint64_t n_subsets_chosen_ = 0;
  size_t n_without_subset_ = 0;
  std::vector<GaussianCell*> updated_;
  std::vector<LeafStatus> status_;  // scratch of enforce_size_limit
  std::vector<ClassWeight> stats_scratch_;
  std::vector<double> logs_;
};

}  // namespace rivulet::ml::tree::internal
