#pragma once
/// Built-in event generators: seeded, deterministic streams of JSON objects, one per call, for
/// demos, tests and benchmarks (`rivulet gen`, and the pipelines' generator source).
///
/// Kinds (`rivulet gen --list`, docs/generators.md): River's classic streams `sea`, `hyperplane`,
/// `agrawal` and `rbf` (same parameters as River 0.12.1's `datasets.synth`, and the same samples
/// for the same seed), River's `concept_drift` (ConceptDriftStream: one stream giving way to
/// another around a position, `concept_drift(stream=sea(variant=0), drift_stream=sea(variant=3),
/// position=5000, width=1000)`), and two application streams of our own, `transactions` (card
/// payments with a drifting fraud pattern and chargeback labels arriving later) and `sensors`
/// (machine readings with drifting wear and failures).
///
/// A generator is built from a spec written as River writes a constructor call,
/// `hyperplane(n_features=10, mag_change=0.001)`; arguments may also be positional, in the order
/// of River's signature. The seed comes from the spec's `seed=` when it has one, else from the
/// `seed` argument of create().
///
/// next() appends one event, a JSON object followed by '\n', to the caller's buffer; in steady
/// state it allocates nothing (a caller that clears and reuses its buffer allocates nothing
/// either). position() counts the events emitted. A generator resumes where it stopped either by
/// saving its state (save_state()/load_state(): the random generator, the drifting concept and,
/// for `transactions`, the labels still waiting) or, more slowly, by skip(n) on a fresh one.
/// Thread safety: none; one generator per thread.
/// ```cpp example
/// auto sea = rivulet::io::Generator::create("sea(variant=0)", 42).value();
/// std::string line;
/// sea->next(line);  // River: synth.SEA(variant=0, seed=42), first sample
/// EXPECT_EQ(line, "{\"x0\":6.394267984578837,\"x1\":0.25010755222666936,"
///                 "\"x2\":2.7502931836911926,\"y\":false}\n");
/// EXPECT_EQ(sea->position(), 1u);
/// EXPECT_FALSE(rivulet::io::Generator::create("sea(variant=7)", 42).ok());
/// ```

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/state.h"
#include "rivulet/core/status.h"

namespace rivulet::io {

class GeneratorParams;

class Generator {
 public:
  virtual ~Generator() = default;

  /// Builds the generator that `spec` names (`kind` or `kind(name=value, ...)`; a kind is matched
  /// without regard to case, and River's class names are accepted too: `synth.SEA`,
  /// `RandomRBFDrift`). `overrides` are `name=value` assignments applied over the spec's
  /// arguments (the command line's `--set`). Errors: kInvalidArgument for an unknown kind (the
  /// message lists the valid ones), an unknown parameter (lists the kind's parameters), a value
  /// of the wrong type or out of range.
  static Result<std::unique_ptr<Generator>> create(std::string_view spec, uint64_t seed = 42,
                                                   std::span<const std::string> overrides = {});

  /// Appends the next event, one JSON object and '\n', to `line`.
  void next(std::string& line) {
    emit(line);
    ++position_;
  }
  /// Events emitted so far (including those skipped or restored).
  uint64_t position() const { return position_; }
  /// Advances by `n` events without returning them (generates and drops them).
  void skip(uint64_t n);

  /// The whole state (spec, position, random generator, concept), to resume later with
  /// load_state() on a generator built from the same spec and seed.
  std::string save_state() const;
  /// Restores a state saved by save_state(); the next event is the one the saving generator would
  /// have emitted next. Errors: kInvalidArgument when the state was saved by a generator of
  /// another spec, kDataLoss for truncated or corrupt bytes (the generator is then unchanged).
  Status load_state(std::string_view bytes);

  /// The kind, as listed by generator_kinds().
  virtual std::string_view kind() const = 0;
  /// Canonical spec with every parameter, seed included: `sea(variant=0, noise=0.0, seed=42)`.
  virtual std::string spec() const = 0;

 protected:
  Generator() = default;
  Generator(const Generator&) = default;
  Generator& operator=(const Generator&) = default;

  virtual void emit(std::string& line) = 0;
  virtual void save(StateWriter& out) const = 0;
  virtual void load(StateReader& in) = 0;

 private:
  uint64_t position_ = 0;
};

/// One parameter of a generator kind, for `rivulet gen --list` and error messages.
struct GeneratorParamInfo {
  std::string name;
  std::string type;           ///< "int", "float", "bool", "str"
  std::string default_value;  ///< as written in a spec ("seed" for seeds taken from --seed)
  std::string help;
};

/// A registered kind: its name, River's class (empty for our own), what it emits, and the factory
/// that reads its parameters.
struct GeneratorKind {
  std::string_view name;
  std::string_view river_name;
  std::string_view summary;
  std::string_view fields;
  Result<std::unique_ptr<Generator>> (*factory)(GeneratorParams& params);
};

/// Every kind, in the order `rivulet gen --list` shows them.
std::span<const GeneratorKind> generator_kinds();
/// The kind `name` designates (its name or River's class name, any case, with or without a
/// `synth.` or `datasets.synth.` prefix); nullptr when none does.
const GeneratorKind* find_generator_kind(std::string_view name);
/// The parameters of a kind, read from the same factory code that builds it.
std::vector<GeneratorParamInfo> describe_generator(const GeneratorKind& kind);

}  // namespace rivulet::io
