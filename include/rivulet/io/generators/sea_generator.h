#pragma once
/// River's `datasets.synth.SEA` (Street and Kim, "A streaming ensemble algorithm (SEA) for
/// large-scale classification", KDD 2001): three features uniform in [0, 10), of which the first
/// two decide the label, `x0 + x1 > threshold` with the threshold of the variant (0: 8, 1: 9,
/// 2: 7, 3: 9.5); with `noise`, that share of labels is flipped. Drift is a change of variant.
/// Draws from Python's `random.Random(seed)` as River does (core/python_random.h), so the same
/// seed gives River's samples, digit for digit.
/// Emits `{"x0": float, "x1": float, "x2": float, "y": bool}` (River's keys 0, 1, 2 and its y).
/// Thread safety: none.
/// ```cpp example
/// auto sea = rivulet::io::SeaGenerator::create({.variant = 0, .seed = 42}).value();
/// std::string line;
/// sea->next(line);
/// sea->next(line);  // River's docstring: {0: 2.23210, 1: 7.36471, 2: 6.76699} True
/// EXPECT_EQ(line.substr(line.find('\n') + 1),
///           "{\"x0\":2.2321073814882277,\"x1\":7.364712141640124,"
///           "\"x2\":6.766994874229113,\"y\":true}\n");
/// ```

#include <cstdint>
#include <memory>
#include <string>

#include "rivulet/core/python_random.h"
#include "rivulet/io/generators/generator.h"

namespace rivulet::io {

class SeaGenerator final : public Generator {
 public:
  struct Options {
    int64_t variant = 0;  ///< Classification function. REQUIRES: 0, 1, 2 or 3.
    double noise = 0.0;   ///< Share of labels flipped. REQUIRES: in [0, 1].
    uint64_t seed = 42;   ///< Seed of random.Random.
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails.
  static Result<std::unique_ptr<SeaGenerator>> create(const Options& options);
  /// Reads River's signature `SEA(variant=0, noise=0.0, seed=None)`.
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "sea"; }
  std::string spec() const override;

 private:
  explicit SeaGenerator(const Options& options);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  Options options_;
  double threshold_;
  PythonRandom rng_;
};

}  // namespace rivulet::io
