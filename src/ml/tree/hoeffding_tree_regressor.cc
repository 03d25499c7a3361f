#include "rivulet/ml/tree/hoeffding_tree_regressor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <optional>
#include <sstream>
#include <utility>

#include "ml/forest/python_draws.h"
#include "ml/tree/tree_params.h"
#include "rivulet/ml/linear/linear_regression.h"
#include "rivulet/ml/tree/split_criterion.h"

namespace rivulet::ml {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::string leaf_prediction_error(std::string_view s) {
  return fmt::format(
      "tree.HoeffdingTreeRegressor: leaf_prediction must be 'mean', 'model' or 'adaptive', got "
      "'{}'",
      s);
}

}  // namespace

HoeffdingTreeRegressor::HoeffdingTreeRegressor(Options options)
    : options_(std::move(options)),
      criterion_{static_cast<double>(options_.min_samples_split)},
      rng_(options_.seed) {
  size_limit_.set_max_size_mib(options_.max_size);
  attributes_.set_nominal_names(options_.nominal_attributes);
}

HoeffdingTreeRegressor::~HoeffdingTreeRegressor() = default;

Result<std::unique_ptr<HoeffdingTreeRegressor>> HoeffdingTreeRegressor::create(Options options) {
  RIVULET_RETURN_IF_ERROR(validate(options, "tree.HoeffdingTreeRegressor"));
  return std::make_unique<HoeffdingTreeRegressor>(std::move(options));
}

Status HoeffdingTreeRegressor::validate(const Options& options, std::string_view who) {
  if (options.grace_period < 1) {
    return Status::invalid_argument(fmt::format("{}: grace_period must be >= 1", who));
  }
  if (options.max_depth < -1) {
    return Status::invalid_argument(fmt::format("{}: max_depth must be >= 0 (or -1: none)", who));
  }
  if (!(options.delta > 0.0 && options.delta < 1.0)) {
    return Status::invalid_argument(fmt::format("{}: delta must be in (0, 1)", who));
  }
  if (!(options.tau >= 0.0))
    return Status::invalid_argument(fmt::format("{}: tau must be >= 0", who));
  if (!(options.model_selector_decay > 0.0 && options.model_selector_decay <= 1.0)) {
    return Status::invalid_argument(fmt::format("{}: model_selector_decay must be in (0, 1]", who));
  }
  if (options.splitter_digits < -1 || options.splitter_digits > 15) {
    return Status::invalid_argument(fmt::format("{}: splitter digits must be in [0, 15]", who));
  }
  if (options.min_samples_split < 0) {
    return Status::invalid_argument(fmt::format("{}: min_samples_split must be >= 0", who));
  }
  if (!(options.max_size > 0.0)) {
    return Status::invalid_argument(fmt::format("{}: max_size must be > 0", who));
  }
  if (options.memory_estimate_period < 1) {
    return Status::invalid_argument(fmt::format("{}: memory_estimate_period must be >= 1", who));
  }
  if (options.leaf_model) {
    auto probe = options.leaf_model(options.seed);
    if (!probe.ok()) return probe.status();
    if ((*probe)->kind() != EstimatorKind::kRegressor) {
      return Status::invalid_argument(
          fmt::format("{}: leaf_model must be a regressor, got {}", who, (*probe)->name()));
    }
  }
  return Status::ok_status();
}

void HoeffdingTreeRegressor::read_leading_params(Params& p, Options& o) {
  o.grace_period =
      p.integer("grace_period", o.grace_period, "weight a leaf sees between split attempts");
  o.max_depth = p.optional_integer("max_depth", "deepest leaf depth; None: unlimited").value_or(-1);
  o.delta = p.number("delta", o.delta, "significance of the Hoeffding bound");
  o.tau = p.number("tau", o.tau, "tie threshold on the Hoeffding bound");
  const std::string mode = p.string("leaf_prediction", "adaptive", "'mean', 'model' or 'adaptive'");
  if (mode == "mean") {
    o.leaf_prediction = LeafPrediction::kMean;
  } else if (mode == "model") {
    o.leaf_prediction = LeafPrediction::kModel;
  } else if (mode == "adaptive") {
    o.leaf_prediction = LeafPrediction::kAdaptive;
  } else {
    p.fail(Status::invalid_argument(leaf_prediction_error(mode)));
  }
  o.leaf_model = p.estimator_maker("leaf_model", "linear_model.LinearRegression",
                                   "regressor of the leaves ('model' and 'adaptive')");
  o.model_selector_decay = p.number("model_selector_decay", o.model_selector_decay,
                                    "decay of the squared errors that 'adaptive' compares");
  o.nominal_attributes = tree::internal::split_names(
      p.string("nominal_attributes", "", "comma-separated numeric features to treat as nominal"));
  const std::string splitter =
      p.string("splitter", "TEBSTSplitter(digits=1)",
               "numeric splitter: 'TEBSTSplitter(digits=N)' (values rounded) or 'EBSTSplitter'");
  if (auto digits = tree::internal::parse_splitter(splitter)) {
    o.splitter_digits = *digits;
  } else {
    p.fail(Status::invalid_argument(fmt::format(
        "tree regressor: splitter must be 'EBSTSplitter' or 'TEBSTSplitter(digits=N)', got '{}'",
        splitter)));
  }
  o.min_samples_split =
      p.integer("min_samples_split", o.min_samples_split, "least weight on each side of a split");
}

void HoeffdingTreeRegressor::read_trailing_params(Params& p, Options& o) {
  o.binary_split = p.boolean("binary_split", o.binary_split, "nominal attributes split in two");
  o.max_size = p.number("max_size", o.max_size, "memory budget in MiB");
  o.memory_estimate_period =
      p.integer("memory_estimate_period", o.memory_estimate_period, "weight between memory checks");
  o.stop_mem_management =
      p.boolean("stop_mem_management", o.stop_mem_management, "stop growing at the memory limit");
  o.remove_poor_attrs =
      p.boolean("remove_poor_attrs", o.remove_poor_attrs, "stop observing poor attributes");
  o.merit_preprune = p.boolean("merit_preprune", o.merit_preprune, "the null split competes");
}

Result<std::unique_ptr<HoeffdingTreeRegressor>> HoeffdingTreeRegressor::from_params(Params& p) {
  Options o;
  read_leading_params(p, o);
  read_trailing_params(p, o);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

// ---------------------------------------------------------------------------------------------
// Nodes and leaves.

double HoeffdingTreeRegressor::max_depth() const {
  return options_.max_depth < 0 ? kInf : static_cast<double>(options_.max_depth);
}

double HoeffdingTreeRegressor::subtree_weight(uint32_t node) const {
  return nodes_.subtree_weight(node, [this](uint32_t payload) { return leaves_[payload].stats.n; });
}

uint32_t HoeffdingTreeRegressor::most_common_branch(uint32_t node) const {
  return nodes_.most_common_branch(node,
                                   [this](uint32_t payload) { return leaves_[payload].stats.n; });
}

uint32_t HoeffdingTreeRegressor::leaf_for(uint32_t node) const {
  return nodes_.leaf_for(node, view_,
                         [this](uint32_t payload) { return leaves_[payload].stats.n; });
}

uint32_t HoeffdingTreeRegressor::new_payload() {
  uint32_t slot;
  if (!free_leaves_.empty()) {
    slot = free_leaves_.back();
    free_leaves_.pop_back();
    leaves_[slot] = Leaf{};
  } else {
    slot = static_cast<uint32_t>(leaves_.size());
    leaves_.emplace_back();
  }
  leaves_[slot].in_use = true;
  if (options_.max_features > 0) ++n_without_subset_;
  return slot;
}

void HoeffdingTreeRegressor::free_payload(uint32_t payload) {
  Leaf& leaf = leaves_[payload];
  if (options_.max_features > 0 && leaf.in_use && !leaf.subset_drawn) --n_without_subset_;
  leaf = Leaf{};
  free_leaves_.push_back(payload);
}

std::unique_ptr<Regressor> HoeffdingTreeRegressor::fresh_model() const {
  std::unique_ptr<Regressor> model;
  if (options_.leaf_model) {
    auto made = options_.leaf_model(options_.seed);
    if (made.ok() && (*made)->kind() == EstimatorKind::kRegressor) {
      model.reset(static_cast<Regressor*>(made->release()));
    }
  }
  if (!model) model = std::make_unique<LinearRegression>(LinearRegression::Options{});
  model->attach(context_);
  return model;
}

std::unique_ptr<Regressor> HoeffdingTreeRegressor::copy_model(const Regressor& from) const {
  // River's deepcopy of the parent leaf's model: its state through the model's own bytes.
  auto model = fresh_model();
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    from.save(out);
  }
  {
    StateReader in(bytes);
    model->load(in);
  }
  return model;
}

uint32_t HoeffdingTreeRegressor::new_leaf(const VarianceStats* initial, uint32_t parent) {
  ++n_growth_events_;
  const VarianceStats stats = initial != nullptr ? *initial : VarianceStats{};
  const uint32_t payload = new_payload();  // may move leaves_
  const uint32_t depth = parent != kNone ? nodes_[parent].depth + 1 : 0;
  const bool parent_is_leaf = parent != kNone && nodes_[parent].is_leaf();
  Leaf& leaf = leaves_[payload];
  leaf.stats = stats;
  leaf.last_split_attempt_at = stats.n;
  if (options_.leaf_prediction != LeafPrediction::kMean) {
    const Leaf* from = parent_is_leaf ? &leaf_of(parent) : nullptr;
    leaf.model = from != nullptr && from->model ? copy_model(*from->model) : fresh_model();
  }
  if (options_.leaf_prediction == LeafPrediction::kAdaptive && parent_is_leaf) {
    leaf.fmse_mean = leaf_of(parent).fmse_mean;
    leaf.fmse_model = leaf_of(parent).fmse_model;
  }
  return nodes_.add_leaf(depth, payload);
}

uint32_t HoeffdingTreeRegressor::add_category_branch(uint32_t node) {
  const uint32_t category = view_.category(nodes_[node].attribute);
  const uint32_t leaf = new_leaf(nullptr, node);
  nodes_.add_branch(node, category, leaf);
  ++n_active_;
  return leaf;
}

void HoeffdingTreeRegressor::observe(Leaf& leaf, const tree::AttributeValue& v, double y,
                                     double w) {
  if (!leaf.disabled.empty() &&
      std::find(leaf.disabled.begin(), leaf.disabled.end(), v.attribute) != leaf.disabled.end()) {
    return;
  }
  if (v.attribute >= leaf.observer_of.size()) leaf.observer_of.resize(v.attribute + 1, -1);
  int32_t& slot = leaf.observer_of[v.attribute];
  if (slot < 0) {
    slot = static_cast<int32_t>(leaf.observers.size());
    leaf.observers.emplace_back();
    leaf.observers.back().attribute = v.attribute;
    leaf.observers.back().nominal = attributes_.is_nominal(v.attribute);
    leaf.observers.back().ebst = EbstSplitter(static_cast<int>(options_.splitter_digits));
  }
  Observer& obs = leaf.observers[static_cast<size_t>(slot)];
  if (obs.nominal) {
    obs.categories.update(static_cast<double>(v.category), y, w);
  } else {
    obs.ebst.update(v.value, y, w);
  }
}

void HoeffdingTreeRegressor::choose_subset(Leaf& leaf) {
  // River's ARF leaves: rng.sample(sorted(x.keys()), k=max_features) on the first sample (all
  // the sample's attributes when it has fewer; nothing, to be drawn again, when it is empty).
  if (view_.size() == 0) return;
  if (has_pending_subset_) {
    // Drawn by the forest from River's generator (draw_subset).
    has_pending_subset_ = false;
    leaf.feature_subset.assign(pending_subset_.begin(), pending_subset_.end());
  } else {
    assert(!options_.caller_draws_subsets && "ARF leaf subset not handed over by the forest");
    leaf.feature_subset.clear();
    for (const auto& v : view_.entries()) leaf.feature_subset.push_back(v.attribute);
    const size_t k = std::min(options_.max_features, leaf.feature_subset.size());
    for (size_t i = 0; i < k; ++i) {
      const size_t j = i + static_cast<size_t>(rng_.below(leaf.feature_subset.size() - i));
      std::swap(leaf.feature_subset[i], leaf.feature_subset[j]);
    }
    leaf.feature_subset.resize(k);
  }
  leaf.subset_drawn = true;
  ++n_subsets_chosen_;
  --n_without_subset_;
}

bool HoeffdingTreeRegressor::draw_subset(const Features& x, PythonRandom& rng) {
  has_pending_subset_ = false;
  if (options_.max_features == 0) return false;
  // Every leaf has its subset and learning cannot add one (no root to make, no multiway
  // branch to grow): nothing to draw, without looking at x.
  if (root_ != kNone && n_without_subset_ == 0 && !has_multiway_) return false;
  attributes_.resolve(x, context_.space, view_);
  if (view_.size() == 0) return false;  // River's leaf chooses nothing from an empty sample
  // The leaf learn_weighted() will train, as it finds it; a new leaf (the root, a branch for an
  // unseen category) chooses its subset at once.
  bool fresh = root_ == kNone;
  if (!fresh) {
    const tree::WalkEnd end = nodes_.walk(root_, view_);
    uint32_t node = end.node;
    if (!end.at_leaf) {
      for (;;) {
        const tree::Node& n = nodes_[node];
        if (n.kind == tree::NodeKind::kNominalMultiway && view_.has(n.attribute)) {
          fresh = true;
          break;
        }
        node = n.child(most_common_branch(node));
        if (!nodes_[node].is_leaf()) node = nodes_.walk(node, view_).node;
        if (nodes_[node].is_leaf()) break;
      }
    }
    if (!fresh) {
      const Leaf& leaf = leaf_of(node);
      if (!leaf.active || leaf.subset_drawn) return false;
    }
  }
  ml::internal::python_attribute_subset(view_, attributes_, options_.max_features, rng,
                                        pending_subset_, subset_sorted_, subset_positions_,
                                        subset_pool_);
  has_pending_subset_ = true;
  return true;
}

void HoeffdingTreeRegressor::update_observers(Leaf& leaf, double y, double w) {
  if (options_.max_features == 0) {
    for (const auto& v : view_.entries()) observe(leaf, v, y, w);
    return;
  }
  if (!leaf.subset_drawn) choose_subset(leaf);
  for (const AttributeId a : leaf.feature_subset) {
    if (view_.has(a)) observe(leaf, {a, view_.value(a), view_.category(a)}, y, w);
  }
}

void HoeffdingTreeRegressor::leaf_learn(uint32_t node, const Features& x, double y, double w) {
  Leaf& leaf = leaf_of(node);
  if (options_.leaf_prediction == LeafPrediction::kAdaptive) {
    const double pred_mean = leaf.stats.mean;
    const double pred_model = leaf.model->predict_one(x);
    const double decay = options_.model_selector_decay;
    leaf.fmse_mean = decay * leaf.fmse_mean + (y - pred_mean) * (y - pred_mean);
    leaf.fmse_model = decay * leaf.fmse_model + (y - pred_model) * (y - pred_model);
  }
  leaf.stats.update(y, w);
  if (leaf.active) {
    const bool first_observation = leaf.observers.empty();
    update_observers(leaf, y, w);
    if (first_observation && !leaf.observers.empty()) {
      ++n_growth_events_;  // its splitters, and room for rating them
      if (suggestions_.capacity() < attributes_.size() + 1)
        suggestions_.reserve(attributes_.size() + 1);
    }
  }
  if (leaf.model) {
    if (auto* linear = dynamic_cast<LinearRegression*>(leaf.model.get())) {
      linear->learn_weighted(x, y, w);
    } else {
      // River's leaves repeat the sample int(w) times for models without sample weights.
      for (int64_t i = 0; i < static_cast<int64_t>(w); ++i) leaf.model->learn_one(x, y);
    }
  }
}

double HoeffdingTreeRegressor::leaf_predict(uint32_t node, const Features& x) const {
  const Leaf& leaf = leaf_of(node);
  switch (options_.leaf_prediction) {
    case LeafPrediction::kMean:
      return leaf.stats.mean;
    case LeafPrediction::kModel:
      return leaf.model->predict_one(x);
    case LeafPrediction::kAdaptive:
      return leaf.fmse_mean < leaf.fmse_model ? leaf.stats.mean : leaf.model->predict_one(x);
  }
  return leaf.stats.mean;
}

void HoeffdingTreeRegressor::deactivate(uint32_t node) {
  Leaf& leaf = leaf_of(node);
  leaf.active = false;
  leaf.observers.clear();
  leaf.observer_of.clear();
}

void HoeffdingTreeRegressor::disable_attribute(Leaf& leaf, AttributeId attribute) {
  if (attribute >= leaf.observer_of.size() || leaf.observer_of[attribute] < 0) return;
  leaf.observers.erase(leaf.observers.begin() + leaf.observer_of[attribute]);
  leaf.disabled.push_back(attribute);
  std::fill(leaf.observer_of.begin(), leaf.observer_of.end(), -1);
  for (size_t i = 0; i < leaf.observers.size(); ++i) {
    leaf.observer_of[leaf.observers[i].attribute] = static_cast<int32_t>(i);
  }
}

// ---------------------------------------------------------------------------------------------
// Learning and prediction.

void HoeffdingTreeRegressor::learn_weighted(const Features& x, double y, double w) {
  attributes_.resolve(x, context_.space, view_);
  train_weight_seen_ += w;
  if (root_ == kNone) {
    root_ = new_leaf(nullptr, kNone);
    n_active_ = 1;
  }
  uint32_t parent = kNone;
  uint32_t branch = kNone;
  const tree::WalkEnd end = nodes_.walk(root_, view_, &parent, &branch);
  if (end.at_leaf) {
    leaf_learn(end.node, x, y, w);
    Leaf& leaf = leaf_of(end.node);
    if (size_limit_.growth_allowed() && leaf.active) {
      if (nodes_[end.node].depth >= max_depth()) {
        deactivate(end.node);
        --n_active_;
        ++n_inactive_;
      } else {
        const double weight_seen = leaf.stats.n;
        if (weight_seen - leaf.last_split_attempt_at >=
            static_cast<double>(options_.grace_period)) {
          leaf.last_split_attempt_at = weight_seen;
          attempt_to_split(end.node, parent, branch);
        }
      }
    }
  } else {
    // The branch cannot take x: a new branch for an unseen category, else the most common path
    // (River trains the leaf reached without a split attempt).
    uint32_t node = end.node;
    while (true) {
      const tree::Node& n = nodes_[node];
      if (n.kind == tree::NodeKind::kNominalMultiway && view_.has(n.attribute)) {
        node = add_category_branch(node);
      } else {
        node = n.child(most_common_branch(node));
        if (!nodes_[node].is_leaf()) node = nodes_.walk(node, view_).node;
      }
      if (nodes_[node].is_leaf()) break;
    }
    leaf_learn(node, x, y, w);
  }
  if (std::fmod(train_weight_seen_, static_cast<double>(options_.memory_estimate_period)) == 0.0) {
    estimate_model_size();
  }
  release_detached();
  assert(!has_pending_subset_ && "a subset handed over for another leaf");
}

double HoeffdingTreeRegressor::predict_one(const Features& x) const {
  if (root_ == kNone) return 0.0;
  attributes_.resolve(x, context_.space, view_);
  return leaf_predict(leaf_for(root_), x);
}

void HoeffdingTreeRegressor::best_split_suggestions(Leaf& leaf) {
  suggestions_.clear();
  // A leaf has at most one observer per attribute: room for all was reserved when the leaf
  // got its observers (leaf_learn), a growth of the tree.
  if (suggestions_.capacity() < attributes_.size() + 1) suggestions_.reserve(attributes_.size() + 1);
  if (options_.merit_preprune) suggestions_.push_back(Suggestion{});
  for (const Observer& obs : leaf.observers) {
    Suggestion s;
    if (!obs.nominal) {
      EbstSplitter::Split split;
      if (obs.ebst.best_split(criterion_, leaf.stats, split)) {
        s.merit = split.merit;
        s.attribute = obs.attribute;
        s.kind = tree::NodeKind::kNumericBinary;
        s.threshold = split.threshold;
        s.left = split.left;
        s.right = split.right;
      }
    } else if (obs.categories.size() > 0) {
      const AttributeId a = obs.attribute;
      const auto split = obs.categories.best_split(
          criterion_, leaf.stats, options_.binary_split,
          [this, a](double ca, double cb) {
            return attributes_.category_less(a, static_cast<uint32_t>(ca),
                                             static_cast<uint32_t>(cb));
          },
          order_);
      s.merit = split.merit;
      s.attribute = a;
      s.kind = split.multiway ? tree::NodeKind::kNominalMultiway : tree::NodeKind::kNominalBinary;
      s.category = static_cast<uint32_t>(split.category);
      s.left = split.left;
      s.right = split.right;
    }
    suggestions_.push_back(s);
  }
  // Python's stable list.sort() by merit, ascending (insertion sort: no allocation).
  for (size_t i = 1; i < suggestions_.size(); ++i) {
    for (size_t j = i; j > 0 && suggestions_[j].merit < suggestions_[j - 1].merit; --j) {
      std::swap(suggestions_[j], suggestions_[j - 1]);
    }
  }
}

void HoeffdingTreeRegressor::attempt_to_split(uint32_t node, uint32_t parent, uint32_t branch) {
  best_split_suggestions(leaf_of(node));
  const size_t n = suggestions_.size();
  bool should_split = false;
  double bound = 0.0;
  if (n < 2) {
    should_split = n > 0;
  } else {
    bound = tree::hoeffding_bound(1.0, options_.delta, leaf_of(node).stats.n);
    const Suggestion& best = suggestions_[n - 1];
    const Suggestion& second = suggestions_[n - 2];
    if (best.merit > 0.0 && (second.merit / best.merit < 1.0 - bound || bound < options_.tau)) {
      should_split = true;
    }
    if (options_.remove_poor_attrs && best.merit > 0.0) {
      const double best_ratio = second.merit / best.merit;
      poor_.clear();
      for (const Suggestion& s : suggestions_) {
        if (s.attribute != kNone && s.merit / best.merit < best_ratio - 2.0 * bound) {
          poor_.push_back(s.attribute);
        }
      }
      for (const AttributeId a : poor_) disable_attribute(leaf_of(node), a);
    }
  }
  if (should_split) {
    const Suggestion decision = suggestions_[n - 1];
    if (decision.attribute == kNone) {
      // Pre-pruning: the null split wins.
      deactivate(node);
      ++n_inactive_;
      --n_active_;
    } else {
      const uint32_t payload = nodes_[node].payload;
      uint32_t children[2];
      std::vector<uint32_t> categories;
      std::vector<uint32_t> multiway_children;
      if (decision.kind == tree::NodeKind::kNominalMultiway) {
        const Observer& obs =
            leaves_[payload]
                .observers[static_cast<size_t>(leaves_[payload].observer_of[decision.attribute])];
        const AttributeId a = decision.attribute;
        obs.categories.sorted_order(order_, [this, a](double ca, double cb) {
          return attributes_.category_less(a, static_cast<uint32_t>(ca), static_cast<uint32_t>(cb));
        });
        std::vector<VarianceStats> stats;
        for (uint32_t i : order_) {
          categories.push_back(static_cast<uint32_t>(obs.categories.category(i)));
          stats.push_back(obs.categories.stats(i));
        }
        for (const VarianceStats& st : stats) multiway_children.push_back(new_leaf(&st, node));
      } else {
        children[0] = new_leaf(&decision.left, node);
        children[1] = new_leaf(&decision.right, node);
      }
      const double split_weight = leaves_[payload].stats.n;
      switch (decision.kind) {
        case tree::NodeKind::kNumericBinary:
          nodes_.make_numeric_binary(node, decision.attribute, decision.threshold, children);
          break;
        case tree::NodeKind::kNominalBinary:
          nodes_.make_nominal_binary(node, decision.attribute, decision.category, children);
          break;
        default:
          nodes_.make_nominal_multiway(node, decision.attribute, categories, multiway_children);
          break;
      }
      nodes_[node].merit = decision.merit;
      nodes_[node].split_weight = split_weight;
      free_payload(payload);
      if (decision.kind == tree::NodeKind::kNominalMultiway) has_multiway_ = true;
      init_branch(node);
      n_active_ += nodes_[node].n_children() - 1;
      // River assigns the new split to the slot it was given (HATR: an alternate leaf's split
      // takes the place of the subtree that grew it).
      const uint32_t displaced = occupant(parent, branch);
      if (displaced != node) {
        set_occupant(parent, branch, node);
        detached_.push_back(displaced);
      }
    }
    enforce_size_limit();
  } else if (n >= 2 && suggestions_[n - 1].merit > 0.0 && suggestions_[n - 2].merit > 0.0) {
    const double last_ratio = suggestions_[n - 2].merit / suggestions_[n - 1].merit;
    const double last_merit = suggestions_[n - 1].merit;
    Leaf& leaf = leaf_of(node);
    for (Observer& obs : leaf.observers) {
      if (!obs.nominal) {
        obs.ebst.remove_bad_splits(criterion_, last_ratio, last_merit, bound, leaf.stats);
      }
    }
  }
}

void HoeffdingTreeRegressor::release_subtree(uint32_t node) {
  nodes_.release_subtree(node, [this](uint32_t payload) { free_payload(payload); });
}

void HoeffdingTreeRegressor::release_detached() {
  for (const uint32_t node : detached_) release_subtree(node);
  detached_.clear();
}

// ---------------------------------------------------------------------------------------------
// Memory management (shared SizeLimit: River's _enforce_size_limit / _estimate_model_size).

void HoeffdingTreeRegressor::collect_leaves(uint32_t node, std::vector<uint32_t>& out) const {
  nodes_.leaves(node, out);
}

void HoeffdingTreeRegressor::enforce_size_limit() {
  // Every leaf is active or inactive: n_active_ + n_inactive_ is the number of leaves.
  if (size_limit_.enforce_changes_nothing(n_active_ + n_inactive_, n_inactive_,
                                          options_.stop_mem_management)) {
    return;
  }
  std::vector<uint32_t>& ids = leaf_ids_;
  ids.clear();
  collect_leaves(root_, ids);
  std::vector<tree::LeafStatus>& leaves = leaf_status_;
  leaves.clear();
  for (const uint32_t id : ids) {
    // River's regression promise: -depth (the deepest leaves go first).
    const double depth = static_cast<double>(nodes_[id].depth);
    leaves.push_back({id, -depth, leaf_of(id).active, depth});
  }
  size_limit_.enforce(leaves, n_active_, n_inactive_, max_depth(), options_.stop_mem_management,
                      [this](uint32_t id, bool on) {
                        if (on) {
                          leaf_of(id).active = true;  // with no observer: River's `splitters = {}`
                        } else {
                          deactivate(id);
                        }
                      });
}

size_t HoeffdingTreeRegressor::leaf_bytes(const Leaf& leaf) const {
  size_t bytes = sizeof(Leaf) + leaf.observers.capacity() * sizeof(Observer) +
                 leaf.observer_of.capacity() * sizeof(int32_t) +
                 (leaf.disabled.capacity() + leaf.feature_subset.capacity()) * sizeof(AttributeId);
  for (const Observer& obs : leaf.observers) {
    bytes += obs.ebst.memory_bytes() + obs.categories.memory_bytes() - sizeof(EbstSplitter) -
             sizeof(NominalRegressionSplitter);
  }
  if (leaf.adwin) bytes += sizeof(ADWIN);
  return bytes;
}

void HoeffdingTreeRegressor::estimate_model_size() {
  if (root_ == kNone) return;
  std::vector<uint32_t> ids;
  collect_leaves(root_, ids);
  double active = 0.0;
  double inactive = 0.0;
  for (const uint32_t id : ids) {
    const Leaf& leaf = leaf_of(id);
    (leaf.active ? active : inactive) += static_cast<double>(leaf_bytes(leaf));
  }
  double total = static_cast<double>(sizeof(*this) + nodes_.bytes() + attributes_.bytes() +
                                     leaves_.capacity() * sizeof(Leaf) + extra_bytes());
  for (const Leaf& leaf : leaves_) {
    if (leaf.in_use) total += static_cast<double>(leaf_bytes(leaf) - sizeof(Leaf));
  }
  if (size_limit_.estimate(active, inactive, total, n_active_, n_inactive_)) enforce_size_limit();
}

// ---------------------------------------------------------------------------------------------
// Structure, importances, drawing.

size_t HoeffdingTreeRegressor::n_branches() const {
  size_t branches = 0;
  size_t leaves = 0;
  if (root_ != kNone) nodes_.count(root_, branches, leaves);
  return branches;
}

size_t HoeffdingTreeRegressor::n_leaves() const {
  size_t branches = 0;
  size_t leaves = 0;
  if (root_ != kNone) nodes_.count(root_, branches, leaves);
  return leaves;
}

size_t HoeffdingTreeRegressor::height() const { return root_ == kNone ? 0 : nodes_.height(root_); }

void HoeffdingTreeRegressor::describe(Description& out) const {
  out.add("n_nodes", static_cast<double>(n_nodes()));
  out.add("n_branches", static_cast<double>(n_branches()));
  out.add("n_leaves", static_cast<double>(n_leaves()));
  out.add("n_active_leaves", static_cast<double>(n_active_));
  out.add("n_inactive_leaves", static_cast<double>(n_inactive_));
  out.add("height", static_cast<double>(height()));
  out.add("total_observed_weight", train_weight_seen_);
}

void HoeffdingTreeRegressor::feature_importances(std::vector<FeatureImportance>& out) const {
  tree::add_importances(
      nodes_, root_, attributes_, [this](uint32_t payload) { return leaves_[payload].stats.n; },
      out);
}

std::string HoeffdingTreeRegressor::describe_leaf(uint32_t payload) const {
  const Leaf& leaf = leaves_[payload];
  // "-> mean 43.2109 (1234 samples)": the target mean and the weight the leaf has seen.
  return fmt::format("-> mean {:.6g} ({:.6g} samples)", leaf.stats.mean, leaf.stats.n);
}

std::string HoeffdingTreeRegressor::draw(size_t max_depth) const {
  return tree::draw_tree(nodes_, root_, attributes_, max_depth,
                         [this](uint32_t payload) { return describe_leaf(payload); });
}

// ---------------------------------------------------------------------------------------------
// State.

void HoeffdingTreeRegressor::save(StateWriter& out) const {
  out(train_weight_seen_, n_active_, n_inactive_, size_limit_, rng_, attributes_, nodes_, root_,
      free_leaves_);
  out(static_cast<uint64_t>(leaves_.size()));
  for (const Leaf& leaf : leaves_) {
    out(leaf.in_use);
    if (!leaf.in_use) continue;
    out(leaf.stats, leaf.active, leaf.last_split_attempt_at, leaf.disabled, leaf.feature_subset,
        leaf.subset_drawn, leaf.fmse_mean, leaf.fmse_model, leaf.error_normalizer);
    out(static_cast<uint64_t>(leaf.observers.size()));
    for (const Observer& obs : leaf.observers) {
      out(obs.attribute, obs.nominal);
      if (obs.nominal) {
        obs.categories.save(out);
      } else {
        obs.ebst.save(out);
      }
    }
    out(leaf.model != nullptr, leaf.adwin != nullptr);
    if (leaf.model) leaf.model->save(out);
    if (leaf.adwin) leaf.adwin->save(out);
  }
  save_extra(out);
}

void HoeffdingTreeRegressor::load(StateReader& in) {
  has_pending_subset_ = false;
  in(train_weight_seen_, n_active_, n_inactive_, size_limit_, rng_, attributes_, nodes_, root_,
     free_leaves_);
  uint64_t n_leaves = 0;
  in(n_leaves);
  if (n_leaves > (uint64_t{1} << 32)) throw cereal::Exception("HoeffdingTreeRegressor: bad size");
  leaves_.clear();
  leaves_.resize(static_cast<size_t>(n_leaves));
  for (Leaf& leaf : leaves_) {
    in(leaf.in_use);
    if (!leaf.in_use) continue;
    in(leaf.stats, leaf.active, leaf.last_split_attempt_at, leaf.disabled, leaf.feature_subset,
       leaf.subset_drawn, leaf.fmse_mean, leaf.fmse_model, leaf.error_normalizer);
    uint64_t n_observers = 0;
    in(n_observers);
    for (uint64_t i = 0; i < n_observers; ++i) {
      Observer obs;
      obs.ebst = EbstSplitter(static_cast<int>(options_.splitter_digits));
      in(obs.attribute, obs.nominal);
      if (obs.attribute >= attributes_.size()) {
        throw cereal::Exception("HoeffdingTreeRegressor: bad attribute");
      }
      if (obs.nominal) {
        obs.categories.load(in);
      } else {
        obs.ebst.load(in);
      }
      if (obs.attribute >= leaf.observer_of.size()) leaf.observer_of.resize(obs.attribute + 1, -1);
      leaf.observer_of[obs.attribute] = static_cast<int32_t>(leaf.observers.size());
      leaf.observers.push_back(std::move(obs));
    }
    bool has_model = false;
    bool has_adwin = false;
    in(has_model, has_adwin);
    if ((options_.leaf_prediction != LeafPrediction::kMean) != has_model) {
      throw cereal::Exception("HoeffdingTreeRegressor: leaf model does not match leaf_prediction");
    }
    if (has_model) {
      leaf.model = fresh_model();
      leaf.model->load(in);
    }
    if (has_adwin) {
      leaf.adwin = std::make_unique<ADWIN>(ADWIN::Options{});
      leaf.adwin->load(in);
    }
  }
  // Every node's payload and children must be in range.
  const size_t n_nodes = nodes_.capacity_nodes();
  if (root_ != kNone && root_ >= n_nodes)
    throw cereal::Exception("HoeffdingTreeRegressor: bad root");
  for (uint32_t id = 0; id < n_nodes; ++id) {
    const tree::Node& node = nodes_[id];
    if (node.is_leaf()) {
      if (node.payload != kNone && node.payload >= leaves_.size()) {
        throw cereal::Exception("HoeffdingTreeRegressor: bad leaf");
      }
      continue;
    }
    for (size_t i = 0; i < node.n_children(); ++i) {
      if (node.child(i) >= n_nodes) throw cereal::Exception("HoeffdingTreeRegressor: bad child");
    }
  }
  for (const uint32_t slot : free_leaves_) {
    if (slot >= leaves_.size()) throw cereal::Exception("HoeffdingTreeRegressor: bad free leaf");
  }
  n_without_subset_ = 0;
  if (options_.max_features > 0) {
    for (const Leaf& leaf : leaves_) n_without_subset_ += leaf.in_use && !leaf.subset_drawn;
  }
  has_multiway_ = false;
  for (uint32_t id = 0; id < n_nodes; ++id) {
    has_multiway_ = has_multiway_ || nodes_[id].kind == tree::NodeKind::kNominalMultiway;
  }
  load_extra(in);
}

}  // namespace rivulet::ml
