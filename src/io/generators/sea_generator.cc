#include "rivulet/io/generators/sea_generator.h"

#include <fmt/format.h>

#include "io/generators/json_line.h"
#include "rivulet/io/generators/generator_params.h"

namespace rivulet::io {

Result<std::unique_ptr<SeaGenerator>> SeaGenerator::create(const Options& options) {
  if (options.variant < 0 || options.variant > 3) {
    return Status::invalid_argument(
        fmt::format("sea: variant must be 0, 1, 2 or 3 (got {})", options.variant));
  }
  if (!(options.noise >= 0.0 && options.noise <= 1.0)) {
    return Status::invalid_argument(
        fmt::format("sea: noise must be in [0, 1] (got {})", options.noise));
  }
  return std::unique_ptr<SeaGenerator>(new SeaGenerator(options));
}

Result<std::unique_ptr<Generator>> SeaGenerator::from_params(GeneratorParams& p) {
  Options o;
  o.variant = p.integer("variant", o.variant,
                        "classification function: x0 + x1 > 8 (0), 9 (1), 7 (2), 9.5 (3)");
  o.noise = p.number("noise", o.noise, "share of labels flipped");
  o.seed = p.seed("seed", "seed of random.Random");
  RIVULET_RETURN_IF_ERROR(p.finish());
  RIVULET_ASSIGN_OR_RETURN(auto g, create(o));
  return std::unique_ptr<Generator>(std::move(g));
}

SeaGenerator::SeaGenerator(const Options& options)
    : options_(options),
      threshold_(options.variant == 0   ? 8.0
                 : options.variant == 1 ? 9.0
                 : options.variant == 2 ? 7.0
                                        : 9.5),
      rng_(options.seed) {}

std::string SeaGenerator::spec() const {
  return internal::SpecText("sea")
      .add("variant", options_.variant)
      .add("noise", options_.noise)
      .add("seed", options_.seed)
      .str();
}

void SeaGenerator::emit(std::string& line) {
  const double x0 = rng_.uniform(0.0, 10.0);
  const double x1 = rng_.uniform(0.0, 10.0);
  const double x2 = rng_.uniform(0.0, 10.0);
  bool y = x0 + x1 > threshold_;
  if (options_.noise != 0.0 && rng_.random() < options_.noise) y = !y;
  internal::JsonLine j(line);
  j.number("\"x0\":", x0).number("\"x1\":", x1).number("\"x2\":", x2).boolean("\"y\":", y).end();
}

void SeaGenerator::save(StateWriter& out) const { out(rng_); }
void SeaGenerator::load(StateReader& in) {
  PythonRandom rng;
  in(rng);
  rng_ = rng;
}

}  // namespace rivulet::io
