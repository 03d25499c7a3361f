#include "rivulet/ml/cluster/k_means.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rivulet::ml {

KMeans::KMeans(const Options& options) : options_(options), rng_(options.seed) {}

Result<std::unique_ptr<KMeans>> KMeans::create(const Options& options) {
  if (options.n_clusters < 1 || options.n_clusters > kMaxClusters) {
    return Status::invalid_argument(fmt::format(
        "cluster.KMeans: n_clusters must be in [1, {}], got {}", kMaxClusters, options.n_clusters));
  }
  if (!std::isfinite(options.halflife)) {
    return Status::invalid_argument(
        fmt::format("cluster.KMeans: halflife must be a finite number, got {}", options.halflife));
  }
  if (!std::isfinite(options.mu)) {
    return Status::invalid_argument(
        fmt::format("cluster.KMeans: mu must be finite, got {}", options.mu));
  }
  if (!std::isfinite(options.sigma) || options.sigma < 0) {
    return Status::invalid_argument(
        fmt::format("cluster.KMeans: sigma must be >= 0 and finite, got {}", options.sigma));
  }
  if (!std::isfinite(options.p) || options.p <= 0) {
    return Status::invalid_argument(
        fmt::format("cluster.KMeans: p must be > 0 and finite, got {}", options.p));
  }
  return std::make_unique<KMeans>(options);
}

Result<std::unique_ptr<KMeans>> KMeans::from_params(Params& p) {
  Options o;
  o.n_clusters = static_cast<int>(std::clamp<int64_t>(
      p.integer("n_clusters", o.n_clusters, "number of clusters"), -1, kMaxClusters + 1));
  o.halflife = p.number("halflife", o.halflife, "share of the distance a center moves toward x");
  o.mu = p.number("mu", o.mu, "mean of the normal law of the initial coordinates");
  o.sigma = p.number("sigma", o.sigma, "deviation of the normal law of the initial coordinates");
  o.p = p.number("p", o.p, "power of the Minkowski distance (1: Manhattan, 2: Euclidean)");
  o.seed = p.seed(o.seed, "seed of the initial coordinates (CPython's random.Random, as River)");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void KMeans::reset() {
  rng_.reseed(options_.seed);
  known_.clear();
  features_.clear();
  centers_.clear();
}

void KMeans::collect_new(const Features& x) const {
  new_.clear();
  for (const auto& f : x) {
    if (f.index >= known_.size() || known_[f.index] == 0) new_.push_back(f.index);
  }
  std::sort(new_.begin(), new_.end());
}

int KMeans::closest(const Features& x, const double* drawn) const {
  // x scattered by index; entries are cleared again below, so the buffers stay all-zero.
  const size_t bound = std::max<size_t>(x.index_bound(), known_.size());
  if (x_has_.size() < bound) {
    x_has_.resize(bound, 0);
    x_dense_.resize(bound, 0.0);
  }
  for (const auto& [i, v] : x) {
    x_has_[i] = 1;
    x_dense_[i] = v;
  }
  const size_t k = static_cast<size_t>(options_.n_clusters), m = new_.size();
  int best = 0;
  double best_distance = 0.0;
  for (size_t c = 0; c < k; ++c) {
    // River's sum over {*center.keys(), *x.keys()}: every known feature and x's new ones, in
    // index order (Python's set order for small integer keys), starting from 0.
    double distance = 0.0;
    size_t a = 0, b = 0;
    while (a < features_.size() || b < m) {
      const bool take_known = b == m || (a < features_.size() && features_[a] < new_[b]);
      const FeatureIndex f = take_known ? features_[a] : new_[b];
      const double cv = take_known ? center(static_cast<int>(c), f) : drawn[c * m + b];
      const double xv = x_has_[f] != 0 ? x_dense_[f] : 0.0;
      distance += std::pow(std::abs(cv - xv), options_.p);
      take_known ? ++a : ++b;
    }
    // min(centers, key=distance): the first smallest (a NaN first distance stays, as in Python).
    if (c == 0 || distance < best_distance) {
      best = static_cast<int>(c);
      best_distance = distance;
    }
  }
  for (const auto& f : x) {
    x_has_[f.index] = 0;
    x_dense_[f.index] = 0.0;
  }
  return best;
}

int KMeans::predict_one(const Features& x) const {
  collect_new(x);
  if (new_.empty()) return closest(x, nullptr);
  // The coordinates learn_one would draw for x's new features, drawn from a copy of the stream.
  peek_ = rng_;
  const size_t k = static_cast<size_t>(options_.n_clusters), m = new_.size();
  drawn_.resize(k * m);
  for (size_t c = 0; c < k; ++c) {
    for (size_t j = 0; j < m; ++j) drawn_[c * m + j] = peek_.gauss(options_.mu, options_.sigma);
  }
  return closest(x, drawn_.data());
}

void KMeans::learn_one(const Features& x) {
  collect_new(x);
  const size_t k = static_cast<size_t>(options_.n_clusters);
  if (!new_.empty()) {
    const size_t bound = static_cast<size_t>(new_.back()) + 1;
    if (bound > known_.size()) {
      known_.resize(bound, 0);
      centers_.resize(bound * k, 0.0);
    }
    for (size_t c = 0; c < k; ++c) {
      for (FeatureIndex f : new_) centers_[f * k + c] = rng_.gauss(options_.mu, options_.sigma);
    }
    for (FeatureIndex f : new_) known_[f] = 1;
    const size_t old = features_.size();
    features_.insert(features_.end(), new_.begin(), new_.end());
    std::inplace_merge(features_.begin(), features_.begin() + static_cast<ptrdiff_t>(old),
                       features_.end());
    new_.clear();
  }
  const size_t c = static_cast<size_t>(closest(x, nullptr));
  for (const auto& [i, xi] : x) {
    double& coordinate = centers_[i * k + c];
    coordinate += options_.halflife * (xi - coordinate);
  }
}

void KMeans::center(int c, Features& out) const {
  out.clear();
  for (FeatureIndex f : features_) out.push(f, center(c, f));
}

void KMeans::save(StateWriter& out) const { out(rng_, known_, centers_); }

void KMeans::load(StateReader& in) {
  in(rng_, known_, centers_);
  if (centers_.size() != known_.size() * static_cast<size_t>(options_.n_clusters)) {
    throw cereal::Exception("cluster.KMeans: state saved with another n_clusters");
  }
  features_.clear();
  for (FeatureIndex f = 0; f < known_.size(); ++f) {
    if (known_[f] != 0) features_.push_back(f);
  }
}

void KMeans::describe(Description& out) const {
  out.add("clusters", std::to_string(options_.n_clusters));
  for (int c = 0; c < options_.n_clusters; ++c) {
    std::string text;
    constexpr size_t kShown = 20;  // a line per center stays readable
    for (size_t j = 0; j < features_.size() && j < kShown; ++j) {
      if (!text.empty()) text += ", ";
      text += fmt::format("{}: {:.6g}", feature_name(features_[j]), center(c, features_[j]));
    }
    if (features_.size() > kShown) text += fmt::format(", ... ({} features)", features_.size());
    out.add(fmt::format("center[{}]", c), text.empty() ? "(no feature seen yet)" : text);
  }
}

}  // namespace rivulet::ml
