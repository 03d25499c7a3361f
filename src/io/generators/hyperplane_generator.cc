#include "rivulet/io/generators/hyperplane_generator.h"

#include <fmt/format.h>

#include "io/generators/json_line.h"
#include "io/generators/numpy_sum.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {
namespace {

bool in_unit(double v) { return v >= 0.0 && v <= 1.0; }

}  // namespace

Result<std::unique_ptr<HyperplaneGenerator>> HyperplaneGenerator::create(const Options& o) {
  if (o.seed > 0xffffffffu) {
    return Status::invalid_argument(fmt::format(
        "hyperplane: seed must be below 2^32, as numpy's RandomState requires (got {})", o.seed));
  }
  if (o.n_features < 1 || o.n_features > 100000) {
    return Status::invalid_argument(
        fmt::format("hyperplane: n_features must be in [1, 100000] (got {})", o.n_features));
  }
  if (o.n_drift_features < 0 || o.n_drift_features > o.n_features) {
    return Status::invalid_argument(
        fmt::format("hyperplane: n_drift_features must be in [0, n_features = {}] (got {})",
                    o.n_features, o.n_drift_features));
  }
  if (!in_unit(o.mag_change)) {
    return Status::invalid_argument(
        fmt::format("hyperplane: mag_change must be in [0, 1] (got {})", o.mag_change));
  }
  if (!in_unit(o.noise_percentage)) {
    return Status::invalid_argument(
        fmt::format("hyperplane: noise_percentage must be in [0, 1] (got {})", o.noise_percentage));
  }
  if (!in_unit(o.sigma)) {
    return Status::invalid_argument(
        fmt::format("hyperplane: sigma must be in [0, 1] (got {})", o.sigma));
  }
  return std::unique_ptr<HyperplaneGenerator>(new HyperplaneGenerator(o));
}

Result<std::unique_ptr<Generator>> HyperplaneGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.seed = p.seed("seed", "seed of numpy's RandomState");
  o.n_features = p.integer("n_features", o.n_features, "number of features");
  o.n_drift_features =
      p.integer("n_drift_features", o.n_drift_features, "features whose weight drifts");
  o.mag_change = p.number("mag_change", o.mag_change, "weight change per sample (0: no drift)");
  o.noise_percentage = p.number("noise_percentage", o.noise_percentage, "share of labels flipped");
  o.sigma = p.number("sigma", o.sigma, "probability that a drift direction reverses");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

HyperplaneGenerator::HyperplaneGenerator(const Options& o)
    : options_(o), rng_(static_cast<uint32_t>(o.seed)) {
  const auto n = static_cast<size_t>(o.n_features);
  weights_.resize(n);
  for (double& w : weights_) w = rng_.rand();
  direction_.assign(n, 0.0);
  for (size_t i = 0; i < static_cast<size_t>(o.n_drift_features); ++i) direction_[i] = 1.0;
  x_.resize(n);
  keys_.reserve(n);
  for (size_t i = 0; i < n; ++i) keys_.push_back(internal::quoted_key(fmt::format("x{}", i)));
}

std::string HyperplaneGenerator::spec() const {
  return internal::SpecText("hyperplane")
      .add("seed", options_.seed)
      .add("n_features", options_.n_features)
      .add("n_drift_features", options_.n_drift_features)
      .add("mag_change", options_.mag_change)
      .add("noise_percentage", options_.noise_percentage)
      .add("sigma", options_.sigma)
      .str();
}

void HyperplaneGenerator::emit(std::string& line) {
  const double sum_weights = internal::numpy_sum(weights_);
  double sum_value = 0.0;
  const size_t n = weights_.size();
  for (size_t i = 0; i < n; ++i) {
    x_[i] = rng_.rand();
    sum_value += weights_[i] * x_[i];
  }
  int y = sum_value >= sum_weights * 0.5 ? 1 : 0;
  if (0.01 + rng_.rand() <= options_.noise_percentage) y = 1 - y;
  // River's _generate_drift: one draw per drifting feature, even when mag_change is 0.
  for (size_t i = 0; i < static_cast<size_t>(options_.n_drift_features); ++i) {
    weights_[i] += direction_[i] * options_.mag_change;
    if (0.01 + rng_.rand() <= options_.sigma) direction_[i] *= -1.0;
  }
  internal::JsonLine j(line);
  for (size_t i = 0; i < n; ++i) j.number(keys_[i], x_[i]);
  j.integer("\"y\":", y).end();
}

void HyperplaneGenerator::save(StateWriter& out) const { out(rng_, weights_, direction_); }

void HyperplaneGenerator::load(StateReader& in) {
  NumpyRandomState rng;
  std::vector<double> weights, direction;
  in(rng, weights, direction);
  if (weights.size() != weights_.size() || direction.size() != direction_.size()) {
    throw cereal::Exception("hyperplane: state of another size");
  }
  rng_ = rng;
  weights_ = std::move(weights);
  direction_ = std::move(direction);
}

}  // namespace rivulet::io
