#include "rivulet/ml/tree/hoeffding_adaptive_tree_regressor.h"

#include <fmt/format.h>

#include <cmath>
#include <utility>

namespace rivulet::ml {
HoeffdingAdaptiveTreeRegressor::HoeffdingAdaptiveTreeRegressor(Options options)
    : HoeffdingTreeRegressor(std::move(options.tree)),
      bootstrap_sampling_(options.bootstrap_sampling),
      drift_window_threshold_(static_cast<double>(options.drift_window_threshold)),
      detector_options_(options.drift_detector),
      switch_significance_(options.switch_significance),
      bootstrap_rng_(options_.seed) {}

Result<std::unique_ptr<HoeffdingAdaptiveTreeRegressor>> HoeffdingAdaptiveTreeRegressor::create(
    Options options) {
  const std::string_view who = "tree.HoeffdingAdaptiveTreeRegressor";
  RIVULET_RETURN_IF_ERROR(validate(options.tree, who));
  if (options.drift_window_threshold < 0) {
    return Status::invalid_argument(fmt::format("{}: drift_window_threshold must be >= 0", who));
  }
  if (!(options.switch_significance > 0.0 && options.switch_significance < 1.0)) {
    return Status::invalid_argument(fmt::format("{}: switch_significance must be in (0, 1)", who));
  }
  auto detector = ADWIN::create(options.drift_detector);
  if (!detector.ok()) return detector.status();
  return std::make_unique<HoeffdingAdaptiveTreeRegressor>(std::move(options));
}

Result<std::unique_ptr<HoeffdingAdaptiveTreeRegressor>> HoeffdingAdaptiveTreeRegressor::from_params(
    Params& p) {
  Options o;
  read_leading_params(p, o.tree);
  o.bootstrap_sampling =
      p.boolean("bootstrap_sampling", o.bootstrap_sampling, "Poisson(1) weights at the leaves");
  o.drift_window_threshold = p.integer("drift_window_threshold", o.drift_window_threshold,
                                       "least window of both detectors before a switch");
  auto detector = p.drift_detector("drift_detector", "drift.ADWIN", "the nodes' error detector");
  if (detector) {
    if (const auto* adwin = dynamic_cast<const ADWIN*>(detector.get())) {
      o.drift_detector = adwin->options();
    } else {
      p.fail(Status::invalid_argument(
          "tree.HoeffdingAdaptiveTreeRegressor: drift_detector must be a drift.ADWIN"));
    }
  }
  o.switch_significance =
      p.number("switch_significance", o.switch_significance, "significance of the switch test");
  read_trailing_params(p, o.tree);
  o.tree.seed = p.seed(0);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

// ---------------------------------------------------------------------------------------------
// Nodes.

uint32_t HoeffdingAdaptiveTreeRegressor::new_leaf(const VarianceStats* initial, uint32_t parent) {
  const uint32_t node = HoeffdingTreeRegressor::new_leaf(initial, parent);
  Leaf& leaf = leaf_of(node);
  leaf.adwin = std::make_unique<ADWIN>(detector_options_);  // drift_detector.clone()
  return node;
}

void HoeffdingAdaptiveTreeRegressor::init_branch(uint32_t node) {
  if (branch_state_.size() < nodes_.capacity_nodes()) branch_state_.resize(nodes_.capacity_nodes());
  BranchState& state = branch_state_[node];
  state = BranchState{};
  state.adwin = std::make_unique<ADWIN>(detector_options_);
  state.stats = VarianceStats{};
  state.stats.n = nodes_[node].split_weight;  // River's branch starts from the leaf's stats
}

void HoeffdingAdaptiveTreeRegressor::collect_leaves(uint32_t node,
                                                    std::vector<uint32_t>& out) const {
  // River's AdaBranchRegressor.iter_leaves: each child's leaves, then its alternate's.
  const tree::Node& n = nodes_[node];
  if (n.is_leaf()) {
    out.push_back(node);
    return;
  }
  for (size_t i = 0; i < n.n_children(); ++i) {
    const uint32_t child = n.child(i);
    collect_leaves(child, out);
    if (!nodes_[child].is_leaf() && child < branch_state_.size() &&
        branch_state_[child].alternate != kNone) {
      collect_leaves(branch_state_[child].alternate, out);
    }
  }
}

void HoeffdingAdaptiveTreeRegressor::release_subtree(uint32_t node) {
  const tree::Node& n = nodes_[node];
  if (!n.is_leaf()) {
    for (size_t i = 0; i < n.n_children(); ++i) release_subtree(nodes_[node].child(i));
    if (node < branch_state_.size()) {
      const uint32_t alternate = branch_state_[node].alternate;
      branch_state_[node] = BranchState{};
      if (alternate != kNone) release_subtree(alternate);
    }
    nodes_.release(node);
    return;
  }
  HoeffdingTreeRegressor::release_subtree(node);
}

size_t HoeffdingAdaptiveTreeRegressor::subtree_leaves(uint32_t node) const {
  size_t branches = 0;
  size_t leaves = 0;
  nodes_.count(node, branches, leaves);
  return leaves;
}

double HoeffdingAdaptiveTreeRegressor::detector_width(uint32_t node) const {
  return nodes_[node].is_leaf() ? leaf_of(node).adwin->width() : branch_state_[node].adwin->width();
}

double HoeffdingAdaptiveTreeRegressor::detector_estimation(uint32_t node) const {
  return nodes_[node].is_leaf() ? leaf_of(node).adwin->estimation()
                                : branch_state_[node].adwin->estimation();
}

int HoeffdingAdaptiveTreeRegressor::poisson() {
  // Knuth's product of uniforms: the first k with u_1 ... u_k <= exp(-1), minus one.
  const double l = std::exp(-1.0);
  int k = 0;
  double p = 1.0;
  while (p > l) {
    ++k;
    p *= bootstrap_rng_.random();
  }
  return k - 1;
}

bool HoeffdingAdaptiveTreeRegressor::track_error(ADWIN& detector, VarianceStats& tracker,
                                                 double y, double y_pred) {
  const double drift_input = std::abs(y - y_pred);
  const double old_error = tracker.mean;  // River's Mean.get(): 0 before the first error
  detector.update(drift_input);
  tracker.update(drift_input, 1.0);
  if (!detector.drift_detected()) return false;
  if (tracker.mean < old_error) {
    tracker = VarianceStats{};  // the error is decreasing: start the statistics over
    return false;
  }
  return true;
}

void HoeffdingAdaptiveTreeRegressor::drop_alternates_below(uint32_t node) {
  const tree::Node& n = nodes_[node];
  if (n.is_leaf()) return;
  for (size_t i = 0; i < n.n_children(); ++i) {
    const uint32_t child = nodes_[node].child(i);
    if (nodes_[child].is_leaf()) continue;
    const uint32_t alternate = branch_state_[child].alternate;
    if (alternate != kNone) {
      detached_.push_back(alternate);
      branch_state_[child].alternate = kNone;
      ++n_pruned_alternate_trees_;
    }
    drop_alternates_below(child);
  }
}

// ---------------------------------------------------------------------------------------------
// Learning.

void HoeffdingAdaptiveTreeRegressor::learn_weighted(const Features& x, double y, double w) {
  attributes_.resolve(x, context_.space, view_);
  train_weight_seen_ += w;
  if (root_ == kNone) {
    root_ = new_leaf(nullptr, kNone);
    n_active_ = 1;
  }
  learn_node(root_, x, y, w, kNone, kNone);
  if (std::fmod(train_weight_seen_, static_cast<double>(options_.memory_estimate_period)) == 0.0) {
    estimate_model_size();
  }
  release_detached();
}

void HoeffdingAdaptiveTreeRegressor::learn_node(uint32_t node, const Features& x, double y,
                                                double w, uint32_t parent, uint32_t branch,
                                                bool has_path_pred, double path_pred) {
  if (nodes_[node].is_leaf()) {
    learn_leaf(node, x, y, w, parent, branch);
  } else {
    learn_branch(node, x, y, w, parent, branch, has_path_pred, path_pred);
  }
}

void HoeffdingAdaptiveTreeRegressor::learn_leaf(uint32_t node, const Features& x, double y,
                                                double w, uint32_t parent, uint32_t branch) {
  {
    const double y_pred = leaf_predict(node, x);
    if (bootstrap_sampling_) {
      const int k = poisson();
      if (k > 0) w *= k;  // River keeps the weight when k is 0
    }
    Leaf& leaf = leaf_of(node);
    // `error_normalizer` holds River's `_error_tracker`; a leaf's detection only resets it.
    (void)track_error(*leaf.adwin, leaf.error_normalizer, y, y_pred);
  }
  leaf_learn(node, x, y, w);
  Leaf& leaf = leaf_of(node);
  const double weight_seen = leaf.stats.n;
  if (weight_seen - leaf.last_split_attempt_at >= static_cast<double>(options_.grace_period)) {
    if (nodes_[node].depth >= max_depth()) {
      // Depth-based pre-pruning (River counts it again at every visit; counted once here).
      if (leaf.active) {
        deactivate(node);
        --n_active_;
        ++n_inactive_;
      }
    } else if (leaf.active) {
      leaf.last_split_attempt_at = weight_seen;
      attempt_to_split(node, parent, branch);
    }
  }
}

void HoeffdingAdaptiveTreeRegressor::learn_branch(uint32_t node, const Features& x, double y,
                                                  double w, uint32_t parent, uint32_t branch,
                                                  bool has_path_pred, double path_pred) {
  // River's super().traverse(x, until_leaf=True): the leaf below (the same for the whole path).
  const double y_pred = has_path_pred ? path_pred : leaf_predict(leaf_for(node), x);
  bool error_change = false;
  {
    BranchState& state = branch_state_[node];
    state.stats.update(y, w);
    error_change = track_error(*state.adwin, state.error_tracker, y, y_pred);
  }
  bool cut_off = false;  // this branch left the tree during this step
  if (error_change && branch_state_[node].alternate == kNone) {
    // A new alternate leaf (one level up: it would take this branch's place).
    branch_state_[node].error_tracker = VarianceStats{};
    const uint32_t alternate = new_leaf(nullptr, node);
    nodes_[alternate].depth -= 1;
    if (branch_state_.size() < nodes_.capacity_nodes())
      branch_state_.resize(nodes_.capacity_nodes());
    branch_state_[node].alternate = alternate;
    ++n_alternate_trees_;
  } else if (branch_state_[node].alternate != kNone) {
    const uint32_t alternate = branch_state_[node].alternate;
    const VarianceStats& cur = branch_state_[node].error_tracker;
    const VarianceStats& alt = nodes_[alternate].is_leaf()
                                   ? leaf_of(alternate).error_normalizer
                                   : branch_state_[alternate].error_tracker;
    if (alt.n > drift_window_threshold_ && cur.n > drift_window_threshold_) {
      // Two-sided z-test on the mean errors (River: statistics.NormalDist().cdf).
      const double z =
          (alt.mean - cur.mean) / std::sqrt(alt.variance() / alt.n + cur.variance() / cur.n);
      const double p_value = 2.0 * 0.5 * (1.0 + std::erf(-std::abs(z) / std::sqrt(2.0)));
      if (p_value <= switch_significance_) {
        if (alt.mean < cur.mean) {
          const size_t gone = subtree_leaves(node);
          n_active_ = n_active_ >= gone ? n_active_ - gone : 0;
          n_active_ += subtree_leaves(alternate);
          drop_alternates_below(node);
          set_occupant(parent, branch, alternate);
          detached_.push_back(node);
          cut_off = true;
          if (parent != kNone) branch_state_[node].alternate = kNone;
          ++n_switch_alternate_trees_;
        } else {
          drop_alternates_below(alternate);
          detached_.push_back(alternate);
          branch_state_[node].alternate = kNone;
          ++n_pruned_alternate_trees_;
        }
      }
    }
  }
  const uint32_t alternate = branch_state_[node].alternate;
  if (alternate != kNone) learn_node(alternate, x, y, w, parent, branch);
  // Cut off (switched, or replaced by its alternate's split): River goes on training the
  // detached branch with this sample; it leaves the tree at the end of the step. Its leaves'
  // growth does not count in the tree's leaf counts.
  if (!cut_off && occupant(parent, branch) != node) cut_off = true;
  if (cut_off && branch_state_[node].alternate != kNone &&
      occupant(parent, branch) == branch_state_[node].alternate) {
    branch_state_[node].alternate = kNone;  // its alternate is in the tree now
  }
  const size_t n_active = n_active_;
  const size_t n_inactive = n_inactive_;
  const uint32_t b = tree::TreeNodes::branch_no(nodes_[node], view_);
  if (b != kNone) {
    learn_node(nodes_[node].child(b), x, y, w, node, b, true, y_pred);
  } else if (nodes_[node].kind == tree::NodeKind::kNominalMultiway &&
             view_.has(nodes_[node].attribute)) {
    const uint32_t leaf = add_category_branch(node);
    learn_node(leaf, x, y, w, node, static_cast<uint32_t>(nodes_[node].n_children() - 1));
  } else {
    const uint32_t path = most_common_branch(node);
    learn_node(nodes_[node].child(path), x, y, w, node, path, true, y_pred);
  }
  if (cut_off) {
    n_active_ = n_active;
    n_inactive_ = n_inactive;
  }
}

double HoeffdingAdaptiveTreeRegressor::predict_one(const Features& x) const {
  if (root_ == kNone) return 0.0;
  attributes_.resolve(x, context_.space, view_);
  // River's AdaBranchRegressor.traverse: the alternates met on the way, then the leaf.
  found_.clear();
  uint32_t node = root_;
  while (!nodes_[node].is_leaf()) {
    const uint32_t alternate = branch_state_[node].alternate;
    if (alternate != kNone) found_.push_back(leaf_for(alternate));
    const uint32_t b = tree::TreeNodes::branch_no(nodes_[node], view_);
    node = nodes_[node].child(b != kNone ? b : most_common_branch(node));
  }
  found_.push_back(node);
  double pred = 0.0;
  for (const uint32_t leaf : found_) pred += leaf_predict(leaf, x);
  return pred / static_cast<double>(found_.size());
}

void HoeffdingAdaptiveTreeRegressor::describe(Description& out) const {
  HoeffdingTreeRegressor::describe(out);
  out.add("n_alternate_trees", static_cast<double>(n_alternate_trees_));
  out.add("n_pruned_alternate_trees", static_cast<double>(n_pruned_alternate_trees_));
  out.add("n_switch_alternate_trees", static_cast<double>(n_switch_alternate_trees_));
}

// ---------------------------------------------------------------------------------------------
// State.

size_t HoeffdingAdaptiveTreeRegressor::extra_bytes() const {
  size_t bytes = branch_state_.capacity() * sizeof(BranchState);
  for (const auto& state : branch_state_) {
    if (state.adwin) bytes += sizeof(ADWIN);
  }
  return bytes;
}

void HoeffdingAdaptiveTreeRegressor::save_extra(StateWriter& out) const {
  out(n_alternate_trees_, n_pruned_alternate_trees_, n_switch_alternate_trees_, bootstrap_rng_);
  out(static_cast<uint64_t>(branch_state_.size()));
  for (const BranchState& state : branch_state_) {
    out(state.adwin != nullptr, state.error_tracker, state.stats, state.alternate);
    if (state.adwin) state.adwin->save(out);
  }
}

void HoeffdingAdaptiveTreeRegressor::load_extra(StateReader& in) {
  in(n_alternate_trees_, n_pruned_alternate_trees_, n_switch_alternate_trees_, bootstrap_rng_);
  uint64_t n = 0;
  in(n);
  if (n > nodes_.capacity_nodes()) throw cereal::Exception("HATR: bad branch count");
  branch_state_.clear();
  branch_state_.resize(static_cast<size_t>(n));
  for (BranchState& state : branch_state_) {
    bool has_adwin = false;
    in(has_adwin, state.error_tracker, state.stats, state.alternate);
    if (state.alternate != kNone && state.alternate >= nodes_.capacity_nodes()) {
      throw cereal::Exception("HATR: bad alternate");
    }
    if (has_adwin) {
      state.adwin = std::make_unique<ADWIN>(detector_options_);
      state.adwin->load(in);
    }
  }
  // Every live branch needs its detector, every live leaf its own.
  for (uint32_t id = 0; id < nodes_.capacity_nodes(); ++id) {
    const tree::Node& node = nodes_[id];
    if (!node.is_leaf() && (id >= branch_state_.size() || !branch_state_[id].adwin)) {
      throw cereal::Exception("HATR: branch without detector");
    }
    if (node.is_leaf() && node.payload != kNone && !leaves_[node.payload].adwin) {
      throw cereal::Exception("HATR: leaf without detector");
    }
  }
}

}  // namespace rivulet::ml
