#include "rivulet/ml/tree/hoeffding_tree_classifier.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <sstream>

#include "ml/forest/python_draws.h"
#include "ml/tree/class_leaves.h"
#include "ml/tree/tree_params.h"

namespace rivulet::ml {

using tree::ClassWeight;
using tree::kNone;
using tree::NodeKind;
using tree::internal::ClassLeaves;
using tree::internal::SplitSuggestion;

Result<std::unique_ptr<HoeffdingTreeClassifier>> HoeffdingTreeClassifier::create(const Options& o) {
  RIVULET_RETURN_IF_ERROR(tree::internal::check_tree_options(o));
  return std::make_unique<HoeffdingTreeClassifier>(o);
}

Result<std::unique_ptr<HoeffdingTreeClassifier>> HoeffdingTreeClassifier::from_params(Params& p) {
  Options o;
  o.grace_period = p.integer("grace_period", 200, "weight a leaf observes between split attempts");
  o.max_depth = p.optional_integer("max_depth", "maximum depth; None: unlimited");
  tree::internal::read_split_params(p, o, "");
  tree::internal::read_memory_params(p, o);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

HoeffdingTreeClassifier::HoeffdingTreeClassifier(const Options& options)
    : options_(options),
      max_depth_(options.max_depth ? static_cast<double>(*options.max_depth) : INFINITY),
      criterion_(options.split_criterion),
      leaves_(std::make_unique<ClassLeaves>()),
      rng_(options.seed) {
  attributes_.set_nominal_names(options_.nominal_attributes);
  size_limit_.set_max_size_mib(options_.max_size);
  configure();
  nodes_.reserve(64);
}

HoeffdingTreeClassifier::~HoeffdingTreeClassifier() = default;

void HoeffdingTreeClassifier::configure() {
  ClassLeaves::Config c = tree::internal::leaf_config(options_);
  c.max_features = options_.max_features;
  c.caller_draws_subsets = options_.caller_draws_subsets;
  leaves_->configure(c);
}

void HoeffdingTreeClassifier::reset() {
  ++version_;
  memo_.valid = false;
  nodes_.clear();
  leaves_->clear();
  attributes_ = tree::AttributeMap();
  attributes_.set_nominal_names(options_.nominal_attributes);
  size_limit_.reset();
  has_multiway_ = false;
  rng_.reseed(options_.seed);
  root_ = kNone;
  n_active_ = n_inactive_ = 0;
  train_weight_ = 0.0;
  max_class_ = 0;
}

bool HoeffdingTreeClassifier::draw_subset(const Features& x, PythonRandom& rng) {
  if (options_.max_features == 0) return false;
  leaves_->drop_pending_subset();
  // Every leaf has its subset and learning cannot add one (no root to make, no multiway
  // branch to grow): nothing to draw, without looking at x.
  if (root_ != kNone && leaves_->n_without_subset() == 0 && !has_multiway_) return false;
  // x resolved in view_, and its leaf in memo_ when the walk ends at one (as learn reads them).
  if (!(memo_.valid && memo_.version == version_ && memo_.x == x)) {
    attributes_.resolve(x, context_.space, view_);
    memo_.valid = true;
    memo_.version = version_;
    memo_.x = x;
    memo_.ran_nb = false;
    memo_.nb_argmax = kNoClass;
    memo_.node = kNone;
    if (root_ != kNone) {
      const tree::WalkEnd end = nodes_.walk(root_, view_);
      if (end.at_leaf) memo_.node = end.node;
    }
  }
  if (view_.size() == 0) return false;  // River's leaf chooses nothing from an empty sample
  // The leaf learn() will train, as learn() finds it; a new leaf (the root, a branch for an
  // unseen category) chooses its subset at once.
  bool fresh = root_ == kNone;
  uint32_t node = memo_.node;
  if (!fresh && node == kNone) {
    const auto weight_of = [this](uint32_t p) { return leaf_weight(p); };
    node = nodes_.walk(root_, view_).node;
    for (;;) {
      const tree::Node& n = nodes_[node];
      if (n.kind == NodeKind::kNominalMultiway && view_.has(n.attribute)) {
        fresh = true;
        break;
      }
      node = n.child(nodes_.most_common_branch(node, weight_of));
      if (!nodes_[node].is_leaf()) node = nodes_.walk(node, view_).node;
      if (nodes_[node].is_leaf()) break;
    }
  }
  if (!fresh && !leaves_->needs_subset(nodes_[node].payload)) return false;
  ml::internal::python_attribute_subset(view_, attributes_, options_.max_features, rng, subset_,
                                        subset_sorted_, subset_positions_, subset_pool_);
  leaves_->hand_subset(subset_);
  return true;
}

uint64_t HoeffdingTreeClassifier::n_subsets_chosen() const { return leaves_->n_subsets_chosen(); }

size_t HoeffdingTreeClassifier::n_classes() const {
  const size_t known = context_.labels != nullptr ? context_.labels->size() : 0;
  return std::max<size_t>(known, max_class_);
}

void HoeffdingTreeClassifier::ensure_dims() {
  leaves_->ensure_dims(attributes_.size(), std::max<size_t>(max_class_, 2));
}

double HoeffdingTreeClassifier::leaf_weight(uint32_t payload) const {
  return leaves_->total_weight(payload);
}

uint32_t HoeffdingTreeClassifier::new_leaf(const ClassWeight* stats, size_t n, uint32_t depth) {
  const uint32_t payload = leaves_->create({stats, n});
  return nodes_.add_leaf(depth, payload);
}

void HoeffdingTreeClassifier::learn(const Features& x, ClassId y, double weight) {
  if (!(weight > 0.0)) return;
  const bool memo = memo_.valid && memo_.version == version_ && memo_.x == x;
  memo_.valid = false;
  ++version_;
  if (!memo) {
    attributes_.resolve(x, context_.space, view_);
    memo_.x = x;  // for the memo left below
  }
  if (y >= max_class_) max_class_ = y + 1;
  ensure_dims();
  train_weight_ += weight;
  if (root_ == kNone) {
    root_ = new_leaf(nullptr, 0, 0);
    n_active_ = 1;
  }
  const auto weight_of = [this](uint32_t p) { return leaf_weight(p); };
  const bool memo_leaf = memo && memo_.node != kNone;
  const tree::WalkEnd end = memo_leaf ? tree::WalkEnd{memo_.node, true} : nodes_.walk(root_, view_);
  if (end.at_leaf) {
    const uint32_t node = end.node;
    const uint32_t leaf = nodes_[node].payload;
    leaves_->learn(leaf, view_, y, weight, rng_,
                   memo_leaf && memo_.ran_nb ? &memo_.nb_argmax : nullptr);
    if (size_limit_.growth_allowed() && leaves_->active(leaf)) {
      if (static_cast<double>(nodes_[node].depth) >= max_depth_) {
        leaves_->set_active(leaf, false);
        --n_active_;
        ++n_inactive_;
      } else {
        const double weight_seen = leaves_->total_weight(leaf);
        if (weight_seen - leaves_->last_split_attempt_at(leaf) >=
            static_cast<double>(options_.grace_period)) {
          attempt_to_split(node);
          if (nodes_[node].is_leaf())
            leaves_->set_last_split_attempt_at(nodes_[node].payload, weight_seen);
        }
      }
    }
    // A prediction of x right after learning it (a forest's error for its drift detectors)
    // finds x's leaf here, unless the leaf has just split.
    if (nodes_[node].is_leaf()) {
      memo_.valid = true;
      memo_.version = version_;
      memo_.node = node;
      memo_.ran_nb = false;
      memo_.nb_argmax = kNoClass;
    }
  } else {
    uint32_t node = end.node;
    for (;;) {
      const tree::Node& n = nodes_[node];
      if (n.kind == NodeKind::kNominalMultiway && view_.has(n.attribute)) {
        // A category without a branch: a new branch for it (River's add_child).
        const uint32_t category = view_.category(n.attribute);
        const uint32_t depth = n.depth + 1;
        const uint32_t leaf = new_leaf(nullptr, 0, depth);
        nodes_.add_branch(node, category, leaf);
        ++n_active_;
        node = leaf;
      } else {
        node = n.child(nodes_.most_common_branch(node, weight_of));
        if (!nodes_[node].is_leaf()) node = nodes_.walk(node, view_).node;
      }
      if (nodes_[node].is_leaf()) break;
    }
    leaves_->learn(nodes_[node].payload, view_, y, weight, rng_);
  }
  assert(!leaves_->has_pending_subset() && "a subset handed over for another leaf");
  if (std::fmod(train_weight_, static_cast<double>(options_.memory_estimate_period)) == 0.0) {
    estimate_model_size();
  }
}

void HoeffdingTreeClassifier::attempt_to_split(uint32_t node) {
  const uint32_t leaf = nodes_[node].payload;
  if (options_.split_criterion == tree::SplitCriterion::Kind::kHellinger) {
    const LabelEncoder* labels = context_.labels;
    const ClassId neg = labels != nullptr && labels->negative() ? *labels->negative() : 0;
    const ClassId pos = labels != nullptr && labels->positive() ? *labels->positive() : 1;
    criterion_.set_hellinger_classes(neg, pos);
  }
  const auto outcome =
      leaves_->decide_split(leaf, criterion_, attributes_, options_.delta, options_.tau,
                            options_.remove_poor_attrs, suggestions_, ranked_);
  if (outcome == tree::internal::SplitOutcome::kNone) return;
  if (outcome == tree::internal::SplitOutcome::kPrePrune) {
    // Pre-pruning: the null split wins.
    leaves_->set_active(leaf, false);
    ++n_inactive_;
    --n_active_;
  } else {
    apply_split(node, suggestions_[ranked_.back()], leaves_->total_weight(leaf));
  }
  enforce_size_limit();
}

void HoeffdingTreeClassifier::apply_split(uint32_t node, const SplitSuggestion& decision,
                                          double weight) {
  leaves_->release(nodes_[node].payload);
  if (decision.kind == NodeKind::kNominalMultiway) has_multiway_ = true;
  const size_t k = decision.n_dists;
  std::vector<uint32_t> children;
  tree::internal::make_branch(nodes_, node, decision, weight, children,
                              [this](const ClassWeight* d, size_t n, uint32_t depth) {
                                return new_leaf(d, n, depth);
                              });
  n_active_ -= 1;
  n_active_ += k;
}

void HoeffdingTreeClassifier::enforce_size_limit() {
  // Every leaf is active or inactive: n_active_ + n_inactive_ is the number of leaves.
  if (size_limit_.enforce_changes_nothing(n_active_ + n_inactive_, n_inactive_,
                                          options_.stop_mem_management)) {
    return;
  }
  leaf_nodes_.clear();
  nodes_.leaves(root_, leaf_nodes_);
  leaves_->enforce_size_limit(nodes_, leaf_nodes_, size_limit_, n_active_, n_inactive_, max_depth_,
                              options_.stop_mem_management);
}

void HoeffdingTreeClassifier::estimate_model_size() {
  if (root_ == kNone) return;
  leaf_nodes_.clear();
  nodes_.leaves(root_, leaf_nodes_);
  if (leaves_->estimate_size(nodes_, leaf_nodes_, size_limit_, static_cast<double>(bytes()),
                             n_active_, n_inactive_)) {
    enforce_size_limit();
  }
}

uint32_t HoeffdingTreeClassifier::find_leaf(const Features& x) const {
  // x was the last sample predicted or learned, and the tree has not changed since: x's leaf
  // (and its attribute values in view_) are known.
  const bool known = memo_.valid && memo_.version == version_ && memo_.node != kNone &&
                     memo_.x == x;
  uint32_t node = known ? memo_.node : kNone;
  if (!known) {
    attributes_.resolve(x, context_.space, view_);
    const tree::WalkEnd end = nodes_.walk(root_, view_);
    node = end.at_leaf
               ? end.node
               : nodes_.leaf_for(root_, view_, [this](uint32_t p) { return leaf_weight(p); });
    memo_.node = end.at_leaf ? node : kNone;
    memo_.x = x;
  }
  memo_.valid = true;
  memo_.version = version_;
  memo_.ran_nb = false;
  memo_.nb_argmax = kNoClass;
  return node;
}

void HoeffdingTreeClassifier::find_leaves(std::span<HoeffdingTreeClassifier* const> trees,
                                          const Features& x, std::vector<uint32_t>& cursor) {
  cursor.assign(trees.size(), kNone);
  size_t walking = 0;
  for (size_t i = 0; i < trees.size(); ++i) {
    const HoeffdingTreeClassifier* t = trees[i];
    if (t == nullptr || t->root_ == kNone) continue;
    const PredictMemo& m = t->memo_;
    if (m.valid && m.version == t->version_ && m.node != kNone && m.x == x) continue;
    t->attributes_.resolve(x, t->context_.space, t->view_);
    t->memo_.valid = false;
    t->memo_.x = x;
    cursor[i] = t->root_;
    ++walking;
  }
  while (walking > 0) {
    for (size_t i = 0; i < trees.size(); ++i) {
      if (cursor[i] == kNone) continue;
      const HoeffdingTreeClassifier* t = trees[i];
      const tree::Node& n = t->nodes_[cursor[i]];
      if (n.is_leaf()) {
        PredictMemo& m = t->memo_;
        m.valid = true;
        m.version = t->version_;
        m.node = cursor[i];
        m.ran_nb = false;
        m.nb_argmax = kNoClass;
        cursor[i] = kNone;
        --walking;
        continue;
      }
      const uint32_t next = tree::TreeNodes::branch_no(n, t->view_);
      if (next == kNone) {  // x cannot take this branch: find_leaf finds the leaf the long way
        cursor[i] = kNone;
        --walking;
        continue;
      }
      cursor[i] = n.child(next);
    }
  }
  // The leaves' data next, for all trees at once too.
  for (const HoeffdingTreeClassifier* t : trees) {
    if (t != nullptr && t->memo_.valid && t->memo_.node != kNone)
      t->leaves_->prefetch_record(t->nodes_[t->memo_.node].payload);
  }
  for (const HoeffdingTreeClassifier* t : trees) {
    if (t != nullptr && t->memo_.valid && t->memo_.node != kNone)
      t->leaves_->prefetch_cells(t->nodes_[t->memo_.node].payload);
  }
}

bool HoeffdingTreeClassifier::predict_proba_one(const Features& x,
                                                std::vector<double>& proba) const {
  proba.assign(n_classes(), 0.0);
  if (root_ == kNone) return false;
  const uint32_t node = find_leaf(x);
  (void)leaves_->predict(nodes_[node].payload, view_, proba, &memo_.nb_argmax, &memo_.ran_nb);
  return true;
}

std::optional<ClassId> HoeffdingTreeClassifier::predict_one(const Features& x,
                                                            std::vector<double>& scratch) const {
  if (root_ == kNone) return Classifier::predict_one(x, scratch);
  const uint32_t payload = nodes_[find_leaf(x)].payload;
  // River's max over the tree's classes: on a tie, the first in River's order (tie_winner).
  const ClassId first = tree::internal::tie_winner(context_.labels);
  const ClassId clear =
      leaves_->clear_prediction(payload, view_, &memo_.nb_argmax, &memo_.ran_nb, first);
  if (clear != kNoClass) return clear;
  // The highest of predict_proba_one, the leaf found above.
  scratch.assign(n_classes(), 0.0);
  (void)leaves_->predict(payload, view_, scratch, &memo_.nb_argmax, &memo_.ran_nb);
  ClassId best = kNoClass;
  double best_p = -1.0;
  for (ClassId c = 0; c < scratch.size(); ++c) {
    if (scratch[c] > best_p ||
        (scratch[c] == best_p && tree::internal::class_before(c, best, first))) {
      best_p = scratch[c];
      best = c;
    }
  }
  return best;
}

size_t HoeffdingTreeClassifier::n_nodes() const { return n_branches() + n_leaves(); }

size_t HoeffdingTreeClassifier::n_branches() const {
  if (root_ == kNone) return 0;
  size_t b = 0, l = 0;
  nodes_.count(root_, b, l);
  return b;
}

size_t HoeffdingTreeClassifier::n_leaves() const {
  if (root_ == kNone) return 0;
  size_t b = 0, l = 0;
  nodes_.count(root_, b, l);
  return l;
}

size_t HoeffdingTreeClassifier::height() const { return root_ == kNone ? 0 : nodes_.height(root_); }

size_t HoeffdingTreeClassifier::bytes() const {
  return sizeof(*this) + nodes_.bytes() + leaves_->bytes() + attributes_.bytes() +
         suggestions_.capacity() * sizeof(SplitSuggestion);
}

void HoeffdingTreeClassifier::save(StateWriter& out) const {
  out(attributes_, nodes_, size_limit_, rng_, root_, static_cast<uint64_t>(n_active_),
      static_cast<uint64_t>(n_inactive_), train_weight_, max_class_);
  leaves_->save(out);
}

void HoeffdingTreeClassifier::load(StateReader& in) {
  ++version_;
  memo_.valid = false;
  uint64_t active = 0, inactive = 0;
  in(attributes_, nodes_, size_limit_, rng_, root_, active, inactive, train_weight_, max_class_);
  n_active_ = active;
  n_inactive_ = inactive;
  leaves_->load(in);
  has_multiway_ = false;
  for (uint32_t i = 0; i < nodes_.capacity_nodes(); ++i) {
    has_multiway_ = has_multiway_ || nodes_[i].kind == NodeKind::kNominalMultiway;
  }
  size_limit_.set_max_size_mib(options_.max_size);
}

std::string HoeffdingTreeClassifier::draw(size_t max_depth) const {
  if (root_ == kNone) return {};
  return tree::draw_tree(nodes_, root_, attributes_, max_depth,
                         [this](uint32_t p) { return leaves_->describe(p, context_.labels); });
}

void HoeffdingTreeClassifier::feature_importances(std::vector<FeatureImportance>& out) const {
  tree::add_importances(
      nodes_, root_, attributes_, [this](uint32_t p) { return leaf_weight(p); }, out);
}

void HoeffdingTreeClassifier::describe(Description& out) const {
  out.add("n_nodes", static_cast<double>(n_nodes()));
  out.add("n_branches", static_cast<double>(n_branches()));
  out.add("n_leaves", static_cast<double>(n_leaves()));
  out.add("n_active_leaves", static_cast<double>(n_active_));
  out.add("n_inactive_leaves", static_cast<double>(n_inactive_));
  out.add("height", static_cast<double>(height()));
  out.add("total_observed_weight", train_weight_);
}

}  // namespace rivulet::ml
