#include "rivulet/ml/tree/extremely_fast_decision_tree_classifier.h"

#include <fmt/format.h>

#include <cmath>

#include "ml/forest/forest_support.h"
#include "ml/tree/class_leaves.h"
#include "ml/tree/tree_params.h"

namespace rivulet::ml {

using tree::ClassWeight;
using tree::kNone;
using tree::NodeKind;
using tree::internal::ClassLeaves;
using tree::internal::SplitSuggestion;

namespace {

// Python's list.sort by merit (stable) over the first n suggestions, as indices.
void rank(const std::vector<SplitSuggestion>& s, size_t n, std::vector<uint32_t>& ranked) {
  ranked.clear();
  for (uint32_t i = 0; i < n; ++i) {
    ranked.push_back(i);
    size_t j = ranked.size() - 1;
    while (j > 0 && s[ranked[j - 1]].merit > s[i].merit) {
      ranked[j] = ranked[j - 1];
      --j;
    }
    ranked[j] = i;
  }
}

}  // namespace

Result<std::unique_ptr<ExtremelyFastDecisionTreeClassifier>>
ExtremelyFastDecisionTreeClassifier::create(const Options& o) {
  RIVULET_RETURN_IF_ERROR(tree::internal::check_tree_options(o));
  if (o.min_samples_reevaluate <= 0)
    return Status::invalid_argument("min_samples_reevaluate must be > 0");
  return std::make_unique<ExtremelyFastDecisionTreeClassifier>(o);
}

Result<std::unique_ptr<ExtremelyFastDecisionTreeClassifier>>
ExtremelyFastDecisionTreeClassifier::from_params(Params& p) {
  Options o;
  o.grace_period = p.integer("grace_period", 200, "weight a leaf observes between split attempts");
  o.max_depth = p.optional_integer("max_depth", "maximum depth; None: unlimited");
  o.min_samples_reevaluate =
      p.integer("min_samples_reevaluate", 20, "weight a branch observes between re-evaluations");
  tree::internal::read_split_params(p, o, "");
  tree::internal::read_memory_params(p, o, /*pruning_unused=*/true);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

ExtremelyFastDecisionTreeClassifier::ExtremelyFastDecisionTreeClassifier(const Options& options)
    : options_(options),
      max_depth_(options.max_depth ? static_cast<double>(*options.max_depth) : INFINITY),
      criterion_(options.split_criterion),
      leaves_(std::make_unique<ClassLeaves>()),
      rng_(0) {
  attributes_.set_nominal_names(options_.nominal_attributes);
  size_limit_.set_max_size_mib(options_.max_size);
  ClassLeaves::Config c = tree::internal::leaf_config(options_);
  c.merit_preprune = false;  // EFDT's suggestions leave the null split out (its merit is 0)
  leaves_->configure(c);
}

ExtremelyFastDecisionTreeClassifier::~ExtremelyFastDecisionTreeClassifier() = default;

size_t ExtremelyFastDecisionTreeClassifier::n_classes() const {
  const size_t known = context_.labels != nullptr ? context_.labels->size() : 0;
  return std::max<size_t>(known, max_class_);
}

void ExtremelyFastDecisionTreeClassifier::set_hellinger_classes() {
  if (options_.split_criterion != tree::SplitCriterion::Kind::kHellinger) return;
  const LabelEncoder* labels = context_.labels;
  const ClassId neg = labels != nullptr && labels->negative() ? *labels->negative() : 0;
  const ClassId pos = labels != nullptr && labels->positive() ? *labels->positive() : 1;
  criterion_.set_hellinger_classes(neg, pos);
}

uint32_t ExtremelyFastDecisionTreeClassifier::new_leaf(const ClassWeight* stats, size_t n,
                                                       uint32_t depth) {
  const uint32_t payload = leaves_->create({stats, n});
  const uint32_t node = nodes_.add_leaf(depth, payload);
  if (node >= last_reevaluation_.size())
    last_reevaluation_.resize(static_cast<size_t>(node) + 1, 0.0);
  last_reevaluation_[node] = 0.0;
  return node;
}

double ExtremelyFastDecisionTreeClassifier::node_weight(uint32_t node) const {
  return leaves_->total_weight(nodes_[node].payload);
}

uint32_t ExtremelyFastDecisionTreeClassifier::most_common_child(uint32_t node) const {
  const tree::Node& n = nodes_[node];
  if (n.kind != NodeKind::kNominalMultiway) {
    return node_weight(n.pair[0]) < node_weight(n.pair[1]) ? 1 : 0;
  }
  uint32_t best = 0;
  double best_w = 0.0;
  for (size_t i = 0; i < n.n_children(); ++i) {
    const double w = node_weight(n.child(i));
    if (i == 0 || w > best_w) {
      best = static_cast<uint32_t>(i);
      best_w = w;
    }
  }
  return best;
}

uint32_t ExtremelyFastDecisionTreeClassifier::leaf_for(const tree::AttributeView& x) const {
  uint32_t node = root_;
  while (!nodes_[node].is_leaf()) {
    const uint32_t b = tree::TreeNodes::branch_no(nodes_[node], x);
    node = nodes_[node].child(b != kNone ? b : most_common_child(node));
  }
  return node;
}

void ExtremelyFastDecisionTreeClassifier::learn(const Features& x, ClassId y, double weight) {
  if (!(weight > 0.0)) return;
  attributes_.resolve(x, context_.space, view_);
  if (y >= max_class_) max_class_ = y + 1;
  leaves_->ensure_dims(attributes_.size(), std::max<size_t>(max_class_, 2));
  train_weight_ += weight;
  if (root_ == kNone) {
    root_ = new_leaf(nullptr, 0, 0);
    n_active_ = 1;
  }
  // River's _sort_to_leaf: the leaf learns first (new branches for new categories, the most
  // common path for missing attributes).
  uint32_t node = nodes_.walk(root_, view_).node;
  while (!nodes_[node].is_leaf()) {
    const tree::Node& n = nodes_[node];
    if (n.kind == NodeKind::kNominalMultiway && view_.has(n.attribute)) {
      const uint32_t category = view_.category(n.attribute);
      const uint32_t leaf = new_leaf(nullptr, 0, n.depth + 1);
      nodes_.add_branch(node, category, leaf);
      ++n_active_;
      ++n_structure_changes_;
      node = leaf;
    } else {
      node = nodes_.walk(n.child(most_common_child(node)), view_).node;
    }
  }
  leaves_->learn(nodes_[node].payload, view_, y, weight, rng_);
  if (std::fmod(train_weight_, static_cast<double>(options_.memory_estimate_period)) == 0.0) {
    estimate_model_size();
  }
  // River's _process_nodes: the branches on the path learn and are re-evaluated; the leaf may
  // split.
  process(y, weight);
}

void ExtremelyFastDecisionTreeClassifier::process(ClassId y, double w) {
  uint32_t node = root_;
  while (!nodes_[node].is_leaf()) {
    const uint32_t payload = nodes_[node].payload;
    leaves_->update(payload, view_, y, w, rng_);
    if (leaves_->total_weight(payload) - last_reevaluation_[node] >=
        static_cast<double>(options_.min_samples_reevaluate)) {
      if (reevaluate(node)) return;
    }
    const uint32_t b = tree::TreeNodes::branch_no(nodes_[node], view_);
    node = nodes_[node].child(b != kNone ? b : most_common_child(node));
  }
  const uint32_t payload = nodes_[node].payload;
  if (!size_limit_.growth_allowed() || !leaves_->active(payload)) return;
  if (static_cast<double>(nodes_[node].depth) >= max_depth_) {
    leaves_->set_active(payload, false);
    --n_active_;
    ++n_inactive_;
    return;
  }
  const double weight_seen = leaves_->total_weight(payload);
  if (weight_seen - leaves_->last_split_attempt_at(payload) >=
      static_cast<double>(options_.grace_period)) {
    attempt_to_split(node);
    if (nodes_[node].is_leaf()) leaves_->set_last_split_attempt_at(payload, weight_seen);
  }
}

void ExtremelyFastDecisionTreeClassifier::attempt_to_split(uint32_t node) {
  const uint32_t payload = nodes_[node].payload;
  if (leaves_->is_pure(payload)) return;
  set_hellinger_classes();
  const size_t n = leaves_->suggestions(payload, criterion_, attributes_, suggestions_);
  if (n == 0) return;
  rank(suggestions_, n, ranked_);
  const SplitSuggestion& best = suggestions_[ranked_.back()];
  leaves_->stats(payload, stats_);
  const double bound = tree::hoeffding_bound(criterion_.range(stats_), options_.delta,
                                             leaves_->total_weight(payload));
  // The null split's merit is 0.
  if (!(best.merit - 0.0 > bound || bound < options_.tau)) return;
  if (best.attribute == kNone) return;  // no attribute offers a split
  make_split(node, best);
  n_active_ = n_active_ - 1 + best.n_dists;
  enforce_size_limit();
}

void ExtremelyFastDecisionTreeClassifier::make_split(uint32_t node,
                                                     const SplitSuggestion& decision) {
  ++n_structure_changes_;
  const uint32_t payload = nodes_[node].payload;
  const double weight = leaves_->total_weight(payload);
  tree::internal::make_branch(
      nodes_, node, decision, weight, split_children_,
      [this](const ClassWeight* d, size_t n, uint32_t depth) { return new_leaf(d, n, depth); });
  // The branch keeps its leaf data: its statistics and splitters go on learning.
  nodes_[node].payload = payload;
  last_reevaluation_[node] = weight;
}

void ExtremelyFastDecisionTreeClassifier::release_children(uint32_t node) {
  const tree::Node& n = nodes_[node];
  const size_t k = n.n_children();
  for (size_t i = 0; i < k; ++i) {
    const uint32_t child = nodes_[node].child(i);
    if (!nodes_[child].is_leaf()) release_children(child);
    leaves_->release(nodes_[child].payload);
    nodes_.release(child);
  }
}

bool ExtremelyFastDecisionTreeClassifier::reevaluate(uint32_t node) {
  const uint32_t payload = nodes_[node].payload;
  if (leaves_->is_pure(payload)) return false;
  set_hellinger_classes();
  const size_t n = leaves_->suggestions(payload, criterion_, attributes_, suggestions_);
  if (n == 0) return false;
  rank(suggestions_, n, ranked_);
  const SplitSuggestion& best = suggestions_[ranked_.back()];
  if (best.attribute == kNone) return true;  // the best is no split: stop here
  const tree::AttributeId current_attribute = nodes_[node].attribute;
  const SplitSuggestion* current = nullptr;
  for (const uint32_t i : ranked_) {
    if (suggestions_[i].attribute == current_attribute) {
      current = &suggestions_[i];
      break;
    }
  }
  leaves_->stats(payload, stats_);
  const double total = leaves_->total_weight(payload);
  const double bound = tree::hoeffding_bound(criterion_.range(stats_), options_.delta, total);
  std::vector<uint32_t>& leaves_before = leaf_nodes_;
  leaves_before.clear();
  if (0.0 - best.merit > bound) {
    // Not splitting wins: the subtree becomes a leaf with the branch's statistics and splitters.
    nodes_.leaves(node, leaves_before);
    size_t active = 0, inactive = 0;
    for (const uint32_t l : leaves_before)
      (leaves_->active(nodes_[l].payload) ? active : inactive) += 1;
    release_children(node);
    tree::Node& nd = nodes_[node];
    nd.kind = NodeKind::kLeaf;
    nd.attribute = kNone;
    nd.clear_children();
    leaves_->reset_leaf_counters(payload);
    if (!leaves_->active(payload)) leaves_->set_active(payload, true);
    n_active_ = n_active_ + 1 - std::min(n_active_ + 1, active);
    n_inactive_ -= std::min(n_inactive_, inactive);
    ++n_changes_;
    ++n_structure_changes_;
    enforce_size_limit();
    return true;
  }
  if (current == nullptr) return false;
  const bool better = best.merit - current->merit > bound || bound < options_.tau;
  if (!better) return false;
  if (best.attribute != current_attribute) {
    // A better attribute: a new split in this branch's place.
    nodes_.leaves(node, leaves_before);
    size_t active = 0, inactive = 0;
    for (const uint32_t l : leaves_before)
      (leaves_->active(nodes_[l].payload) ? active : inactive) += 1;
    release_children(node);
    make_split(node, best);
    last_reevaluation_[node] = total;
    n_active_ = n_active_ + best.n_dists - std::min(n_active_ + best.n_dists, active);
    n_inactive_ -= std::min(n_inactive_, inactive);
    ++n_changes_;
    enforce_size_limit();
    return true;
  }
  // The same attribute, a better test: move it and keep the children.
  tree::Node& nd = nodes_[node];
  if (best.kind == NodeKind::kNumericBinary && nd.kind == NodeKind::kNumericBinary) {
    nd.threshold = best.threshold;
  } else if (best.kind == NodeKind::kNominalBinary && nd.kind == NodeKind::kNominalBinary) {
    nd.category = best.category;
  }
  nd.merit = best.merit;
  last_reevaluation_[node] = total;
  return false;
}

void ExtremelyFastDecisionTreeClassifier::enforce_size_limit() {
  leaf_nodes_.clear();
  nodes_.leaves(root_, leaf_nodes_);
  leaves_->enforce_size_limit(nodes_, leaf_nodes_, size_limit_, n_active_, n_inactive_, max_depth_,
                              options_.stop_mem_management);
}

void ExtremelyFastDecisionTreeClassifier::estimate_model_size() {
  if (root_ == kNone) return;
  leaf_nodes_.clear();
  nodes_.leaves(root_, leaf_nodes_);
  if (leaves_->estimate_size(nodes_, leaf_nodes_, size_limit_, static_cast<double>(bytes()),
                             n_active_, n_inactive_)) {
    enforce_size_limit();
  }
}

std::optional<ClassId> ExtremelyFastDecisionTreeClassifier::predict_one(
    const Features& x, std::vector<double>& scratch) const {
  if (!predict_proba_one(x, scratch)) return std::nullopt;
  // River's max over a dict in the order of the tree's set of classes (tie_winner first).
  return internal::most_probable(scratch, tree::internal::tie_winner(context_.labels));
}

bool ExtremelyFastDecisionTreeClassifier::predict_proba_one(const Features& x,
                                                            std::vector<double>& proba) const {
  proba.assign(n_classes(), 0.0);
  if (root_ == kNone) return false;
  attributes_.resolve(x, context_.space, view_);
  (void)leaves_->predict(nodes_[leaf_for(view_)].payload, view_, proba);
  return true;
}

size_t ExtremelyFastDecisionTreeClassifier::n_branches() const {
  if (root_ == kNone) return 0;
  size_t b = 0, l = 0;
  nodes_.count(root_, b, l);
  return b;
}

size_t ExtremelyFastDecisionTreeClassifier::n_leaves() const {
  if (root_ == kNone) return 0;
  size_t b = 0, l = 0;
  nodes_.count(root_, b, l);
  return l;
}

size_t ExtremelyFastDecisionTreeClassifier::height() const {
  return root_ == kNone ? 0 : nodes_.height(root_);
}

size_t ExtremelyFastDecisionTreeClassifier::bytes() const {
  return sizeof(*this) + nodes_.bytes() + leaves_->bytes() + attributes_.bytes() +
         last_reevaluation_.capacity() * sizeof(double);
}

void ExtremelyFastDecisionTreeClassifier::save(StateWriter& out) const {
  out(attributes_, nodes_, last_reevaluation_, size_limit_, rng_, root_,
      static_cast<uint64_t>(n_active_), static_cast<uint64_t>(n_inactive_),
      static_cast<uint64_t>(n_changes_), train_weight_, max_class_);
  leaves_->save(out);
}

void ExtremelyFastDecisionTreeClassifier::load(StateReader& in) {
  uint64_t active = 0, inactive = 0, changes = 0;
  in(attributes_, nodes_, last_reevaluation_, size_limit_, rng_, root_, active, inactive, changes,
     train_weight_, max_class_);
  n_active_ = active;
  n_inactive_ = inactive;
  n_changes_ = changes;
  leaves_->load(in);
  size_limit_.set_max_size_mib(options_.max_size);
}

std::string ExtremelyFastDecisionTreeClassifier::draw(size_t max_depth) const {
  if (root_ == kNone) return {};
  return tree::draw_tree(nodes_, root_, attributes_, max_depth,
                         [this](uint32_t p) { return leaves_->describe(p, context_.labels); });
}

void ExtremelyFastDecisionTreeClassifier::feature_importances(
    std::vector<FeatureImportance>& out) const {
  tree::add_importances(
      nodes_, root_, attributes_, [this](uint32_t p) { return leaves_->total_weight(p); }, out);
}

void ExtremelyFastDecisionTreeClassifier::describe(Description& out) const {
  out.add("n_branches", static_cast<double>(n_branches()));
  out.add("n_leaves", static_cast<double>(n_leaves()));
  out.add("height", static_cast<double>(height()));
  out.add("n_reevaluation_changes", static_cast<double>(n_changes_));
  out.add("total_observed_weight", train_weight_);
}

}  // namespace rivulet::ml
