#pragma once
/// Models out of pipeline checkpoints: the model of a learner step (evaluate, predict, learn),
/// the global one or one key's, as the bytes of a model file, which `rivulet predict --model`,
/// `rivulet inspect` and a learner step's `model_path` load (`rivulet checkpoint export-model`).
///
/// What a pipeline checkpoint holds (docs/checkpoints.md): `meta step-<n>` = "<kind> <name>"
/// for each step n (1-based), and the step's state (Operator::snapshot) in the part `step-<n>`,
/// or, for a step that runs partitioned after a key_by, one part per partition, `step-<n>.p<k>`.
/// Thread safety: the functions share nothing.

#include <cstdint>
#include <string>

#include "rivulet/checkpoint/store.h"
#include "rivulet/core/status.h"

namespace rivulet::pipeline {

/// Which model to take out of a checkpoint.
struct ModelExportOptions {
  std::string step;  ///< the learner step's name (`name:` in the pipeline file, else its kind).
  /// The key whose model to take from a per_key step. Default: none (the global model of a step
  /// that is not per_key). REQUIRES: set exactly when the step is per_key.
  std::string key = {};
};

/// A model taken out of a checkpoint.
struct ExportedModel {
  std::string bytes;     ///< a model file (docs/model-format.md); it loads (checked)
  std::string spec;      ///< the model's spec
  std::string kind;      ///< the step's kind: evaluate, predict or learn
  size_t step = 0;       ///< the step's position in the pipeline, 1-based
  std::string part;      ///< the part holding it: `step-2`, `step-2.p1`
  std::string key;       ///< empty for a global model
  uint64_t records = 0;  ///< records of the main input this model has seen in the step
  uint64_t learned = 0;  ///< learn calls of the model (its model_version)
};

/// Finds `options.step` in `checkpoint`'s meta, reads the step's part (or, with a key, every
/// partition's part, for the one that holds the key) and takes the model out.
/// Errors: kNotFound (no step of that name, the error listing the learner steps; no model of
/// that key, the error naming up to 10 known keys; no part for the step); kInvalidArgument (a
/// step that is not a learner; a per_key step without a key, or a key for a global model; a
/// global model held by several partitions); kDataLoss (a malformed meta line, a part that is
/// not a learner's state or is truncated, model bytes that do not load). Each names the
/// checkpoint (`chk-000004: ...`) and, past the meta, the step and the part.
Result<ExportedModel> export_model(const checkpoint::Checkpoint& checkpoint,
                                   const ModelExportOptions& options);

}  // namespace rivulet::pipeline
