#pragma once
/// The one registry of learners, transformers, metrics and optimizers: config name -> factory.
/// The command line, the pipeline compiler and the conformance tests all enumerate it. Each
/// entry is one line in src/ml/registry.cc.
/// ```cpp example
/// const auto* entry = rivulet::ml::find_entry("linear_model.LogisticRegression");
/// ASSERT_NE(entry, nullptr);
/// EXPECT_EQ(entry->kind, rivulet::ml::EntryKind::kClassifier);
/// EXPECT_EQ(rivulet::ml::find_entry("LogisticRegression"), entry);  // short names work too
/// ```

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/ml/drift/drift_detector.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/optim/optimizer.h"
#include "rivulet/ml/params.h"
#include "rivulet/ml/spec.h"

namespace rivulet::ml {

enum class EntryKind {
  kTransformer,
  kClassifier,
  kRegressor,
  kAnomalyDetector,
  kClusterer,
  kDriftDetector,
  kOptimizer,
  kMetric,
};
std::string_view entry_kind_name(EntryKind kind);

struct RegistryEntry {
  std::string_view name;  ///< River's dotted name, e.g. "preprocessing.StandardScaler"
  EntryKind kind;
  std::string_view summary;
  // Exactly one of these is set, by kind. A factory reads its parameters from Params and returns
  // the object, or an error (also recorded in Params) when an option is invalid.
  Result<std::unique_ptr<Estimator>> (*make_estimator)(Params&) = nullptr;
  Result<std::unique_ptr<Optimizer>> (*make_optimizer)(Params&) = nullptr;
  Result<std::unique_ptr<Metric>> (*make_metric)(Params&) = nullptr;
  Result<std::unique_ptr<DriftDetector>> (*make_drift_detector)(Params&) = nullptr;
};

std::span<const RegistryEntry> registry();
/// Finds an entry by full name, or by the part after the last dot when that is unique.
const RegistryEntry* find_entry(std::string_view name);
/// The parameters of an entry, read from its factory in describe mode.
std::vector<ParamInfo> describe_params(const RegistryEntry& entry);

/// Builds the object a call names. Errors: kInvalidArgument (unknown name, wrong kind, bad
/// parameter), with the spec column.
Result<std::unique_ptr<Estimator>> make_estimator(const SpecCall& call, std::optional<uint64_t> seed);
Result<std::unique_ptr<Optimizer>> make_optimizer(const SpecCall& call);
Result<std::unique_ptr<Metric>> make_metric(const SpecCall& call);
Result<std::unique_ptr<DriftDetector>> make_drift_detector(const SpecCall& call);
/// Parses and builds a metric from text: "Accuracy", "metrics.MAE", "Rolling(F1, window_size=500)".
Result<std::unique_ptr<Metric>> make_metric(std::string_view text);

/// Adapts a class's `static Result<T> create(Options)`-style factory: registry lines use
/// `&estimator_factory<T>` where T has `static Result<std::unique_ptr<T>> from_params(Params&)`.
template <typename T>
Result<std::unique_ptr<Estimator>> estimator_factory(Params& p) {
  auto made = T::from_params(p);
  if (!made.ok()) return made.status();
  return std::unique_ptr<Estimator>(std::move(made).value());
}
template <typename T>
Result<std::unique_ptr<Optimizer>> optimizer_factory(Params& p) {
  auto made = T::from_params(p);
  if (!made.ok()) return made.status();
  return std::unique_ptr<Optimizer>(std::move(made).value());
}
template <typename T>
Result<std::unique_ptr<DriftDetector>> drift_detector_factory(Params& p) {
  auto made = T::from_params(p);
  if (!made.ok()) return made.status();
  return std::unique_ptr<DriftDetector>(std::move(made).value());
}
template <typename T>
Result<std::unique_ptr<Metric>> metric_factory(Params& p) {
  auto made = T::from_params(p);
  if (!made.ok()) return made.status();
  return std::unique_ptr<Metric>(std::move(made).value());
}

}  // namespace rivulet::ml
