#include "rivulet/io/generators/random_rbf_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "io/generators/json_line.h"
#include "io/generators/numpy_sum.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {

Result<std::unique_ptr<RandomRbfGenerator>> RandomRbfGenerator::create(const Options& o) {
  if (o.seed_model > 0xffffffffu || o.seed_sample > 0xffffffffu) {
    return Status::invalid_argument(fmt::format(
        "rbf: seed_model and seed_sample must be below 2^32, as numpy's RandomState requires "
        "(got {} and {})",
        o.seed_model, o.seed_sample));
  }
  if (o.n_classes < 1 || o.n_classes > 0x7fffffff) {
    return Status::invalid_argument(
        fmt::format("rbf: n_classes must be >= 1 (got {})", o.n_classes));
  }
  if (o.n_features < 1 || o.n_features > 100000) {
    return Status::invalid_argument(
        fmt::format("rbf: n_features must be in [1, 100000] (got {})", o.n_features));
  }
  if (o.n_centroids < 1 || o.n_centroids > 1000000) {
    return Status::invalid_argument(
        fmt::format("rbf: n_centroids must be in [1, 1000000] (got {})", o.n_centroids));
  }
  if (!(o.change_speed >= 0.0) || !std::isfinite(o.change_speed)) {
    return Status::invalid_argument(
        fmt::format("rbf: change_speed must be >= 0 (got {})", o.change_speed));
  }
  if (o.n_drift_centroids < 0) {
    return Status::invalid_argument(
        fmt::format("rbf: n_drift_centroids must be >= 0 (got {})", o.n_drift_centroids));
  }
  return std::unique_ptr<RandomRbfGenerator>(new RandomRbfGenerator(o));
}

Result<std::unique_ptr<Generator>> RandomRbfGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.seed_model = p.seed("seed_model", "seed of the centroids");
  o.seed_sample = p.seed("seed_sample", "seed of the samples");
  o.n_classes = p.integer("n_classes", o.n_classes, "number of classes");
  o.n_features = p.integer("n_features", o.n_features, "number of features");
  o.n_centroids = p.integer("n_centroids", o.n_centroids, "number of centroids");
  o.change_speed =
      p.number("change_speed", o.change_speed, "centre movement per sample (0: no drift)");
  o.n_drift_centroids = p.integer("n_drift_centroids", o.n_drift_centroids, "centroids that move");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

RandomRbfGenerator::RandomRbfGenerator(const Options& o)
    : options_(o),
      n_drift_(static_cast<size_t>(std::min(o.n_drift_centroids, o.n_centroids))),
      rng_sample_(static_cast<uint32_t>(o.seed_sample)) {
  const auto nf = static_cast<size_t>(o.n_features);
  const auto nc = static_cast<size_t>(o.n_centroids);
  // River's _generate_centroids: per centroid, its centre, class, deviation and weight.
  NumpyRandomState model(static_cast<uint32_t>(o.seed_model));
  centres_.resize(nc * nf);
  classes_.resize(nc);
  std_devs_.resize(nc);
  weights_.resize(nc);
  for (size_t i = 0; i < nc; ++i) {
    for (size_t j = 0; j < nf; ++j) centres_[i * nf + j] = model.rand();
    classes_[i] = model.randint(o.n_classes);
    std_devs_[i] = model.rand();
    weights_[i] = model.rand();
  }
  // RandomRBFDrift draws the directions from a new RandomState with the same seed.
  model.reseed(static_cast<uint32_t>(o.seed_model));
  speeds_.resize(n_drift_ * nf);
  for (size_t i = 0; i < n_drift_; ++i) {
    double norm = 0.0;
    for (size_t j = 0; j < nf; ++j) {
      const double s = model.rand();
      speeds_[i * nf + j] = s;
      norm += s * s;
    }
    norm = std::sqrt(norm);
    for (size_t j = 0; j < nf; ++j) speeds_[i * nf + j] /= norm;
  }
  offset_.resize(nf);
  keys_.reserve(nf);
  for (size_t j = 0; j < nf; ++j) keys_.push_back(internal::quoted_key(fmt::format("x{}", j)));
}

std::string RandomRbfGenerator::spec() const {
  return internal::SpecText("rbf")
      .add("seed_model", options_.seed_model)
      .add("seed_sample", options_.seed_sample)
      .add("n_classes", options_.n_classes)
      .add("n_features", options_.n_features)
      .add("n_centroids", options_.n_centroids)
      .add("change_speed", options_.change_speed)
      .add("n_drift_centroids", options_.n_drift_centroids)
      .str();
}

void RandomRbfGenerator::emit(std::string& line) {
  const size_t nf = offset_.size();
  if (options_.change_speed != 0.0) {
    for (size_t i = 0; i < n_drift_; ++i) {
      for (size_t j = 0; j < nf; ++j) {
        double& c = centres_[i * nf + j];
        double& s = speeds_[i * nf + j];
        c += s * options_.change_speed;
        if (c > 1 || c < 0) {
          c = c > 1 ? 1.0 : 0.0;
          s = -s;
        }
      }
    }
  }
  // random_index_based_on_weights
  const double val = rng_sample_.rand() * internal::numpy_sum(weights_);
  size_t index = 0;
  double sum = 0.0;
  while (sum <= val && index < weights_.size()) sum += weights_[index++];
  const size_t c = index - 1;
  double magnitude = 0.0;
  for (size_t j = 0; j < nf; ++j) {
    offset_[j] = rng_sample_.rand() * 2.0 - 1.0;
    magnitude += offset_[j] * offset_[j];
  }
  magnitude = std::sqrt(magnitude);
  const double desired = rng_sample_.normal() * std_devs_[c];
  const double scale = desired / magnitude;
  internal::JsonLine out(line);
  for (size_t j = 0; j < nf; ++j) out.number(keys_[j], centres_[c * nf + j] + offset_[j] * scale);
  out.integer("\"y\":", classes_[c]).end();
}

void RandomRbfGenerator::save(StateWriter& out) const { out(rng_sample_, centres_, speeds_); }

void RandomRbfGenerator::load(StateReader& in) {
  NumpyRandomState rng;
  std::vector<double> centres, speeds;
  in(rng, centres, speeds);
  if (centres.size() != centres_.size() || speeds.size() != speeds_.size()) {
    throw cereal::Exception("rbf: state of another size");
  }
  rng_sample_ = rng;
  centres_ = std::move(centres);
  speeds_ = std::move(speeds);
}

}  // namespace rivulet::io
