#pragma once
/// River's `tree.HoeffdingAdaptiveTreeRegressor` (0.12.1): a Hoeffding tree regressor whose
/// nodes watch their absolute error |y - y_hat| with a drift detector (a clone of
/// `drift_detector`, ADWIN by default) and keep its running mean and variance. A branch whose
/// detector finds the error growing (and has no alternate) starts an alternate leaf, and starts
/// its own error statistics over. Once both have seen more than `drift_window_threshold` errors,
/// a two-sided z-test on the two mean errors decides: at p-value <= `switch_significance` the
/// alternate replaces the branch when its mean error is lower, and is dropped otherwise. Leaves
/// train on Poisson(1) bootstrap weights (`bootstrap_sampling`), and predictions average the
/// leaf reached with the alternate leaves met on the way.
///
/// River 0.12.1's behaviours kept: the leaves draw their bootstrap weights from the tree's one
/// `random.Random(seed)` (rivulet replays CPython's Mersenne Twister and River's
/// `utils.random.poisson`), in River's order of visits; an alternate leaf that splits puts its
/// new branch in the place of the subtree that grew it (River hands the alternate that subtree's
/// parent slot); after a switch at the root the new root learns the sample; a subtree cut off
/// during a step (a switch, or an alternate's split) still learns that step's sample, as River's
/// detached objects do (their bootstrap draws come from the shared source), and is dropped
/// after it (its alternates are dropped at a switch, as River's kill_tree_children does).
/// Thread safety: none.
/// Reference: A. Bifet, R. Gavalda, "Adaptive learning from evolving data streams", IDA 2009.
/// ```cpp example
/// rivulet::ml::HoeffdingAdaptiveTreeRegressor::Options o;
/// o.tree.grace_period = 50;
/// o.tree.seed = 1;
/// auto tree = rivulet::ml::HoeffdingAdaptiveTreeRegressor::create(std::move(o)).value();
/// for (int i = 0; i < 2000; ++i) {
///   const double x = i % 20;
///   tree->learn_one(rivulet::Features{{0, x}}, (i < 1000) == (x < 10) ? 1.0 : 5.0);
/// }
/// EXPECT_GE(tree->n_branches(), 1u);
/// EXPECT_NEAR(tree->predict_one(rivulet::Features{{0, 3.0}}), 5.0, 0.5);  // after the drift
/// ```

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/tree/hoeffding_tree_regressor.h"

namespace rivulet::ml {

class HoeffdingAdaptiveTreeRegressor final : public HoeffdingTreeRegressor {
 public:
  struct Options {
    HoeffdingTreeRegressor::Options tree;  ///< The tree's options; `seed` seeds the bootstrap.
    bool bootstrap_sampling = true;        ///< Poisson(1) weights at the leaves.
    int64_t drift_window_threshold = 300;  ///< Errors both must have seen. REQUIRES: >= 0.
    ADWIN::Options drift_detector = {};    ///< River's drift.ADWIN().
    double switch_significance = 0.05;     ///< Of the z-test. REQUIRES: 0 < s < 1.
  };

  /// Returns kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<HoeffdingAdaptiveTreeRegressor>> create(Options options);
  /// River's signature: the tree's parameters up to min_samples_split, bootstrap_sampling,
  /// drift_window_threshold, drift_detector (a drift.ADWIN), switch_significance, then
  /// binary_split ... merit_preprune, seed.
  static Result<std::unique_ptr<HoeffdingAdaptiveTreeRegressor>> from_params(Params& p);
  explicit HoeffdingAdaptiveTreeRegressor(Options options);

  std::string_view name() const override { return "tree.HoeffdingAdaptiveTreeRegressor"; }
  void learn_weighted(const Features& x, double y, double w) override;
  double predict_one(const Features& x) const override;
  void describe(Description& out) const override;

  size_t n_alternate_trees() const { return n_alternate_trees_; }
  size_t n_pruned_alternate_trees() const { return n_pruned_alternate_trees_; }
  size_t n_switch_alternate_trees() const { return n_switch_alternate_trees_; }

 private:
  // A branch's drift state.
  struct BranchState {
    std::unique_ptr<ADWIN> adwin;
    VarianceStats error_tracker;  // the absolute errors since the last reset
    VarianceStats stats;          // the targets that went through the branch
    uint32_t alternate = tree::kNone;
  };

  uint32_t new_leaf(const VarianceStats* initial, uint32_t parent) override;
  void init_branch(uint32_t node) override;
  void collect_leaves(uint32_t node, std::vector<uint32_t>& out) const override;
  void release_subtree(uint32_t node) override;
  void save_extra(StateWriter& out) const override;
  void load_extra(StateReader& in) override;
  size_t extra_bytes() const override;

  // `path_pred`, when `has_path_pred`, is the prediction of the leaf x reaches from `node`:
  // every branch of one path asks River's traverse() for the same leaf, before it learns, so it
  // is computed once per path.
  void learn_node(uint32_t node, const Features& x, double y, double w, uint32_t parent,
                  uint32_t branch, bool has_path_pred = false, double path_pred = 0.0);
  void learn_leaf(uint32_t node, const Features& x, double y, double w, uint32_t parent,
                  uint32_t branch);
  void learn_branch(uint32_t node, const Features& x, double y, double w, uint32_t parent,
                    uint32_t branch, bool has_path_pred, double path_pred);
  // River's utils.random.poisson(1, rng) with the tree's random.Random(seed).
  int poisson();
  // Feeds |y - y_pred| to a node's detector and error statistics; true when the detector finds
  // the error growing (a detection while the mean error falls resets the statistics instead).
  bool track_error(ADWIN& detector, VarianceStats& tracker, double y, double y_pred);
  // Drops the alternates of the branches below `node` (River's kill_tree_children).
  void drop_alternates_below(uint32_t node);
  double detector_width(uint32_t node) const;
  double detector_estimation(uint32_t node) const;
  size_t subtree_leaves(uint32_t node) const;

  bool bootstrap_sampling_;
  double drift_window_threshold_;
  ADWIN::Options detector_options_;
  double switch_significance_;
  PythonRandom bootstrap_rng_;             // River's random.Random(seed), shared by the leaves
  std::vector<BranchState> branch_state_;  // by node id
  size_t n_alternate_trees_ = 0;
  size_t n_pruned_alternate_trees_ = 0;
  size_t n_switch_alternate_trees_ = 0;
  mutable std::vector<uint32_t> found_;  // prediction scratch
};

}  // namespace rivulet::ml
