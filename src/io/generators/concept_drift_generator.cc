#include "rivulet/io/generators/concept_drift_generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string_view>
#include <utility>
#include <vector>

#include "io/generators/json_line.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {
namespace {

constexpr int64_t kMaxPosition = int64_t{1} << 53;  // sample numbers stay exact in a double

// The keys of one event, a flat JSON object as the generators write it (no escapes, no nesting).
std::vector<std::string> keys_of(std::string_view line) {
  std::vector<std::string> keys;
  size_t i = line.find('{');
  while (i != std::string_view::npos && i < line.size()) {
    const size_t open = line.find('"', i);
    if (open == std::string_view::npos) break;
    const size_t close = line.find('"', open + 1);
    if (close == std::string_view::npos) break;
    keys.emplace_back(line.substr(open + 1, close - open - 1));
    size_t v = close + 1;
    while (v < line.size() && line[v] != ':') ++v;
    ++v;
    while (v < line.size() && line[v] == ' ') ++v;
    if (v < line.size() && line[v] == '"') {  // a string value
      v = line.find('"', v + 1);
      if (v == std::string_view::npos) break;
      ++v;
    }
    i = line.find_first_of(",}", v);
    if (i == std::string_view::npos || line[i] == '}') break;
  }
  return keys;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// The sorted fields of the first event of `g`, drawn from a copy built from its canonical spec
// (so `g` does not move).
Result<std::vector<std::string>> first_fields(const Generator& g) {
  RIVULET_ASSIGN_OR_RETURN(auto probe, Generator::create(g.spec()));
  std::string line;
  probe->next(line);
  auto keys = keys_of(line);
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

Result<std::unique_ptr<ConceptDriftGenerator>> ConceptDriftGenerator::create(const Options& o) {
  if (o.seed > 0xffffffffu) {
    return Status::invalid_argument(fmt::format(
        "concept_drift: seed must be below 2^32, as numpy's RandomState requires (got {})",
        o.seed));
  }
  if (o.position < -kMaxPosition || o.position > kMaxPosition) {
    return Status::invalid_argument(
        fmt::format("concept_drift: position must be within +-2^53 (got {})", o.position));
  }
  int64_t width = o.width;
  if (o.alpha.has_value()) {
    const double alpha = *o.alpha;
    if (!(alpha > 0.0 && alpha <= 90.0)) {
      return Status::invalid_argument(
          fmt::format("concept_drift: alpha must be in (0, 90] degrees (got {})", alpha));
    }
    // River: w = int(1 / np.tan(alpha * np.pi / 180)); width = w if w > 0 else 1.
    const double w = 1.0 / std::tan(alpha * std::numbers::pi / 180.0);
    if (!(w < 9.0e15)) {
      return Status::invalid_argument(fmt::format(
          "concept_drift: alpha {} is too small (the width 1 / tan(alpha) is {})", alpha, w));
    }
    width = std::max<int64_t>(static_cast<int64_t>(w), 1);
  } else if (o.width < 1) {
    return Status::invalid_argument(
        fmt::format("concept_drift: width must be at least 1 (got {})", o.width));
  }
  auto stream = Generator::create(o.stream, o.seed);
  if (!stream.ok()) return stream.status().with_context("concept_drift: stream");
  auto drift_stream = Generator::create(o.drift_stream, o.seed);
  if (!drift_stream.ok()) return drift_stream.status().with_context("concept_drift: drift_stream");
  auto fields = first_fields(**stream);
  if (!fields.ok()) return fields.status().with_context("concept_drift: stream");
  auto drift_fields = first_fields(**drift_stream);
  if (!drift_fields.ok()) return drift_fields.status().with_context("concept_drift: drift_stream");
  if (*fields != *drift_fields) {
    return Status::invalid_argument(fmt::format(
        "concept_drift: stream and drift_stream must emit the same fields, but stream {} emits {} "
        "and drift_stream {} emits {}",
        (*stream)->spec(), join(*fields), (*drift_stream)->spec(), join(*drift_fields)));
  }
  return std::unique_ptr<ConceptDriftGenerator>(new ConceptDriftGenerator(
      o, width, std::move(stream).value(), std::move(drift_stream).value()));
}

Result<std::unique_ptr<Generator>> ConceptDriftGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.stream = p.generator_spec("stream", o.stream,
                              "generator before the drift; one without seed= takes seed");
  o.drift_stream = p.generator_spec("drift_stream", o.drift_stream,
                                    "generator after the drift, with the same fields");
  o.position = p.integer("position", o.position, "centre of the change, samples counted from 1");
  o.width = p.integer("width", o.width, "width of the change, in samples");
  o.seed = p.seed("seed", "seed of numpy's RandomState, and of inner generators without one");
  o.alpha = p.optional_number("alpha", "angle of the change in degrees, (0, 90]; replaces width");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

ConceptDriftGenerator::ConceptDriftGenerator(const Options& options, int64_t width,
                                             std::unique_ptr<Generator> stream,
                                             std::unique_ptr<Generator> drift_stream)
    : options_(options),
      width_(width),
      stream_(std::move(stream)),
      drift_stream_(std::move(drift_stream)),
      rng_(static_cast<uint32_t>(options.seed)) {}

std::string ConceptDriftGenerator::spec() const {
  std::string s = "concept_drift(stream=";
  s += stream_->spec();
  s += ", drift_stream=";
  s += drift_stream_->spec();
  s += ", position=";
  internal::append_int(s, options_.position);
  s += ", width=";
  internal::append_int(s, width_);
  s += ", seed=";
  s += std::to_string(options_.seed);
  s += ", alpha=";
  if (options_.alpha.has_value()) {
    internal::append_double(s, *options_.alpha);
  } else {
    s += "None";
  }
  s += ')';
  return s;
}

double ConceptDriftGenerator::drift_probability(uint64_t t) const {
  // River: v = -4.0 * float(sample_idx - position) / float(width); 1.0 / (1.0 + np.exp(v)).
  const double v = -4.0 * static_cast<double>(static_cast<int64_t>(t) - options_.position) /
                   static_cast<double>(width_);
  return 1.0 / (1.0 + std::exp(v));
}

void ConceptDriftGenerator::emit(std::string& line) {
  // position() counts the samples before this one; River's sample_idx starts at 1.
  if (rng_.rand() > drift_probability(position() + 1)) {
    stream_->next(line);
  } else {
    drift_stream_->next(line);
  }
}

void ConceptDriftGenerator::save(StateWriter& out) const {
  out(rng_, stream_->save_state(), drift_stream_->save_state());
}

void ConceptDriftGenerator::load(StateReader& in) {
  NumpyRandomState rng;
  std::string stream_state, drift_state;
  in(rng, stream_state, drift_state);
  // Into fresh generators first, so that a refused state leaves this one unchanged.
  auto stream = Generator::create(stream_->spec());
  auto drift_stream = Generator::create(drift_stream_->spec());
  if (!stream.ok() || !drift_stream.ok()) throw cereal::Exception("concept_drift: bad state");
  const Status s = (*stream)->load_state(stream_state);
  if (!s.ok()) throw cereal::Exception(fmt::format("concept_drift: stream: {}", s.message()));
  const Status d = (*drift_stream)->load_state(drift_state);
  if (!d.ok()) throw cereal::Exception(fmt::format("concept_drift: drift_stream: {}", d.message()));
  rng_ = rng;
  stream_ = std::move(stream).value();
  drift_stream_ = std::move(drift_stream).value();
}

}  // namespace rivulet::io
