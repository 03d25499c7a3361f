#pragma once
/// Reads the arguments of one spec call for a registry factory, in the order of River's
/// signature: positional arguments bind to parameters in the order the factory asks for them.
/// The first problem is kept (unknown or duplicate argument, wrong type) and reported by
/// finish() with the spec column. Run in describe mode, the same factory code records each
/// parameter's name, type, default and help for `rivulet models`, so that the list cannot drift
/// from what the factory accepts.
/// Thread safety: none.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/ml/spec.h"

namespace rivulet::ml {

class Optimizer;
class Metric;
class Estimator;
class DriftDetector;

/// Builds fresh estimators from one spec call, for ensembles and wrappers that need several
/// copies of a base learner or a new one after a reset. The argument is the seed of the copy
/// (used by estimators with a `seed` parameter that the spec does not set).
using EstimatorMaker = std::function<Result<std::unique_ptr<Estimator>>(std::optional<uint64_t> seed)>;

struct ParamInfo {
  std::string name;
  std::string type;           ///< "float", "int", "bool", "str", "optimizer", "metric", "estimator"
  std::string default_value;  ///< as written in a spec
  std::string help;
};

class Params {
 public:
  /// Reads `call`'s arguments. `default_seed` is what seed() returns when the spec gives none.
  Params(const SpecCall& call, std::optional<uint64_t> default_seed);
  /// Records parameter descriptions; every getter returns its default.
  static Params describe_mode();

  double number(std::string_view name, double def, std::string_view help);
  int64_t integer(std::string_view name, int64_t def, std::string_view help);
  /// An integer that may be None (River's `max_depth=None`); absent or None: nullopt.
  std::optional<int64_t> optional_integer(std::string_view name, std::string_view help);
  bool boolean(std::string_view name, bool def, std::string_view help);
  std::string string(std::string_view name, std::string_view def, std::string_view help);
  /// An optimizer given as a call (`optim.SGD(0.005)`) or a bare number (read as SGD's rate).
  std::unique_ptr<Optimizer> optimizer(std::string_view name, std::string_view def, std::string_view help);
  /// A metric given as a call (`metrics.Accuracy`).
  std::unique_ptr<Metric> metric(std::string_view name, std::string_view def, std::string_view help);
  /// An estimator given as a call (for wrappers and ensembles).
  std::unique_ptr<Estimator> estimator(std::string_view name, std::string_view def, std::string_view help);
  /// A maker of fresh estimators from the call given (or `def`), checked by building one. Returns
  /// an empty function after an error (recorded, reported by finish()).
  EstimatorMaker estimator_maker(std::string_view name, std::string_view def, std::string_view help);
  /// A drift detector given as a call (`drift.ADWIN(delta=0.001)`); `None` (or an empty `def`
  /// when the argument is absent) gives nullptr: no detector.
  std::unique_ptr<DriftDetector> drift_detector(std::string_view name, std::string_view def,
                                                std::string_view help);
  /// The argument for `name` as written, for a parameter that takes values of several types
  /// (River's `max_features`: 'sqrt', 5, 0.5 or None); nullptr when absent. `type` and `def`
  /// are what `rivulet models` shows. The caller checks the value (and calls fail()).
  const SpecValue* value(std::string_view name, std::string_view type, std::string_view def,
                         std::string_view help);
  /// The random seed: the spec's `seed`, else the evaluation's --seed, else `def`.
  uint64_t seed(uint64_t def, std::string_view help = "random seed");

  /// The first error met, or an error naming the arguments that no parameter took.
  Status finish() const;
  /// Records a validation failure of the factory (e.g. from an Options check).
  void fail(Status status);
  bool describing() const { return call_ == nullptr; }
  const std::vector<ParamInfo>& infos() const { return infos_; }
  std::optional<uint64_t> default_seed() const { return default_seed_; }

 private:
  Params() = default;
  // The argument for `name`: named, else the next positional one; nullptr when absent.
  const SpecArg* take(std::string_view name, std::string_view type, std::string default_text,
                      std::string_view help);
  Status arg_error(const SpecArg& arg, std::string_view what) const;

  const SpecCall* call_ = nullptr;
  std::optional<uint64_t> default_seed_;
  std::vector<bool> used_;
  size_t next_positional_ = 0;
  std::vector<ParamInfo> infos_;
  Status error_;
};

}  // namespace rivulet::ml
