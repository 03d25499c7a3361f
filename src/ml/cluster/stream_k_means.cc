#include "rivulet/ml/cluster/stream_k_means.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rivulet::ml {

STREAMKMeans::STREAMKMeans(const Options& options)
    : options_(options), main_(options.k_means), chunk_k_means_(options.k_means) {}

Result<std::unique_ptr<STREAMKMeans>> STREAMKMeans::create(const Options& options) {
  if (options.chunk_size < 1) {
    return Status::invalid_argument(
        fmt::format("cluster.STREAMKMeans: chunk_size must be >= 1, got {}", options.chunk_size));
  }
  auto check = KMeans::create(options.k_means);
  if (!check.ok()) {
    return Status::invalid_argument(
        fmt::format("cluster.STREAMKMeans: {}", check.status().message().substr(16)));
  }
  return std::make_unique<STREAMKMeans>(options);
}

Result<std::unique_ptr<STREAMKMeans>> STREAMKMeans::from_params(Params& p) {
  Options o;
  KMeans::Options& k = o.k_means;
  o.chunk_size = static_cast<int>(std::clamp<int64_t>(
      p.integer("chunk_size", o.chunk_size, "samples per chunk"), -1, int64_t{1} << 30));
  k.n_clusters = static_cast<int>(std::clamp<int64_t>(
      p.integer("n_clusters", k.n_clusters, "number of clusters"), -1, KMeans::kMaxClusters + 1));
  k.halflife = p.number("halflife", k.halflife, "KMeans: share of the distance a center moves");
  k.mu = p.number("mu", k.mu, "KMeans: mean of the initial coordinates");
  k.sigma = p.number("sigma", k.sigma, "KMeans: deviation of the initial coordinates");
  k.p = p.number("p", k.p, "KMeans: power of the Minkowski distance");
  k.seed = p.seed(k.seed, "seed of every KMeans (CPython's random.Random, as River)");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(o);
}

void STREAMKMeans::attach(const ModelContext& context) {
  Clusterer::attach(context);
  main_.attach(context);
  chunk_k_means_.attach(context);
}

void STREAMKMeans::learn_one(const Features& x) {
  ++time_stamp_;
  const auto size = static_cast<uint64_t>(options_.chunk_size);
  const uint64_t index = time_stamp_ % size;
  // River's _temp_chunk: restarted at index 1, full at index 0.
  if (index == 1 || size == 1) chunk_used_ = 0;
  const size_t position = index == 0 ? size - 1 : index - 1;
  if (chunk_.size() <= position) chunk_.resize(position + 1);
  chunk_[position] = x;
  chunk_used_ = std::max(chunk_used_, position + 1);
  if (index != 0) return;
  chunk_k_means_.reset();
  for (size_t i = 0; i < chunk_used_; ++i) chunk_k_means_.learn_one(chunk_[i]);
  for (int c = 0; c < chunk_k_means_.n_clusters(); ++c) {
    chunk_k_means_.center(c, center_);
    main_.learn_one(center_);
  }
}

int STREAMKMeans::predict_one(const Features& x) const {
  const std::vector<FeatureIndex>& known = main_.features();
  const size_t bound = std::max<size_t>(x.index_bound(), known.empty() ? 0 : known.back() + 1);
  if (x_has_.size() < bound) {
    x_has_.resize(bound, 0);
    x_dense_.resize(bound, 0.0);
  }
  for (const auto& [i, v] : x) {
    x_has_[i] = 1;
    x_dense_[i] = v;
  }
  // minkowski_distance(center, x, 2) over {*center.keys(), *x.keys()} in index order: the known
  // features merged with x's others.
  int best = 0;
  double best_distance = 0.0;
  for (int c = 0; c < main_.n_clusters(); ++c) {
    double distance = 0.0;
    size_t a = 0;
    for (FeatureIndex f = 0; f < bound; ++f) {
      const bool in_center = a < known.size() && known[a] == f;
      if (!in_center && x_has_[f] == 0) continue;
      const double cv = in_center ? main_.center(c, f) : 0.0;
      const double xv = x_has_[f] != 0 ? x_dense_[f] : 0.0;
      distance += std::pow(std::abs(cv - xv), 2.0);
      if (in_center) ++a;
    }
    if (c == 0 || distance < best_distance) {
      best = c;
      best_distance = distance;
    }
  }
  for (const auto& f : x) {
    x_has_[f.index] = 0;
    x_dense_[f.index] = 0.0;
  }
  return best;
}

void STREAMKMeans::save(StateWriter& out) const {
  main_.save(out);
  out(time_stamp_, static_cast<uint64_t>(chunk_used_));
  for (size_t i = 0; i < chunk_used_; ++i) {
    out(static_cast<uint64_t>(chunk_[i].size()));
    for (const auto& [f, v] : chunk_[i]) out(f, v);
  }
}

void STREAMKMeans::load(StateReader& in) {
  main_.load(in);
  uint64_t used = 0;
  in(time_stamp_, used);
  if (used > static_cast<uint64_t>(options_.chunk_size)) {
    throw cereal::Exception("cluster.STREAMKMeans: state saved with another chunk_size");
  }
  chunk_used_ = static_cast<size_t>(used);
  chunk_.resize(std::max(chunk_.size(), chunk_used_));
  for (size_t i = 0; i < chunk_used_; ++i) {
    uint64_t n = 0;
    in(n);
    if (n > (uint64_t{1} << 32)) throw cereal::Exception("cluster.STREAMKMeans: corrupt chunk");
    chunk_[i].clear();
    for (uint64_t j = 0; j < n; ++j) {
      FeatureIndex f = 0;
      double v = 0.0;
      in(f, v);
      chunk_[i].push(f, v);
    }
  }
}

void STREAMKMeans::describe(Description& out) const {
  out.add("samples", std::to_string(time_stamp_));
  out.add("chunk",
          fmt::format("{} of {} samples", chunk_used_ % static_cast<size_t>(options_.chunk_size),
                      options_.chunk_size));
  main_.describe(out);
}

}  // namespace rivulet::ml
