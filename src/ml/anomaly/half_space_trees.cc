#include "rivulet/ml/anomaly/half_space_trees.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string_view>

namespace rivulet::ml {
namespace {

constexpr double kPadding = 0.15;  // River's padding: thresholds avoid the outer 15% of a range
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view s, double& out) {
  const std::string text(trim(s));
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

// 'name=lo..hi, name2=lo..hi' -> ranges.
Result<std::vector<HalfSpaceTrees::Range>> parse_limits(std::string_view text) {
  std::vector<HalfSpaceTrees::Range> out;
  while (!trim(text).empty()) {
    const size_t comma = text.find(',');
    const std::string_view entry = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const size_t eq = entry.rfind('=');
    const size_t dots = eq == std::string_view::npos ? eq : entry.find("..", eq + 1);
    HalfSpaceTrees::Range r;
    if (eq == std::string_view::npos || dots == std::string_view::npos ||
        trim(entry.substr(0, eq)).empty() ||
        !parse_number(entry.substr(eq + 1, dots - eq - 1), r.lo) ||
        !parse_number(entry.substr(dots + 2), r.hi)) {
      return Status::invalid_argument(fmt::format(
          "anomaly.HalfSpaceTrees: limits entry '{}' is not of the form name=lo..hi", entry));
    }
    if (!(r.lo < r.hi)) {
      return Status::invalid_argument(
          fmt::format("anomaly.HalfSpaceTrees: limits of '{}' must have lo < hi, got {}..{}",
                      trim(entry.substr(0, eq)), r.lo, r.hi));
    }
    r.feature = std::string(trim(entry.substr(0, eq)));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace

std::string HalfSpaceTrees::name_of(FeatureIndex i) const {
  const FeatureSpace* space = context_.space;
  return space != nullptr && i < space->size() ? space->name(i) : fmt::format("#{}", i);
}

HalfSpaceTrees::HalfSpaceTrees(Options options, std::vector<Range> limits)
    : options_(std::move(options)), limits_(std::move(limits)), rng_(options_.seed) {}

Result<std::unique_ptr<HalfSpaceTrees>> HalfSpaceTrees::create(Options options) {
  if (options.n_trees < 1) {
    return Status::invalid_argument(
        fmt::format("anomaly.HalfSpaceTrees: n_trees must be >= 1, got {}", options.n_trees));
  }
  if (options.height < 0 || options.height > kMaxHeight) {
    return Status::invalid_argument(fmt::format(
        "anomaly.HalfSpaceTrees: height must be in [0, {}], got {}", kMaxHeight, options.height));
  }
  if (options.window_size < 1) {
    return Status::invalid_argument(fmt::format(
        "anomaly.HalfSpaceTrees: window_size must be >= 1, got {}", options.window_size));
  }
  auto limits = parse_limits(options.limits);
  if (!limits.ok()) return limits.status();
  return std::make_unique<HalfSpaceTrees>(std::move(options), std::move(limits).value());
}

Result<std::unique_ptr<HalfSpaceTrees>> HalfSpaceTrees::from_params(Params& p) {
  Options o;
  o.n_trees = static_cast<int>(
      std::clamp<int64_t>(p.integer("n_trees", o.n_trees, "number of trees"), -1, 1 << 20));
  o.height = static_cast<int>(std::clamp<int64_t>(
      p.integer("height", o.height, "height of each tree (2^(height+1) - 1 nodes)"), -1,
      kMaxHeight + 1));
  o.window_size = static_cast<int>(std::clamp<int64_t>(
      p.integer("window_size", o.window_size, "samples per window of the mass profiles"), -1,
      int64_t{1} << 30));
  o.limits =
      p.string("limits", "", "feature ranges 'name=lo..hi, ...' (River's dict); unlisted: [0, 1]");
  o.seed = p.seed(o.seed, "seed of the trees (CPython's random.Random, as River)");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

double HalfSpaceTrees::max_score() const {
  return static_cast<double>(options_.n_trees) * static_cast<double>(options_.window_size) *
         static_cast<double>(n_nodes());
}

void HalfSpaceTrees::build_node(std::vector<uint32_t>& slot, std::vector<double>& threshold,
                                size_t node, int height) {
  if (height == 0) return;
  // River's make_padded_tree: a feature drawn in proportion to the width of its current range,
  // a threshold in the middle of it; the range narrows down each side.
  for (size_t i = 0; i < bounds_.size(); ++i) weights_[i] = bounds_[i].second - bounds_[i].first;
  const size_t on = rng_.choice(weights_, cumulative_);
  const double a = bounds_[on].first, b = bounds_[on].second;
  const double at = rng_.uniform(a + kPadding * (b - a), b - kPadding * (b - a));
  slot[node] = static_cast<uint32_t>(on);
  threshold[node] = at;
  bounds_[on] = {a, at};
  build_node(slot, threshold, 2 * node + 1, height - 1);
  bounds_[on] = {at, b};
  build_node(slot, threshold, 2 * node + 2, height - 1);
  bounds_[on] = {a, b};
}

void HalfSpaceTrees::build_trees(const Features& x) {
  features_.clear();
  for (const auto& f : x) features_.push_back(f.index);
  std::sort(features_.begin(), features_.end());
  slot_of_.assign(features_.empty() ? 0 : features_.back() + 1, -1);
  for (size_t s = 0; s < features_.size(); ++s) slot_of_[features_[s]] = static_cast<int32_t>(s);
  bounds_.assign(features_.size(), {0.0, 1.0});
  weights_.assign(features_.size(), 0.0);
  cumulative_.assign(features_.size(), 0.0);
  const size_t branches = n_branches(), nodes = n_nodes();
  split_slot_.assign(static_cast<size_t>(options_.n_trees) * branches, 0);
  split_at_.assign(static_cast<size_t>(options_.n_trees) * branches, 0.0);
  l_mass_.assign(static_cast<size_t>(options_.n_trees) * nodes, 0);
  r_mass_.assign(static_cast<size_t>(options_.n_trees) * nodes, 0);
  std::vector<uint32_t> slot(branches);
  std::vector<double> threshold(branches);
  for (int t = 0; t < options_.n_trees; ++t) {
    // Each tree starts from the given limits, [0, 1] for the unlisted features.
    for (size_t s = 0; s < features_.size(); ++s) {
      bounds_[s] = {0.0, 1.0};
      if (limits_.empty()) continue;
      const std::string name = name_of(features_[s]);
      for (const auto& r : limits_) {
        if (r.feature == name) bounds_[s] = {r.lo, r.hi};
      }
    }
    build_node(slot, threshold, 0, options_.height);
    std::copy(slot.begin(), slot.end(), split_slot_.begin() + static_cast<ptrdiff_t>(t * branches));
    std::copy(threshold.begin(), threshold.end(),
              split_at_.begin() + static_cast<ptrdiff_t>(t * branches));
  }
  built_ = true;
}

void HalfSpaceTrees::gather(const Features& x) const {
  values_.assign(features_.size(), kNaN);
  for (const auto& [i, v] : x) {
    if (i < slot_of_.size() && slot_of_[i] >= 0) values_[static_cast<size_t>(slot_of_[i])] = v;
  }
}

void HalfSpaceTrees::learn_one(const Features& x) {
  if (!built_) {
    // River draws a feature for every branch; with none to draw from it cannot build (it
    // raises), so samples without features wait for one that has some.
    if (x.empty() && options_.height > 0) return;
    build_trees(x);
  }
  gather(x);
  const size_t branches = n_branches(), nodes = n_nodes();
  for (size_t t = 0; t < static_cast<size_t>(options_.n_trees); ++t) {
    uint32_t* l = l_mass_.data() + t * nodes;
    const uint32_t* slot = split_slot_.data() + t * branches;
    const double* at = split_at_.data() + t * branches;
    size_t node = 0;
    for (;;) {
      ++l[node];
      if (node >= branches) break;
      const double v = values_[slot[node]];
      const size_t left = 2 * node + 1, right = left + 1;
      if (std::isnan(v)) {
        node = l[left] < l[right] ? right : left;  // absent: the busier child
      } else {
        node = v < at[node] ? left : right;
      }
    }
  }
  if (++counter_ == static_cast<uint32_t>(options_.window_size)) {
    r_mass_.swap(l_mass_);
    std::fill(l_mass_.begin(), l_mass_.end(), 0u);
    first_window_ = false;
    counter_ = 0;
  }
}

double HalfSpaceTrees::score_one(const Features& x) const {
  if (first_window_) return 0.0;
  gather(x);
  const double size_limit = 0.1 * options_.window_size;
  const size_t branches = n_branches(), nodes = n_nodes();
  double score = 0.0;
  for (size_t t = 0; t < static_cast<size_t>(options_.n_trees); ++t) {
    const uint32_t* l = l_mass_.data() + t * nodes;
    const uint32_t* r = r_mass_.data() + t * nodes;
    const uint32_t* slot = split_slot_.data() + t * branches;
    const double* at = split_at_.data() + t * branches;
    size_t node = 0;
    for (int depth = 0;; ++depth) {
      // Integer terms, summed exactly as River's floats sum them (well below 2^53).
      score += static_cast<double>(r[node]) * static_cast<double>(uint64_t{1} << depth);
      if (r[node] < size_limit || node >= branches) break;
      const double v = values_[slot[node]];
      const size_t left = 2 * node + 1, right = left + 1;
      if (std::isnan(v)) {
        node = l[left] < l[right] ? right : left;
      } else {
        node = v < at[node] ? left : right;
      }
    }
  }
  score /= max_score();
  return 1.0 - score;
}

void HalfSpaceTrees::save(StateWriter& out) const {
  out(built_, features_, split_slot_, split_at_, l_mass_, r_mass_, counter_, first_window_, rng_);
}

void HalfSpaceTrees::load(StateReader& in) {
  in(built_, features_, split_slot_, split_at_, l_mass_, r_mass_, counter_, first_window_, rng_);
  const size_t trees = static_cast<size_t>(options_.n_trees);
  if (built_ &&
      (split_slot_.size() != trees * n_branches() || split_at_.size() != trees * n_branches() ||
       l_mass_.size() != trees * n_nodes() || r_mass_.size() != trees * n_nodes())) {
    throw cereal::Exception("anomaly.HalfSpaceTrees: state saved with other n_trees or height");
  }
  for (uint32_t s : split_slot_) {
    if (s >= features_.size()) throw cereal::Exception("anomaly.HalfSpaceTrees: corrupt split");
  }
  for (size_t s = 1; s < features_.size(); ++s) {
    if (features_[s - 1] >= features_[s])
      throw cereal::Exception("anomaly.HalfSpaceTrees: corrupt features");
  }
  slot_of_.assign(features_.empty() ? 0 : features_.back() + 1, -1);
  for (size_t s = 0; s < features_.size(); ++s) slot_of_[features_[s]] = static_cast<int32_t>(s);
  bounds_.assign(features_.size(), {0.0, 1.0});
  weights_.assign(features_.size(), 0.0);
  cumulative_.assign(features_.size(), 0.0);
}

void HalfSpaceTrees::describe(Description& out) const {
  out.add("trees", fmt::format("{} of height {} ({} nodes each)", options_.n_trees, options_.height,
                               n_nodes()));
  std::string names;
  for (FeatureIndex f : features_) {
    if (!names.empty()) names += ", ";
    names += name_of(f);
  }
  out.add("features", built_ ? names : "(trees not built yet)");
  out.add("window", fmt::format("{} of {} samples{}", counter_, options_.window_size,
                                first_window_ ? " (first window: scores are 0)" : ""));
}

}  // namespace rivulet::ml
