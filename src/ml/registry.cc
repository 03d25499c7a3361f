// The registry: one line per learner, transformer, metric and optimizer. Keep each group sorted.
#include "rivulet/ml/registry.h"

#include <fmt/format.h>

#include "rivulet/ml/linear/logistic_regression.h"
#include "rivulet/ml/metrics/accuracy.h"
#include "rivulet/ml/metrics/mae.h"
#include "rivulet/ml/naive_bayes/gaussian_nb.h"
#include "rivulet/ml/optim/sgd.h"
#include "rivulet/ml/preprocessing/standard_scaler.h"

namespace rivulet::ml {
namespace {

using K = EntryKind;

RegistryEntry est(std::string_view name, EntryKind kind, std::string_view summary,
                  Result<std::unique_ptr<Estimator>> (*f)(Params&)) {
  return {name, kind, summary, f, nullptr, nullptr};
}
RegistryEntry opt(std::string_view name, std::string_view summary,
                  Result<std::unique_ptr<Optimizer>> (*f)(Params&)) {
  return {name, K::kOptimizer, summary, nullptr, f, nullptr};
}
RegistryEntry met(std::string_view name, std::string_view summary,
                  Result<std::unique_ptr<Metric>> (*f)(Params&)) {
  return {name, K::kMetric, summary, nullptr, nullptr, f};
}

const std::vector<RegistryEntry>& entries() {
  static const std::vector<RegistryEntry> all = {
      // linear_model
      est("linear_model.LogisticRegression", K::kClassifier, "binary logistic regression trained by SGD",
          &estimator_factory<LogisticRegression>),
      // naive_bayes
      est("naive_bayes.GaussianNB", K::kClassifier, "Gaussian naive Bayes",
          &estimator_factory<GaussianNB>),
      // preprocessing
      est("preprocessing.StandardScaler", K::kTransformer, "running zero-mean, unit-variance scaling",
          &estimator_factory<StandardScaler>),
      // optim
      opt("optim.SGD", "stochastic gradient descent", &optimizer_factory<SGD>),
      // metrics
      met("metrics.Accuracy", "share of correct predictions", &metric_factory<Accuracy>),
      met("metrics.MAE", "mean absolute error", &metric_factory<MAE>),
  };
  return all;
}

}  // namespace

std::string_view entry_kind_name(EntryKind kind) {
  switch (kind) {
    case K::kTransformer: return "transformer";
    case K::kClassifier: return "classifier";
    case K::kRegressor: return "regressor";
    case K::kOptimizer: return "optimizer";
    case K::kMetric: return "metric";
  }
  return "unknown";
}

std::span<const RegistryEntry> registry() { return entries(); }

const RegistryEntry* find_entry(std::string_view name) {
  const RegistryEntry* by_short = nullptr;
  int short_matches = 0;
  for (const auto& e : entries()) {
    if (e.name == name) return &e;
    const auto dot = e.name.rfind('.');
    if (dot != std::string_view::npos && e.name.substr(dot + 1) == name) {
      by_short = &e;
      ++short_matches;
    }
  }
  return short_matches == 1 ? by_short : nullptr;
}

std::vector<ParamInfo> describe_params(const RegistryEntry& entry) {
  Params p = Params::describe_mode();
  if (entry.make_estimator) (void)entry.make_estimator(p);
  if (entry.make_optimizer) (void)entry.make_optimizer(p);
  if (entry.make_metric) (void)entry.make_metric(p);
  return p.infos();
}

namespace {

Status unknown(const SpecCall& call, std::string_view wanted) {
  std::string suggestions;
  for (const auto& e : entries()) {
    const bool kind_ok = wanted == "estimator" ? (e.make_estimator != nullptr)
                         : wanted == "optimizer" ? (e.make_optimizer != nullptr)
                                                 : (e.make_metric != nullptr);
    if (!kind_ok) continue;
    const auto dot = e.name.rfind('.');
    const auto short_name = e.name.substr(dot + 1);
    if (short_name.find(call.name.substr(call.name.rfind('.') + 1).substr(0, 4)) != std::string_view::npos) {
      suggestions += suggestions.empty() ? " (did you mean " : ", ";
      suggestions += e.name;
    }
  }
  if (!suggestions.empty()) suggestions += "?)";
  return Status::invalid_argument(fmt::format("model spec, column {}: unknown {} '{}'{}; `rivulet models` lists them",
                                              call.column, wanted, call.name, suggestions));
}

template <typename T, typename Maker>
Result<std::unique_ptr<T>> build(const SpecCall& call, std::string_view wanted, Maker maker,
                                 std::optional<uint64_t> seed) {
  const RegistryEntry* entry = find_entry(call.name);
  if (entry == nullptr || (entry->*maker) == nullptr) {
    if (entry != nullptr) {
      return Status::invalid_argument(fmt::format("model spec, column {}: {} is a {}, not an {}", call.column,
                                                  entry->name, entry_kind_name(entry->kind), wanted));
    }
    return unknown(call, wanted);
  }
  Params params(call, seed);
  auto made = (entry->*maker)(params);
  if (!made.ok()) {
    const Status& s = made.status();
    // Option checks from create() get the spec position too.
    if (s.message().find("column") == std::string::npos) {
      return Status(s.code(), fmt::format("model spec, column {}: {}", call.column, s.message()));
    }
    return s;
  }
  return made;
}

}  // namespace

Result<std::unique_ptr<Estimator>> make_estimator(const SpecCall& call, std::optional<uint64_t> seed) {
  return build<Estimator>(call, "estimator", &RegistryEntry::make_estimator, seed);
}

Result<std::unique_ptr<Optimizer>> make_optimizer(const SpecCall& call) {
  return build<Optimizer>(call, "optimizer", &RegistryEntry::make_optimizer, std::nullopt);
}

Result<std::unique_ptr<Metric>> make_metric(const SpecCall& call) {
  return build<Metric>(call, "metric", &RegistryEntry::make_metric, std::nullopt);
}

Result<std::unique_ptr<Metric>> make_metric(std::string_view text) {
  auto call = parse_call(text);
  if (!call.ok()) return call.status();
  return make_metric(*call);
}

}  // namespace rivulet::ml
