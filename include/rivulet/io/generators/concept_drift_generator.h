#pragma once
/// River 0.12.1's `datasets.synth.ConceptDriftStream`: two generators joined by a gradual concept
/// drift. Sample t (counted from 1) comes from `drift_stream` with the probability of a sigmoid,
/// f(t) = 1 / (1 + exp(-4 (t - position) / width)), and from `stream` otherwise; each inner
/// generator advances only when it is picked, so both keep their own sequences. `alpha`, when
/// given, replaces the width by int(1 / tan(alpha degrees)), at least 1, as in River.
///
/// The pick draws `rand() > f(t)` from numpy's legacy `RandomState(seed)` (numpy_random.h), as
/// River 0.12.1 does (later River versions draw from Python's `random.Random`, and their
/// docstring shows another interleaving for the same seed). The inner generators are given as
/// nested specs and keep their own seeds; one without a `seed=` takes this generator's seed, and
/// the defaults are River's, `Agrawal(seed=seed)` before and `Agrawal(seed=seed,
/// classification_function=2)` after the drift. So with explicit inner seeds the stream is River's,
/// digit for digit, wherever the inner generators are River's. Both inner generators must emit
/// the same fields (their first events are compared when the generator is built), as River
/// requires the same number of features. Nest it for several drifts:
/// `concept_drift(stream=concept_drift(...), drift_stream=..., position=20000)`.
/// Emits the events of the inner generators unchanged. Thread safety: none.
/// ```cpp example
/// // River 0.12.1's docstring: ConceptDriftStream(stream=SEA(seed=42, variant=0),
/// //   drift_stream=SEA(seed=42, variant=1), seed=1, position=5, width=2): samples 1 and 2 come
/// //   from stream, 3 is the drift stream's first (its x equal stream's first, y by variant 1).
/// auto g = rivulet::io::Generator::create(
///              "concept_drift(stream=sea(variant=0, seed=42), drift_stream=sea(variant=1, "
///              "seed=42), position=5, width=2, seed=1)")
///              .value();
/// std::string line;
/// for (int i = 0; i < 3; ++i) g->next(line);
/// EXPECT_EQ(line.substr(line.rfind('{', line.size() - 2)),
///           "{\"x0\":6.394267984578837,\"x1\":0.25010755222666936,"
///           "\"x2\":2.7502931836911926,\"y\":false}\n");
/// EXPECT_FALSE(rivulet::io::Generator::create("concept_drift(stream=sea, drift_stream=agrawal)")
///                  .ok());  // other fields
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "rivulet/io/generators/generator.h"
#include "rivulet/io/generators/numpy_random.h"

namespace rivulet::io {

class ConceptDriftGenerator final : public Generator {
 public:
  struct Options {
    /// Spec of the generator before the drift; without `seed=` it takes `seed`.
    /// REQUIRES: a valid generator spec.
    std::string stream = "agrawal";
    /// Spec of the generator after the drift, as `stream`. REQUIRES: a valid generator spec
    /// whose events have the same fields as those of `stream`.
    std::string drift_stream = "agrawal(classification_function=2)";
    /// Centre of the change, in samples counted from 1. REQUIRES: within +-2^53.
    int64_t position = 5000;
    /// Width of the change, in samples. REQUIRES: >= 1 (unless alpha is set).
    int64_t width = 1000;
    /// Seed of RandomState, and of the inner specs without one. REQUIRES: < 2^32.
    uint64_t seed = 42;
    /// Angle of the change in degrees; when set, width = max(1, int(1 / tan(alpha))).
    /// REQUIRES: unset or in (0, 90].
    std::optional<double> alpha = std::nullopt;
  };
  /// Errors: kInvalidArgument if a REQUIRES clause fails (an inner spec's own error comes with
  /// `concept_drift: stream: ` or `concept_drift: drift_stream: ` in front).
  static Result<std::unique_ptr<ConceptDriftGenerator>> create(const Options& options);
  /// Reads River's signature `ConceptDriftStream(stream=None, drift_stream=None, position=5000,
  /// width=1000, seed=None, alpha=None)`.
  static Result<std::unique_ptr<Generator>> from_params(GeneratorParams& p);

  std::string_view kind() const override { return "concept_drift"; }
  /// `concept_drift(stream=<its canonical spec>, drift_stream=<...>, position=5000, width=1000,
  /// seed=42, alpha=None)`; width is the one in use (from alpha when alpha is set).
  std::string spec() const override;

  /// The probability that sample t (counted from 1) comes from the drift stream.
  double drift_probability(uint64_t t) const;

 private:
  ConceptDriftGenerator(const Options& options, int64_t width, std::unique_ptr<Generator> stream,
                        std::unique_ptr<Generator> drift_stream);
  void emit(std::string& line) override;
  void save(StateWriter& out) const override;
  void load(StateReader& in) override;

  Options options_;
  int64_t width_;  // in use
  std::unique_ptr<Generator> stream_;
  std::unique_ptr<Generator> drift_stream_;
  NumpyRandomState rng_;
};

}  // namespace rivulet::io
