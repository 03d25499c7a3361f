#include "ml/tree/class_leaves.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <type_traits>

#include "ml/internal/vector_math.h"

namespace rivulet::ml::tree::internal {
namespace {
constexpr size_t kReservedLeaves = 32;

size_t grown(size_t cap, size_t need, size_t minimum) {
  size_t c = std::max(cap, minimum);
  while (c < need) c *= 2;
  return c;
}
}  // namespace

void ClassLeaves::ensure_dims(size_t n_attributes, size_t n_classes) {
  if (n_attributes <= attr_cap_ && n_classes <= class_cap_ && class_cap_ != 0) return;
  relayout(grown(attr_cap_, n_attributes, 4), grown(class_cap_, n_classes, 2));
}

void ClassLeaves::relayout(size_t attr_cap, size_t class_cap) {
  const size_t n_leaves = leaves_.size();
  std::vector<ClassSlot> classes(std::max(n_leaves, kReservedLeaves) * class_cap);
  classes.resize(n_leaves * class_cap);
  std::vector<uint8_t> flags(std::max(n_leaves, kReservedLeaves) * attr_cap);
  flags.resize(n_leaves * attr_cap);
  for (size_t l = 0; l < n_leaves; ++l) {
    for (size_t c = 0; c < class_cap_; ++c)
      classes[l * class_cap + c] = class_pool_[l * class_cap_ + c];
    for (size_t a = 0; a < attr_cap_; ++a) flags[l * attr_cap + a] = flag_pool_[l * attr_cap_ + a];
  }
  std::vector<GaussianCell> cells(std::max<size_t>(n_cell_blocks_, kReservedLeaves) * attr_cap *
                                  class_cap);
  cells.resize(static_cast<size_t>(n_cell_blocks_) * attr_cap * class_cap);
  for (size_t b = 0; b < n_cell_blocks_; ++b) {
    for (size_t a = 0; a < attr_cap_; ++a) {
      for (size_t c = 0; c < class_cap_; ++c) {
        cells[(b * attr_cap + a) * class_cap + c] =
            cell_pool_[(b * attr_cap_ + a) * class_cap_ + c];
      }
    }
  }
  class_pool_ = std::move(classes);
  flag_pool_ = std::move(flags);
  cell_pool_ = std::move(cells);
  attr_cap_ = attr_cap;
  class_cap_ = class_cap;
  votes_.assign(class_cap_, 0.0);
  pre_.resize(class_cap_);
  left_.resize(class_cap_);
  right_.resize(class_cap_);
  scratch_.resize(2 * class_cap_);
  subset_.reserve(attr_cap_);
  updated_.reserve(attr_cap_);
  logs_.reserve(attr_cap_);
  if (leaves_.capacity() < kReservedLeaves) leaves_.reserve(kReservedLeaves);
}

uint32_t ClassLeaves::acquire_cells() {
  const size_t block = attr_cap_ * class_cap_;
  if (!free_cells_.empty()) {
    const uint32_t b = free_cells_.back();
    free_cells_.pop_back();
    std::fill_n(cell_pool_.begin() + static_cast<std::ptrdiff_t>(b * block), block, GaussianCell{});
    return b;
  }
  cell_pool_.resize(cell_pool_.size() + block);
  return n_cell_blocks_++;
}

void ClassLeaves::release_cells(uint32_t b) {
  if (b != kNone) free_cells_.push_back(b);
}

uint32_t ClassLeaves::create(ClassDistView initial) {
  uint32_t id;
  if (!free_leaves_.empty()) {
    id = free_leaves_.back();
    free_leaves_.pop_back();
    std::fill_n(class_pool_.begin() + static_cast<std::ptrdiff_t>(id * class_cap_), class_cap_,
                ClassSlot{});
    std::fill_n(flag_pool_.begin() + static_cast<std::ptrdiff_t>(id * attr_cap_), attr_cap_,
                uint8_t{0});
  } else {
    id = static_cast<uint32_t>(leaves_.size());
    leaves_.emplace_back();
    class_pool_.resize(class_pool_.size() + class_cap_);
    flag_pool_.resize(flag_pool_.size() + attr_cap_);
  }
  Leaf& leaf = leaves_[id];
  leaf.in_use = true;
  leaf.active = true;
  leaf.subset_chosen = false;
  if (config_.max_features > 0) ++n_without_subset_;
  leaf.subset.clear();
  leaf.order.clear();
  leaf.n_obs = 0;
  leaf.mc_correct = 0.0;
  leaf.nb_correct = 0.0;
  leaf.nominal.clear();
  leaf.cells = acquire_cells();
  ClassSlot* s = slots(id);
  leaf.n_stats = 0;
  for (const auto& e : initial) {
    if (s[e.cls].in_stats != 0) {
      s[e.cls].weight = e.weight;
      continue;
    }
    s[leaf.n_stats++].stats_order = static_cast<uint16_t>(e.cls);
    s[e.cls].in_stats = 1;
    s[e.cls].weight = e.weight;
  }
  leaf.last_split_attempt_at = total_weight(id);
  return id;
}

void ClassLeaves::release(uint32_t id) {
  Leaf& leaf = leaves_[id];
  if (config_.max_features > 0 && !leaf.subset_chosen) --n_without_subset_;
  release_cells(leaf.cells);
  leaf.cells = kNone;
  leaf.in_use = false;
  leaf.nominal.clear();
  free_leaves_.push_back(id);
}

void ClassLeaves::clear() {
  leaves_.clear();
  free_leaves_.clear();
  class_pool_.clear();
  flag_pool_.clear();
  cell_pool_.clear();
  free_cells_.clear();
  n_cell_blocks_ = 0;
  has_pending_ = false;
  n_without_subset_ = 0;
}

double ClassLeaves::total_weight(uint32_t id) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  double total = 0.0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) total += s[s[k].stats_order].weight;
  return total;
}

bool ClassLeaves::is_pure(uint32_t id) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  int count = 0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    if (s[s[k].stats_order].weight != 0.0 && ++count == 2) return false;
  }
  return true;
}

double ClassLeaves::promise(uint32_t id) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  const double total = total_weight(id);
  if (!(total > 0.0)) return 0.0;
  double best = -INFINITY;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) best = std::max(best, s[s[k].stats_order].weight);
  return total - best;
}

void ClassLeaves::set_active(uint32_t id, bool on) {
  Leaf& leaf = leaves_[id];
  if (on == leaf.active) return;
  leaf.active = on;
  // River: deactivate drops the splitters; activate starts from an empty dict.
  ClassSlot* s = slots(id);
  for (size_t c = 0; c < class_cap_; ++c) s[c].in_obs = 0;
  leaf.n_obs = 0;
  uint8_t* f = flags(id);
  for (size_t a = 0; a < attr_cap_; ++a) f[a] = static_cast<uint8_t>(f[a] & ~kObserved);
  leaf.order.clear();
  leaf.nominal.clear();
  if (on) {
    leaf.cells = acquire_cells();
  } else {
    release_cells(leaf.cells);
    leaf.cells = kNone;
  }
}

void ClassLeaves::stats(uint32_t id, std::vector<ClassWeight>& out) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  out.clear();
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    out.push_back({c, s[c].weight});
  }
}

ClassId ClassLeaves::mc_argmax(uint32_t id) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  const double total = total_weight(id);
  ClassId best = kNoClass;
  double best_p = 0.0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    const double p = total != 0.0 ? s[c].weight / total : s[c].weight;
    if (best == kNoClass || p > best_p) {
      best = c;
      best_p = p;
    }
  }
  return best;
}

bool ClassLeaves::nb_votes(uint32_t id, const AttributeView& x, bool touch) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  if (leaf.n_stats == 0) return false;
  const double total = total_weight(id);
  if (total == 0.0) return false;
  double* votes = votes_.data();
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    const double w = s[c].weight;
    votes[c] = w > 0.0 ? std::log(w / total) : 0.0;
  }
  if (!leaf.active) return true;
  const uint8_t* f = flags(id);
  const GaussianCell* block = cells(leaf.cells);
  const auto vote = [&](AttributeId a, double value, uint32_t category)
      __attribute__((always_inline)) {
    if (category == kNone) {
      const GaussianCell* g = block + static_cast<size_t>(a) * class_cap_;
      for (uint16_t k = 0; k < leaf.n_stats; ++k) {
        const ClassId c = s[k].stats_order;
        if (s[c].weight > 0.0) votes[c] += g[c].log_pdf_or_zero(value);
      }
    } else {
      auto& obs = const_cast<NominalClassObserver&>(leaf.nominal[a]);
      for (uint16_t k = 0; k < leaf.n_stats; ++k) {
        const ClassId c = s[k].stats_order;
        if (!(s[c].weight > 0.0)) continue;
        const double p = obs.cond_proba(category, c);
        votes[c] += p > 0.0 ? std::log(p) : 0.0;
        if (touch) obs.touch(category, c);
      }
    }
  };
  if (config_.max_features > 0) {
    // River sums over its splitters, in the order they were made (the summing order shows in
    // the last bits).
    for (const AttributeId a : leaf.order) {
      if (x.has(a)) vote(a, x.value(a), x.category(a));
    }
    return true;
  }
  for (const AttributeValue& e : x.entries()) {
    const AttributeId a = e.attribute;
    if (a >= attr_cap_ || (f[a] & kObserved) == 0) continue;
    vote(a, e.value, e.category);
  }
  return true;
}

void ClassLeaves::softmax(uint32_t id, double* proba) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  const double* votes = votes_.data();
  double max_ll = -INFINITY;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) max_ll = std::max(max_ll, votes[s[k].stats_order]);
  double sum = 0.0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) sum += std::exp(votes[s[k].stats_order] - max_ll);
  const double lse = max_ll + std::log(sum);
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    proba[c] = std::exp(votes[c] - lse);
  }
}

ClassId ClassLeaves::clear_vote_winner(uint32_t id) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  const double* votes = votes_.data();
  ClassId best = kNoClass;
  double best_vote = -INFINITY;
  double second = -INFINITY;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const double v = votes[s[k].stats_order];
    if (std::isnan(v)) return kNoClass;
    if (best == kNoClass || v > best_vote) {
      second = best_vote;
      best = s[k].stats_order;
      best_vote = v;
    } else if (v > second) {
      second = v;
    }
  }
  if (best == kNoClass || !std::isfinite(best_vote)) return kNoClass;
  // p_c = exp(v_c - lse): with v_best - v_other above 1e-9 (relative to |v_best| when it is
  // larger than 1) the probabilities differ by far more than the rounding of the subtractions
  // and of exp, so the leading vote has the one highest probability. The softmax (2 n exps
  // and a log) is then not needed to know the winner.
  const double margin = 1e-9 * std::max(1.0, std::fabs(best_vote));
  return best_vote - second > margin ? best : kNoClass;
}

bool ClassLeaves::uses_naive_bayes(uint32_t id) const {
  const Leaf& leaf = leaves_[id];
  switch (config_.prediction) {
    case LeafPrediction::kMajorityClass:
      return false;
    case LeafPrediction::kNaiveBayes:
      return leaf.active && total_weight(id) >= config_.nb_threshold;
    case LeafPrediction::kNaiveBayesAdaptive:
      return leaf.active && leaf.nb_correct >= leaf.mc_correct;
  }
  return false;
}

ClassId ClassLeaves::clear_prediction(uint32_t id, const AttributeView& x, ClassId* nb_argmax_out,
                                      bool* ran_nb, ClassId first) const {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  if (!uses_naive_bayes(id)) {
    // predict()'s majority-class probabilities, compared as Classifier::predict_one does.
    const double total = total_weight(id);
    ClassId best = kNoClass;
    double best_p = 0.0;
    for (uint16_t k = 0; k < leaf.n_stats; ++k) {
      const ClassId c = s[k].stats_order;
      const double p = total != 0.0 ? s[c].weight / total : s[c].weight;
      if (p > best_p || (p == best_p && best != kNoClass && class_before(c, best, first))) {
        best = c;
        best_p = p;
      }
    }
    return best_p > 0.0 ? best : kNoClass;
  }
  if (!nb_votes(id, x, false)) return kNoClass;
  const ClassId winner = clear_vote_winner(id);
  if (winner == kNoClass) return kNoClass;
  if (ran_nb != nullptr) *ran_nb = true;
  if (nb_argmax_out != nullptr) *nb_argmax_out = winner;
  return winner;
}

ClassId ClassLeaves::nb_argmax(uint32_t id) const {
  if (const ClassId winner = clear_vote_winner(id); winner != kNoClass) return winner;
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  const double* votes = votes_.data();
  double max_ll = -INFINITY;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) max_ll = std::max(max_ll, votes[s[k].stats_order]);
  double sum = 0.0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) sum += std::exp(votes[s[k].stats_order] - max_ll);
  const double lse = max_ll + std::log(sum);
  ClassId best = kNoClass;
  double best_p = 0.0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    const double p = std::exp(votes[c] - lse);
    if (best == kNoClass || p > best_p) {
      best = c;
      best_p = p;
    }
  }
  return best;
}

void ClassLeaves::choose_subset(uint32_t id, const AttributeView& x, Random& rng) {
  // River's BaseRandomLeaf._sample_features: max_features of the sample's attributes, drawn
  // without replacement, or all of them when the sample has fewer; none for an empty sample
  // (River's empty list, drawn again at the next sample).
  if (x.size() == 0) return;
  Leaf& leaf = leaves_[id];
  leaf.subset_chosen = true;
  ++n_subsets_chosen_;
  --n_without_subset_;
  if (has_pending_) {
    // Drawn by the caller from River's generator.
    has_pending_ = false;
    subset_.assign(pending_.begin(), pending_.end());
  } else {
    assert(!config_.caller_draws_subsets && "ARF leaf subset not handed over by the forest");
    subset_.clear();
    for (const AttributeValue& e : x.entries()) subset_.push_back(e.attribute);
    if (subset_.size() > config_.max_features) {
      for (size_t i = 0; i < config_.max_features; ++i) {
        const size_t j = i + static_cast<size_t>(rng.below(subset_.size() - i));
        std::swap(subset_[i], subset_[j]);
      }
      subset_.resize(config_.max_features);
    }
  }
  uint8_t* f = flags(id);
  for (const AttributeId a : subset_) f[a] = static_cast<uint8_t>(f[a] | kInSubset);
  leaf.subset.assign(subset_.begin(), subset_.end());
}

void ClassLeaves::learn(uint32_t id, const AttributeView& x, ClassId y, double w, Random& rng,
                        const ClassId* nb_hint) {
  Leaf& leaf = leaves_[id];
  if (leaf.active) {
    if (config_.prediction == LeafPrediction::kNaiveBayesAdaptive) {
      if (leaf.n_stats == 0 || mc_argmax(id) == y) leaf.mc_correct += w;
      if (nb_hint != nullptr && leaf.nominal.empty()) {
        if (*nb_hint == y) leaf.nb_correct += w;
      } else if (nb_votes(id, x, true) && nb_argmax(id) == y) {
        leaf.nb_correct += w;
      }
    } else if (config_.prediction == LeafPrediction::kNaiveBayes && !leaf.nominal.empty() &&
               total_weight(id) >= config_.nb_threshold) {
      // River's naive Bayes prediction of this sample (made before learning it, in a
      // test-then-train run) leaves its zero entries in the nominal observers.
      (void)nb_votes(id, x, true);
    }
  }
  update(id, x, y, w, rng);
}

void ClassLeaves::reset_leaf_counters(uint32_t id) {
  Leaf& leaf = leaves_[id];
  leaf.mc_correct = 0.0;
  leaf.nb_correct = 0.0;
  leaf.last_split_attempt_at = 0.0;
}

void ClassLeaves::update(uint32_t id, const AttributeView& x, ClassId y, double w, Random& rng) {
  Leaf& leaf = leaves_[id];
  // update_stats
  ClassSlot* s = slots(id);
  if (s[y].in_stats != 0) {
    s[y].weight += w;
  } else {
    s[leaf.n_stats++].stats_order = static_cast<uint16_t>(y);
    s[y].in_stats = 1;
    s[y].weight = w;
  }
  if (!leaf.active) return;
  // update_splitters
  const bool subset = config_.max_features > 0;
  if (subset && !leaf.subset_chosen) choose_subset(id, x, rng);
  uint8_t* f = flags(id);
  GaussianCell* block = cells(leaf.cells);
  bool class_seen = s[y].in_obs != 0;
  updated_.clear();
  const auto observe = [&](AttributeId a, double value, uint32_t category)
      __attribute__((always_inline)) {
    const uint8_t fa = f[a];
    if ((fa & kDisabled) != 0) return;
    if ((fa & kObserved) == 0) {
      f[a] = static_cast<uint8_t>(fa | kObserved);
      if (subset) leaf.order.push_back(a);
    }
    if (!class_seen) {
      s[leaf.n_obs++].obs_order = static_cast<uint16_t>(y);
      s[y].in_obs = 1;
      class_seen = true;
    }
    if (category == kNone) {
      GaussianCell& g = block[static_cast<size_t>(a) * class_cap_ + y];
      g.update_moments(value, w);
      updated_.push_back(&g);
    } else {
      if (leaf.nominal.size() <= a) leaf.nominal.resize(attr_cap_);
      leaf.nominal[a].update(category, y, w);
    }
  };
  if (subset) {
    // River iterates the subset in its drawn order; the splitters (River's dict) are made in
    // that order, which later loops over them follow (leaf.order).
    for (const AttributeId a : leaf.subset) {
      if (x.has(a)) observe(a, x.value(a), x.category(a));
    }
  } else {
    for (const AttributeValue& e : x.entries()) observe(e.attribute, e.value, e.category);
  }
  // The naive Bayes constants of the updated cells, with their logs in one vector call.
  logs_.resize(updated_.size());
  for (size_t i = 0; i < updated_.size(); ++i) {
    const double var = updated_[i]->variance();
    logs_[i] = var != 0.0 ? 6.283185307179586 * var : 1.0;
  }
  ml::internal::log_in_place(logs_.data(), logs_.size());
  for (size_t i = 0; i < updated_.size(); ++i) {
    updated_[i]->set_log_norm(updated_[i]->variance(), logs_[i]);
  }
}

void ClassLeaves::enforce_size_limit(const TreeNodes& nodes, std::span<const uint32_t> leaf_nodes,
                                     SizeLimit& limit, size_t& n_active, size_t& n_inactive,
                                     double max_depth, bool stop_mem_management) {
  status_.clear();
  for (const uint32_t id : leaf_nodes) {
    const uint32_t p = nodes[id].payload;
    status_.push_back({p, promise(p), active(p), static_cast<double>(nodes[id].depth)});
  }
  limit.enforce(status_, n_active, n_inactive, max_depth, stop_mem_management,
                [this](uint32_t p, bool on) { set_active(p, on); });
}

bool ClassLeaves::estimate_size(const TreeNodes& nodes, std::span<const uint32_t> leaf_nodes,
                                SizeLimit& limit, double tree_bytes, size_t n_active,
                                size_t n_inactive) const {
  double active_bytes = 0.0, inactive_bytes = 0.0;
  for (const uint32_t id : leaf_nodes) {
    const uint32_t p = nodes[id].payload;
    (active(p) ? active_bytes : inactive_bytes) += static_cast<double>(leaf_bytes(p));
  }
  return limit.estimate(active_bytes, inactive_bytes, tree_bytes, n_active, n_inactive);
}

bool ClassLeaves::predict(uint32_t id, const AttributeView& x, std::vector<double>& proba,
                          ClassId* nb_argmax_out, bool* ran_nb) const {
  const Leaf& leaf = leaves_[id];
  const bool naive_bayes = uses_naive_bayes(id);
  const ClassSlot* s = slots(id);
  if (naive_bayes) {
    if (ran_nb != nullptr) *ran_nb = true;
    if (!nb_votes(id, x, false)) {
      if (nb_argmax_out != nullptr) *nb_argmax_out = kNoClass;
      return false;
    }
    softmax(id, proba.data());
    if (nb_argmax_out != nullptr) {
      // The first maximum in the leaf's order, as River's max(nb_pred, key=nb_pred.get).
      ClassId best = kNoClass;
      double best_p = 0.0;
      for (uint16_t k = 0; k < leaf.n_stats; ++k) {
        const ClassId c = s[k].stats_order;
        if (best == kNoClass || proba[c] > best_p) {
          best = c;
          best_p = proba[c];
        }
      }
      *nb_argmax_out = best;
    }
    return true;
  }
  const double total = total_weight(id);
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    proba[c] = total != 0.0 ? s[c].weight / total : s[c].weight;
  }
  return true;
}

ClassId ClassLeaves::predict_argmax(uint32_t id, const AttributeView& x,
                                    std::vector<double>& scratch) const {
  const Leaf& leaf = leaves_[id];
  if (leaf.n_stats == 0) return kNoClass;
  if (scratch.size() < class_cap_) scratch.resize(class_cap_);
  if (!predict(id, x, scratch)) return kNoClass;
  const ClassSlot* s = slots(id);
  ClassId best = kNoClass;
  double best_p = 0.0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    if (best == kNoClass || scratch[c] > best_p) {
      best = c;
      best_p = scratch[c];
    }
  }
  return best;
}

size_t ClassLeaves::suggestions(uint32_t id, const SplitCriterion& criterion,
                                const AttributeMap& attributes, std::vector<SplitSuggestion>& out) {
  const Leaf& leaf = leaves_[id];
  const ClassSlot* s = slots(id);
  size_t n_pre = 0;
  for (uint16_t k = 0; k < leaf.n_stats; ++k) {
    const ClassId c = s[k].stats_order;
    pre_[n_pre++] = {c, s[c].weight};
  }
  const ClassDistView pre(pre_.data(), n_pre);
  size_t n = 0;
  auto next = [&]() -> SplitSuggestion& {
    if (out.size() <= n) out.emplace_back();
    SplitSuggestion& sg = out[n++];
    sg.merit = -INFINITY;
    sg.attribute = kNone;
    sg.n_dists = 0;
    sg.categories.clear();
    return sg;
  };
  auto set_dists = [this](SplitSuggestion& sg, size_t k) {
    if (sg.dists.size() < k) sg.dists.resize(k);
    // Room for every class at once, so that later attempts do not grow the buffers.
    for (size_t i = 0; i < k; ++i) {
      if (sg.dists[i].capacity() < class_cap_) sg.dists[i].reserve(class_cap_);
    }
    sg.n_dists = k;
  };
  if (config_.merit_preprune) next();  // the null split
  if (!leaf.active) return n;
  std::vector<ClassId> order_vec;
  ClassId small_order[64];
  ClassId* order = small_order;
  if (leaf.n_obs > 64) {
    order_vec.resize(leaf.n_obs);
    order = order_vec.data();
  }
  for (uint16_t k = 0; k < leaf.n_obs; ++k) order[k] = s[k].obs_order;
  const std::span<const ClassId> classes(order, leaf.n_obs);
  const uint8_t* f = flags(id);
  const GaussianCell* block = cells(leaf.cells);
  // River rates its splitters in the order they were made: by attribute for a leaf that
  // watches every attribute, in the subset's drawn order for an ARF leaf (ties in merit go to
  // the later one).
  const bool subset = config_.max_features > 0;
  const size_t n_candidates = subset ? leaf.order.size() : std::min(attributes.size(), attr_cap_);
  for (size_t i = 0; i < n_candidates; ++i) {
    const AttributeId a = subset ? leaf.order[i] : static_cast<AttributeId>(i);
    if ((f[a] & kObserved) == 0) continue;
    SplitSuggestion& sg = next();
    if (!attributes.is_nominal(a)) {
      const GaussianSplit best = gaussian_best_split(block + static_cast<size_t>(a) * class_cap_,
                                                     classes, config_.n_splits, criterion, pre,
                                                     left_.data(), right_.data(), scratch_.data());
      if (best.merit > -INFINITY) {
        sg.merit = best.merit;
        sg.attribute = a;
        sg.kind = NodeKind::kNumericBinary;
        sg.threshold = best.threshold;
        set_dists(sg, 2);
        sg.dists[0].assign(left_.begin(), left_.begin() + static_cast<std::ptrdiff_t>(best.n_left));
        sg.dists[1].assign(right_.begin(),
                           right_.begin() + static_cast<std::ptrdiff_t>(best.n_right));
      }
      continue;
    }
    NominalClassObserver::Split split =
        leaf.nominal[a].best_split(criterion, pre, config_.binary_split, attributes, a);
    if (!split.multiway && split.category == kNone) continue;  // no split: the null suggestion
    sg.merit = split.merit;
    sg.attribute = a;
    sg.kind = split.multiway ? NodeKind::kNominalMultiway : NodeKind::kNominalBinary;
    sg.category = split.category;
    sg.categories = std::move(split.categories);
    set_dists(sg, split.dists.size());
    for (size_t d = 0; d < split.dists.size(); ++d) sg.dists[d] = std::move(split.dists[d]);
  }
  return n;
}

SplitOutcome ClassLeaves::decide_split(uint32_t id, const SplitCriterion& criterion,
                                       const AttributeMap& attributes, double delta, double tau,
                                       bool remove_poor_attrs, std::vector<SplitSuggestion>& out,
                                       std::vector<uint32_t>& ranked) {
  if (is_pure(id)) return SplitOutcome::kNone;
  const size_t n = suggestions(id, criterion, attributes, out);
  // A stable sort by merit (Python's list.sort), by insertion over the indices.
  ranked.clear();
  for (uint32_t i = 0; i < n; ++i) {
    ranked.push_back(i);
    size_t j = ranked.size() - 1;
    while (j > 0 && out[ranked[j - 1]].merit > out[i].merit) {
      ranked[j] = ranked[j - 1];
      --j;
    }
    ranked[j] = i;
  }
  bool should_split = false;
  if (n < 2) {
    should_split = n > 0;
  } else {
    stats(id, stats_scratch_);
    const double bound = hoeffding_bound(criterion.range(stats_scratch_), delta, total_weight(id));
    const SplitSuggestion& best = out[ranked[n - 1]];
    const SplitSuggestion& second = out[ranked[n - 2]];
    if (best.merit - second.merit > bound || bound < tau) should_split = true;
    if (remove_poor_attrs) {
      for (uint32_t i = 0; i < n; ++i) {
        const SplitSuggestion& s = out[ranked[i]];
        if (s.attribute != kNone && best.merit - s.merit > bound)
          disable_attribute(id, s.attribute);
      }
    }
  }
  if (!should_split) return SplitOutcome::kNone;
  return out[ranked[n - 1]].attribute == kNone ? SplitOutcome::kPrePrune : SplitOutcome::kSplit;
}

void ClassLeaves::disable_attribute(uint32_t id, AttributeId a) {
  if (config_.prediction != LeafPrediction::kMajorityClass) return;  // River: a no-op for NB leaves
  Leaf& leaf = leaves_[id];
  if (!leaf.active || a >= attr_cap_) return;
  uint8_t* f = flags(id);
  if ((f[a] & kObserved) == 0) return;
  f[a] = static_cast<uint8_t>((f[a] & ~kObserved) | kDisabled);
  leaf.order.erase(std::remove(leaf.order.begin(), leaf.order.end(), a), leaf.order.end());
  GaussianCell* g = cells(leaf.cells) + static_cast<size_t>(a) * class_cap_;
  std::fill_n(g, class_cap_, GaussianCell{});
  if (a < leaf.nominal.size()) leaf.nominal[a] = NominalClassObserver{};
}

size_t ClassLeaves::leaf_bytes(uint32_t id) const {
  const Leaf& leaf = leaves_[id];
  size_t total = sizeof(Leaf) + class_cap_ * sizeof(ClassSlot) + attr_cap_;
  if (leaf.active) total += attr_cap_ * class_cap_ * sizeof(GaussianCell);
  total += leaf.nominal.capacity() * sizeof(NominalClassObserver);
  for (const auto& obs : leaf.nominal) total += obs.bytes() - sizeof(NominalClassObserver);
  total += (leaf.subset.capacity() + leaf.order.capacity()) * sizeof(AttributeId);
  return total;
}

size_t ClassLeaves::bytes() const {
  size_t total = sizeof(*this) + leaves_.capacity() * sizeof(Leaf) +
                 class_pool_.capacity() * sizeof(ClassSlot) + flag_pool_.capacity() +
                 cell_pool_.capacity() * sizeof(GaussianCell) +
                 (free_leaves_.capacity() + free_cells_.capacity()) * sizeof(uint32_t);
  for (const auto& leaf : leaves_) {
    total += leaf.nominal.capacity() * sizeof(NominalClassObserver);
    for (const auto& obs : leaf.nominal) total += obs.bytes() - sizeof(NominalClassObserver);
    total += (leaf.subset.capacity() + leaf.order.capacity()) * sizeof(AttributeId);
  }
  return total;
}

// The Gaussian cells, most of a forest's bytes, as cereal writes a std::vector<GaussianCell>
// (a size, then each cell's seven doubles in order) but as one block of doubles rather than a
// call per double: a cell is exactly its seven doubles.
static_assert(sizeof(GaussianCell) == 7 * sizeof(double) &&
              std::is_standard_layout_v<GaussianCell> && std::is_trivially_copyable_v<GaussianCell>);

namespace {

void save_cells(StateWriter& out, const std::vector<GaussianCell>& cells) {
  out(cereal::make_size_tag(static_cast<cereal::size_type>(cells.size())));
  out(cereal::binary_data(reinterpret_cast<const double*>(cells.data()),
                          cells.size() * sizeof(GaussianCell)));
}

void load_cells(StateReader& in, std::vector<GaussianCell>& cells) {
  cereal::size_type n = 0;
  in(cereal::make_size_tag(n));
  cells.resize(static_cast<size_t>(n));
  in(cereal::binary_data(reinterpret_cast<double*>(cells.data()),
                         cells.size() * sizeof(GaussianCell)));
}

}  // namespace

void ClassLeaves::save(StateWriter& out) const {
  out(attr_cap_, class_cap_);
  // The leaves as out(leaves_) would write them: their nominal observers are the most fields,
  // in vectors spread over the heap, so those a few leaves ahead are prefetched in stages
  // (the observers, their vectors, their counts) while the current one is written.
  save_appended(out, [this](StateAppender& a) {
    const size_t n = leaves_.size();
    a(cereal::make_size_tag(static_cast<cereal::size_type>(n)));
    constexpr size_t kObservers = 6, kVectors = 4, kCounts = 2;
    for (size_t k = 0; k < n; ++k) {
      if (k + kObservers < n) {
        const Leaf& ahead = leaves_[k + kObservers];
        const auto* observers = reinterpret_cast<const char*>(ahead.nominal.data());
        for (size_t b = 0; b < ahead.nominal.size() * sizeof(NominalClassObserver); b += 64) {
          __builtin_prefetch(observers + b);
        }
        __builtin_prefetch(ahead.subset.data());
        __builtin_prefetch(ahead.order.data());
      }
      if (k + kVectors < n) {
        for (const auto& o : leaves_[k + kVectors].nominal) o.prefetch(0);
      }
      if (k + kCounts < n) {
        for (const auto& o : leaves_[k + kCounts].nominal) o.prefetch(1);
      }
      a(leaves_[k]);
    }
  });
  out(free_leaves_, class_pool_, flag_pool_);
  save_cells(out, cell_pool_);
  out(free_cells_, n_cell_blocks_);
}

void ClassLeaves::load(StateReader& in) {
  in(attr_cap_, class_cap_, leaves_, free_leaves_, class_pool_, flag_pool_);
  load_cells(in, cell_pool_);
  in(free_cells_, n_cell_blocks_);
  has_pending_ = false;
  n_without_subset_ = 0;
  if (config_.max_features > 0) {
    for (const Leaf& leaf : leaves_) n_without_subset_ += leaf.in_use && !leaf.subset_chosen;
  }
  votes_.assign(class_cap_, 0.0);
  pre_.resize(class_cap_);
  left_.resize(class_cap_);
  right_.resize(class_cap_);
  scratch_.resize(2 * class_cap_);
  subset_.reserve(attr_cap_);
  updated_.reserve(attr_cap_);
  logs_.reserve(attr_cap_);
}

std::string ClassLeaves::describe(uint32_t leaf, const LabelEncoder* labels) const {
  auto label = [labels](ClassId c) {
    return labels != nullptr && c < labels->size() ? labels->name(c) : std::to_string(c);
  };
  std::vector<ClassWeight> stats;
  this->stats(leaf, stats);
  const double total = total_weight(leaf);
  ClassId best = kNoClass;
  double best_w = 0.0;
  for (const auto& e : stats) {
    if (best == kNoClass || e.weight > best_w) {
      best = e.cls;
      best_w = e.weight;
    }
  }
  std::string text = "-> " + (best == kNoClass ? std::string("?") : label(best)) + " (";
  for (size_t i = 0; i < stats.size(); ++i) {
    text += fmt::format("{}{}: {:.4g}", i == 0 ? "" : ", ", label(stats[i].cls),
                        total > 0.0 ? stats[i].weight / total : 0.0);
  }
  text += fmt::format("{}{:.6g} samples)", stats.empty() ? "" : "; ", total);
  return text;
}


}  // namespace rivulet::ml::tree::internal
