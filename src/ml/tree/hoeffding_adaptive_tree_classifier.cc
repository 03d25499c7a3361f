#include "rivulet/ml/tree/hoeffding_adaptive_tree_classifier.h"

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
using tree::internal::SplitOutcome;
using tree::internal::SplitSuggestion;

Result<std::unique_ptr<HoeffdingAdaptiveTreeClassifier>> HoeffdingAdaptiveTreeClassifier::create(
    const Options& o) {
  RIVULET_RETURN_IF_ERROR(tree::internal::check_tree_options(o));
  if (o.drift_window_threshold < 0)
    return Status::invalid_argument("drift_window_threshold must be >= 0");
  if (!(o.adwin_confidence > 0.0 && o.adwin_confidence < 1.0)) {
    return Status::invalid_argument("adwin_confidence must be in (0, 1)");
  }
  if (!(o.switch_significance > 0.0 && o.switch_significance < 1.0)) {
    return Status::invalid_argument("switch_significance must be in (0, 1)");
  }
  return std::make_unique<HoeffdingAdaptiveTreeClassifier>(o);
}

Result<std::unique_ptr<HoeffdingAdaptiveTreeClassifier>>
HoeffdingAdaptiveTreeClassifier::from_params(Params& p) {
  Options o;
  o.grace_period = p.integer("grace_period", 200, "weight a leaf observes between split attempts");
  o.max_depth = p.optional_integer("max_depth", "maximum depth; None: unlimited");
  tree::internal::read_split_params(p, o, "");
  o.bootstrap_sampling =
      p.boolean("bootstrap_sampling", true, "Poisson(1) sample weights at the leaves");
  o.drift_window_threshold = p.integer("drift_window_threshold", 300,
                                       "samples before an alternate tree may replace a branch");
  o.adwin_confidence = p.number("adwin_confidence", 0.002, "delta of the nodes' ADWIN detectors");
  tree::internal::read_memory_params(p, o);
  o.seed = p.seed(42, "seed of the leaves' Poisson draws (River's random.Random(seed))");
  o.switch_significance =
      p.number("switch_significance", 0.05, "significance of the alternate-tree switch test");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

HoeffdingAdaptiveTreeClassifier::HoeffdingAdaptiveTreeClassifier(const Options& options)
    : options_(options),
      max_depth_(options.max_depth ? static_cast<double>(*options.max_depth) : INFINITY),
      criterion_(options.split_criterion),
      leaves_(std::make_unique<ClassLeaves>()),
      rng_(options.seed) {
  attributes_.set_nominal_names(options_.nominal_attributes);
  size_limit_.set_max_size_mib(options_.max_size);
  leaves_->configure(tree::internal::leaf_config(options_));
}

HoeffdingAdaptiveTreeClassifier::~HoeffdingAdaptiveTreeClassifier() = default;

size_t HoeffdingAdaptiveTreeClassifier::n_classes() const {
  const size_t known = context_.labels != nullptr ? context_.labels->size() : 0;
  return std::max<size_t>(known, max_class_);
}

HoeffdingAdaptiveTreeClassifier::NodeState& HoeffdingAdaptiveTreeClassifier::state(uint32_t node) {
  if (node >= states_.size()) states_.resize(static_cast<size_t>(node) + 1);
  return states_[node];
}

double HoeffdingAdaptiveTreeClassifier::leaf_weight(uint32_t payload) const {
  return leaves_->total_weight(payload);
}

uint32_t HoeffdingAdaptiveTreeClassifier::new_leaf(const ClassWeight* stats, size_t n,
                                                   uint32_t depth) {
  const uint32_t payload = leaves_->create({stats, n});
  const uint32_t node = nodes_.add_leaf(depth, payload);
  NodeState& s = state(node);
  s.adwin = fresh_adwin();
  s.alternate = kNone;
  s.serial = ++serial_;
  s.stats.clear();
  return node;
}

std::unique_ptr<ADWIN> HoeffdingAdaptiveTreeClassifier::fresh_adwin() {
  if (spare_adwins_.empty())
    return std::make_unique<ADWIN>(ADWIN::Options{.delta = options_.adwin_confidence});
  std::unique_ptr<ADWIN> adwin = std::move(spare_adwins_.back());
  spare_adwins_.pop_back();
  adwin->reset();
  return adwin;
}

int HoeffdingAdaptiveTreeClassifier::poisson() {
  // River's utils.random.poisson(rate=1, rng) with the tree's random.Random(seed), which the
  // leaves share: Knuth's product of uniforms.
  PythonRandom& rng = rng_;
  const double l = std::exp(-1.0);
  int k = 0;
  double p = 1.0;
  while (p > l) {
    ++k;
    p = p * rng.random();
  }
  return k - 1;
}

bool HoeffdingAdaptiveTreeClassifier::update_error(uint32_t node, bool correct) {
  ADWIN& adwin = *states_[node].adwin;
  const double old_error = adwin.estimation();
  adwin.update(correct ? 0.0 : 1.0);
  bool change = adwin.drift_detected();
  // The error is decreasing: no adaptation.
  if (change && old_error > adwin.estimation()) change = false;
  return change;
}

ClassId HoeffdingAdaptiveTreeClassifier::leaf_argmax(uint32_t node) const {
  return leaves_->predict_argmax(nodes_[node].payload, view_, dist_);
}

bool HoeffdingAdaptiveTreeClassifier::leaf_prediction(uint32_t node,
                                                      std::vector<double>& dist) const {
  // River's AdaLeafClassifier.prediction: the leaf's distribution divided by its sum times the
  // squared error estimate (left as is when that factor is 0).
  const uint32_t payload = nodes_[node].payload;
  leaves_->stats(payload, leaf_stats_);
  if (leaf_stats_.empty()) return false;
  if (dist.size() < n_classes() || dist.size() < max_class_)
    dist.resize(std::max<size_t>(n_classes(), max_class_));
  if (!leaves_->predict(payload, view_, dist)) return false;
  double sum = 0.0;
  for (const auto& e : leaf_stats_) sum += dist[e.cls];
  const double error = states_[node].adwin->estimation();
  const double factor = sum * error * error;
  if (factor != 0.0) {
    for (const auto& e : leaf_stats_) dist[e.cls] = dist[e.cls] / factor;
  }
  return true;
}

void HoeffdingAdaptiveTreeClassifier::learn(const Features& x, ClassId y, double weight) {
  if (!(weight > 0.0)) return;
  attributes_.resolve(x, context_.space, view_);
  if (y >= max_class_) max_class_ = y + 1;
  leaves_->ensure_dims(attributes_.size(), std::max<size_t>(max_class_, 2));
  if (dist_.size() < n_classes()) dist_.resize(n_classes());
  train_weight_ += weight;
  if (root_ == kNone) {
    root_ = new_leaf(nullptr, 0, 0);
    n_active_ = 1;
  }
  learn_node(root_, y, weight, kNone, kNone);
  if (std::fmod(train_weight_, static_cast<double>(options_.memory_estimate_period)) == 0.0) {
    estimate_model_size();
  }
}

void HoeffdingAdaptiveTreeClassifier::learn_node(uint32_t node, ClassId y, double w,
                                                 uint32_t parent, uint32_t parent_branch) {
  if (nodes_[node].is_leaf()) {
    learn_leaf(node, y, w, parent, parent_branch);
  } else {
    learn_branch(node, y, w, parent, parent_branch);
  }
}

void HoeffdingAdaptiveTreeClassifier::learn_leaf(uint32_t node, ClassId y, double w,
                                                 uint32_t parent, uint32_t parent_branch) {
  if (options_.bootstrap_sampling) {
    const int k = poisson();
    if (k > 0) w *= k;  // River keeps the weight when k is 0
  }
  const ClassId predicted = leaf_argmax(node);
  (void)update_error(node, predicted == y);
  const uint32_t payload = nodes_[node].payload;
  Random unused(0);
  leaves_->learn(payload, view_, y, w, unused);
  const double weight_seen = leaves_->total_weight(payload);
  if (weight_seen - leaves_->last_split_attempt_at(payload) <
      static_cast<double>(options_.grace_period)) {
    return;
  }
  if (static_cast<double>(nodes_[node].depth) >= max_depth_) {
    if (leaves_->active(payload)) {
      leaves_->set_active(payload, false);
      --n_active_;
      ++n_inactive_;
    }
  } else if (leaves_->active(payload)) {
    const uint32_t serial = states_[node].serial;
    attempt_to_split(node, parent, parent_branch);
    if (nodes_[node].is_leaf() && states_[node].serial == serial) {
      leaves_->set_last_split_attempt_at(payload, weight_seen);
    }
  }
}

void HoeffdingAdaptiveTreeClassifier::learn_branch(uint32_t node, ClassId y, double w,
                                                   uint32_t parent, uint32_t parent_branch) {
  const uint32_t serial = states_[node].serial;
  const auto weight_of = [this](uint32_t p) { return leaf_weight(p); };
  const uint32_t leaf = nodes_.leaf_for(node, view_, weight_of);
  const ClassId predicted = leaf_argmax(leaf);
  {
    auto& stats = states_[node].stats;
    bool found = false;
    for (auto& e : stats) {
      if (e.cls == y) {
        e.weight += w;
        found = true;
      }
    }
    if (!found) stats.push_back({y, w});
  }
  const bool change = update_error(node, predicted == y);
  if (change) {
    // A new alternate subtree (one level up, so that it starts at the branch's depth).
    if (states_[node].alternate != kNone) release_subtree(states_[node].alternate, kNone);
    const uint32_t alternate = new_leaf(nullptr, 0, nodes_[node].depth);
    states_[node].alternate = alternate;
    ++n_alternate_;
  } else if (states_[node].alternate != kNone) {
    const uint32_t alternate = states_[node].alternate;
    const double width = states_[node].adwin->width();
    const double alt_width = states_[alternate].adwin->width();
    const double threshold = static_cast<double>(options_.drift_window_threshold);
    if (width > threshold && alt_width > threshold) {
      const double old_rate = states_[node].adwin->estimation();
      const double alt_rate = states_[alternate].adwin->estimation();
      const double f_n = 1.0 / alt_width + 1.0 / width;
      const double bound = std::sqrt(2.0 * old_rate * (1.0 - old_rate) *
                                     std::log(2.0 / options_.switch_significance) * f_n);
      if (bound < old_rate - alt_rate) {
        // The alternate replaces the branch.
        size_t b = 0, l = 0;
        nodes_.count(node, b, l);
        n_active_ = n_active_ + 1 - std::min(n_active_ + 1, l);  // River: -= n_leaves, += 1
        ++n_switch_;
        if (parent != kNone) {
          nodes_[parent].child_ref(parent_branch) = alternate;
          states_[node].alternate = kNone;
          release_subtree(node, alternate);
          return;
        }
        root_ = alternate;
        release_subtree(node, alternate);
        // River goes on with the (former) root's alternate, now the root, as its parent is None.
        learn_node(alternate, y, w, kNone, kNone);
        return;
      }
      if (bound < alt_rate - old_rate) {
        release_subtree(alternate, kNone);
        states_[node].alternate = kNone;
        ++n_pruned_;
      }
    }
  }
  if (states_[node].alternate != kNone) {
    learn_node(states_[node].alternate, y, w, parent, parent_branch);
    // An alternate leaf that split took the branch's place: the branch is gone.
    if (states_[node].serial != serial || nodes_[node].is_leaf()) return;
  }
  const uint32_t b = tree::TreeNodes::branch_no(nodes_[node], view_);
  if (b != kNone) {
    learn_node(nodes_[node].child(b), y, w, node, b);
    return;
  }
  const tree::Node& n = nodes_[node];
  if (n.kind == NodeKind::kNominalMultiway && view_.has(n.attribute)) {
    const uint32_t category = view_.category(n.attribute);
    const uint32_t child = new_leaf(nullptr, 0, n.depth + 1);
    nodes_.add_branch(node, category, child);
    ++n_active_;
    learn_node(child, y, w, node, static_cast<uint32_t>(nodes_[node].n_children() - 1));
    return;
  }
  const uint32_t c = nodes_.most_common_branch(node, weight_of);
  learn_node(nodes_[node].child(c), y, w, node, c);
}

void HoeffdingAdaptiveTreeClassifier::attempt_to_split(uint32_t node, uint32_t parent,
                                                       uint32_t parent_branch) {
  const uint32_t payload = nodes_[node].payload;
  if (options_.split_criterion == tree::SplitCriterion::Kind::kHellinger) {
    const LabelEncoder* labels = context_.labels;
    const ClassId neg = labels != nullptr && labels->negative() ? *labels->negative() : 0;
    const ClassId pos = labels != nullptr && labels->positive() ? *labels->positive() : 1;
    criterion_.set_hellinger_classes(neg, pos);
  }
  const SplitOutcome outcome =
      leaves_->decide_split(payload, criterion_, attributes_, options_.delta, options_.tau,
                            options_.remove_poor_attrs, suggestions_, ranked_);
  if (outcome == SplitOutcome::kNone) return;
  if (outcome == SplitOutcome::kPrePrune) {
    leaves_->set_active(payload, false);
    ++n_inactive_;
    --n_active_;
    enforce_size_limit();
    return;
  }
  const SplitSuggestion& decision = suggestions_[ranked_.back()];
  // The node River's split replaces: parent.children[parent_branch], or the root. For an
  // alternate leaf that is the branch it shadows.
  const uint32_t replaced = parent == kNone ? root_ : nodes_[parent].child(parent_branch);
  leaves_->stats(payload, split_stats_);
  const double weight = leaves_->total_weight(payload);
  leaves_->release(payload);
  const size_t k = decision.n_dists;
  tree::internal::make_branch(
      nodes_, node, decision, weight, split_children_,
      [this](const ClassWeight* d, size_t n, uint32_t depth) { return new_leaf(d, n, depth); });
  NodeState& s = state(node);
  s.adwin->reset();  // a new branch: a new detector
  s.alternate = kNone;
  s.stats.assign(split_stats_.begin(), split_stats_.end());
  n_active_ = n_active_ - 1 + k;
  if (replaced != node) {
    if (parent == kNone) {
      root_ = node;
    } else {
      nodes_[parent].child_ref(parent_branch) = node;
    }
    release_subtree(replaced, node);
  }
  enforce_size_limit();
}

void HoeffdingAdaptiveTreeClassifier::release_subtree(uint32_t node, uint32_t keep) {
  if (node == keep || node == kNone) return;
  const tree::Node& n = nodes_[node];
  if (n.is_leaf()) {
    if (n.payload != kNone) leaves_->release(n.payload);
  } else {
    for (size_t i = 0; i < n.n_children(); ++i) release_subtree(n.child(i), keep);
    release_subtree(states_[node].alternate, keep);
  }
  NodeState& s = state(node);
  s.alternate = kNone;
  s.serial = ++serial_;
  s.stats.clear();
  if (s.adwin) spare_adwins_.push_back(std::move(s.adwin));
  nodes_.release(node);
}

void HoeffdingAdaptiveTreeClassifier::collect_leaves(uint32_t node,
                                                     std::vector<uint32_t>& out) const {
  // River's AdaBranchClassifier.iter_leaves: the children, each followed by its alternate.
  const tree::Node& n = nodes_[node];
  if (n.is_leaf()) {
    out.push_back(node);
    return;
  }
  for (size_t i = 0; i < n.n_children(); ++i) {
    const uint32_t child = n.child(i);
    collect_leaves(child, out);
    if (!nodes_[child].is_leaf() && states_[child].alternate != kNone) {
      collect_leaves(states_[child].alternate, out);
    }
  }
}

void HoeffdingAdaptiveTreeClassifier::enforce_size_limit() {
  leaf_nodes_.clear();
  collect_leaves(root_, leaf_nodes_);
  leaves_->enforce_size_limit(nodes_, leaf_nodes_, size_limit_, n_active_, n_inactive_, max_depth_,
                              options_.stop_mem_management);
}

void HoeffdingAdaptiveTreeClassifier::estimate_model_size() {
  if (root_ == kNone) return;
  leaf_nodes_.clear();
  collect_leaves(root_, leaf_nodes_);
  if (leaves_->estimate_size(nodes_, leaf_nodes_, size_limit_, static_cast<double>(bytes()),
                             n_active_, n_inactive_)) {
    enforce_size_limit();
  }
}

std::optional<ClassId> HoeffdingAdaptiveTreeClassifier::predict_one(
    const Features& x, std::vector<double>& scratch) const {
  if (!predict_proba_one(x, scratch)) return std::nullopt;
  // River's max over a dict in the order of the tree's set of classes (tie_winner first).
  return internal::most_probable(scratch, tree::internal::tie_winner(context_.labels));
}

bool HoeffdingAdaptiveTreeClassifier::predict_proba_one(const Features& x,
                                                        std::vector<double>& proba) const {
  proba.assign(n_classes(), 0.0);
  if (root_ == kNone) return false;
  attributes_.resolve(x, context_.space, view_);
  const auto weight_of = [this](uint32_t p) { return leaf_weight(p); };
  if (dist_.size() < proba.size()) dist_.resize(proba.size());
  auto add = [&](uint32_t leaf) {
    if (!leaf_prediction(leaf, dist_)) return;
    for (const auto& e : leaf_stats_) {
      if (e.cls < proba.size()) proba[e.cls] += dist_[e.cls];
    }
  };
  // River's AdaBranchClassifier.traverse: the alternates met on the way, then the leaf.
  uint32_t node = root_;
  while (!nodes_[node].is_leaf()) {
    const uint32_t alternate = states_[node].alternate;
    if (alternate != kNone) add(nodes_.leaf_for(alternate, view_, weight_of));
    const uint32_t b = tree::TreeNodes::branch_no(nodes_[node], view_);
    node = nodes_[node].child(b != kNone ? b : nodes_.most_common_branch(node, weight_of));
  }
  add(node);
  double sum = 0.0;
  for (const double p : proba) sum += p;
  if (sum != 0.0) {
    for (double& p : proba) p /= sum;
  }
  return true;
}

size_t HoeffdingAdaptiveTreeClassifier::n_branches() const {
  if (root_ == kNone) return 0;
  size_t b = 0, l = 0;
  nodes_.count(root_, b, l);
  return b;
}

size_t HoeffdingAdaptiveTreeClassifier::n_leaves() const {
  if (root_ == kNone) return 0;
  size_t b = 0, l = 0;
  nodes_.count(root_, b, l);
  return l;
}

size_t HoeffdingAdaptiveTreeClassifier::height() const {
  return root_ == kNone ? 0 : nodes_.height(root_);
}

size_t HoeffdingAdaptiveTreeClassifier::bytes() const {
  size_t total = sizeof(*this) + nodes_.bytes() + leaves_->bytes() + attributes_.bytes() +
                 states_.capacity() * sizeof(NodeState);
  for (const auto& s : states_) {
    if (s.adwin) total += sizeof(ADWIN) + 64 * sizeof(double);
    total += s.stats.capacity() * sizeof(ClassWeight);
  }
  return total;
}

void HoeffdingAdaptiveTreeClassifier::save(StateWriter& out) const {
  out(attributes_, nodes_, size_limit_, root_, static_cast<uint64_t>(n_active_),
      static_cast<uint64_t>(n_inactive_), static_cast<uint64_t>(n_alternate_),
      static_cast<uint64_t>(n_pruned_), static_cast<uint64_t>(n_switch_), train_weight_, max_class_,
      serial_, rng_);
  leaves_->save(out);
  out(static_cast<uint64_t>(states_.size()));
  for (const NodeState& s : states_) {
    const bool has_adwin = s.adwin != nullptr;
    out(has_adwin, s.alternate, s.serial, static_cast<uint64_t>(s.stats.size()));
    for (const auto& e : s.stats) out(e.cls, e.weight);
    if (has_adwin) s.adwin->save(out);
  }
}

void HoeffdingAdaptiveTreeClassifier::load(StateReader& in) {
  uint64_t active = 0, inactive = 0, alternate = 0, pruned = 0, switched = 0;
  in(attributes_, nodes_, size_limit_, root_, active, inactive, alternate, pruned, switched,
     train_weight_, max_class_, serial_, rng_);
  n_active_ = active;
  n_inactive_ = inactive;
  n_alternate_ = alternate;
  n_pruned_ = pruned;
  n_switch_ = switched;
  leaves_->load(in);
  uint64_t n = 0;
  in(n);
  states_.clear();
  states_.resize(n);
  for (NodeState& s : states_) {
    bool has_adwin = false;
    uint64_t n_stats = 0;
    in(has_adwin, s.alternate, s.serial, n_stats);
    s.stats.resize(n_stats);
    for (auto& e : s.stats) in(e.cls, e.weight);
    if (has_adwin) {
      s.adwin = std::make_unique<ADWIN>(ADWIN::Options{.delta = options_.adwin_confidence});
      s.adwin->load(in);
    }
  }
  size_limit_.set_max_size_mib(options_.max_size);
}

std::string HoeffdingAdaptiveTreeClassifier::draw(size_t max_depth) const {
  if (root_ == kNone) return {};
  return tree::draw_tree(nodes_, root_, attributes_, max_depth,
                         [this](uint32_t p) { return leaves_->describe(p, context_.labels); });
}

void HoeffdingAdaptiveTreeClassifier::feature_importances(
    std::vector<FeatureImportance>& out) const {
  tree::add_importances(
      nodes_, root_, attributes_, [this](uint32_t p) { return leaf_weight(p); }, out);
}

void HoeffdingAdaptiveTreeClassifier::describe(Description& out) const {
  out.add("n_branches", static_cast<double>(n_branches()));
  out.add("n_leaves", static_cast<double>(n_leaves()));
  out.add("height", static_cast<double>(height()));
  out.add("n_alternate_trees", static_cast<double>(n_alternate_));
  out.add("n_pruned_alternate_trees", static_cast<double>(n_pruned_));
  out.add("n_switch_alternate_trees", static_cast<double>(n_switch_));
  out.add("total_observed_weight", train_weight_);
}

}  // namespace rivulet::ml
