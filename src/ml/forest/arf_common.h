#pragma once
// What ARFClassifier and ARFRegressor share: the checks and the spec parameters of River's
// BaseForest, the construction of the members, the first sample's trees, and River's draws
// before each sample is learned. `Forest` is either ARF; `Options` its options (n_models,
// max_features, lambda_value, metric, disable_weighted_vote, drift_detector, warning_detector,
// tree); `Member` its member (k, model, background, drift, warning, metric).
// Thread safety: none needed (functions).

#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ml/forest/forest_support.h"
#include "ml/forest/python_draws.h"
#include "rivulet/core/python_random.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/metrics/metric.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml::internal {

// n_models >= 1, lambda_value > 0 and a metric of the forest's kind (`MetricBase`), defaulting
// to `DefaultMetric`.
template <class MetricBase, class DefaultMetric, class Options>
Status check_forest_options(std::string_view name, Options& o) {
  if (o.n_models < 1) {
    return Status::invalid_argument(
        fmt::format("{}: n_models must be >= 1, got {}", name, o.n_models));
  }
  if (!(o.lambda_value > 0.0) || !std::isfinite(o.lambda_value)) {
    return Status::invalid_argument(
        fmt::format("{}: lambda_value must be > 0, got {}", name, o.lambda_value));
  }
  if (o.metric == nullptr) o.metric = std::make_shared<DefaultMetric>();
  if (dynamic_cast<const MetricBase*>(o.metric.get()) == nullptr) {
    return Status::invalid_argument(fmt::format(
        "{}: metric must be a {} metric, got {}", name,
        std::is_same_v<MetricBase, ClassificationMetric> ? "classification" : "regression",
        o.metric->name()));
  }
  return {};
}

// Each member's detectors (clones of the prototypes) and a fresh metric.
template <class MetricBase, class Member, class Options>
void make_members(const Options& o, std::vector<Member>& members) {
  members.resize(static_cast<size_t>(o.n_models));
  for (Member& m : members) {
    if (o.drift_detector) m.drift = o.drift_detector->clone();
    if (o.warning_detector) m.warning = o.warning_detector->clone();
    m.metric.reset(static_cast<MetricBase*>(o.metric->clone_fresh().release()));
  }
}

// The spec parameters n_models and max_features.
template <class Options>
void read_forest_size(Params& p, Options& o) {
  o.n_models = p.integer("n_models", o.n_models, "number of trees");
  if (const SpecValue* v =
          p.value("max_features", "str|int|float|None", "'sqrt'",
                  "attributes per leaf: 'sqrt', 'log2', int, float (share) or None")) {
    auto mf = MaxFeatures::from_spec(*v, "max_features");
    if (mf.ok()) {
      o.max_features = *mf;
    } else {
      p.fail(mf.status());
    }
  }
}

// The spec parameters from lambda_value to the trees' max_depth, in River's order.
template <class Options>
void read_forest_params(Params& p, Options& o, std::string_view name, const char* metric_default,
                        const char* metric_help, bool unweighted_default,
                        const char* unweighted_help) {
  o.lambda_value = p.number("lambda_value", o.lambda_value, "Poisson rate of the bagging weights");
  auto metric = p.metric("metric", metric_default, metric_help);
  if (metric) o.metric = std::move(metric);
  o.disable_weighted_vote = p.boolean("disable_weighted_vote", unweighted_default, unweighted_help);
  o.drift_detector = p.drift_detector("drift_detector", "drift.ADWIN(delta=0.001)",
                                      "drift detector of each tree; None: no drift detection");
  o.warning_detector = p.drift_detector("warning_detector", "drift.ADWIN(delta=0.01)",
                                        "warning detector of each tree; None: no background trees");
  auto& t = o.tree;
  t.grace_period = p.integer("grace_period", t.grace_period, "weight between split attempts");
  if (const SpecValue* v =
          p.value("max_depth", "int|None", "None", "maximum depth; None: unlimited")) {
    if (v->kind == SpecValue::Kind::kNumber && v->number == std::floor(v->number) &&
        v->number >= 0 && v->number < 1e9) {
      t.max_depth = static_cast<int64_t>(v->number);
    } else if (v->kind != SpecValue::Kind::kNone) {
      p.fail(Status::invalid_argument(
          fmt::format("{}: max_depth must be a non-negative int or None, got {}", name, v->text)));
    }
  }
}

// River's draws for one sample, tree after tree: the tree's weight k ~ Poisson(lambda_value);
// when k > 0 the tree learns x, its leaf drawing its attribute subset if it has none yet, then
// its background tree likewise; all from the forest's one `rng`. Made here, in that order, so
// that the trees can then learn in parallel.
template <class Member>
void draw_for_sample(std::vector<Member>& members, double lambda_value, PythonRandom& rng,
                     const Features& x) {
  for (Member& m : members) {
    m.k = python_poisson(lambda_value, rng);
    if (m.k <= 0) continue;
    m.model->draw_subset(x, rng);
    if (m.background) m.background->draw_subset(x, rng);
  }
}

}  // namespace rivulet::ml::internal
