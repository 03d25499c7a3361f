// The registry: one line per learner, transformer, metric and optimizer. Keep each group sorted.
#include "rivulet/ml/registry.h"

#include <fmt/format.h>

#include "rivulet/ml/anomaly/gaussian_scorer.h"
#include "rivulet/ml/anomaly/half_space_trees.h"
#include "rivulet/ml/anomaly/quantile_filter.h"
#include "rivulet/ml/anomaly/standard_absolute_deviation.h"
#include "rivulet/ml/anomaly/threshold_filter.h"
#include "rivulet/ml/cluster/k_means.h"
#include "rivulet/ml/cluster/stream_k_means.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/drift/ddm.h"
#include "rivulet/ml/drift/eddm.h"
#include "rivulet/ml/drift/hddm_a.h"
#include "rivulet/ml/drift/hddm_w.h"
#include "rivulet/ml/drift/kswin.h"
#include "rivulet/ml/drift/drift_retraining_classifier.h"
#include "rivulet/ml/drift/page_hinkley.h"
#include "rivulet/ml/dummy/no_change_classifier.h"
#include "rivulet/ml/dummy/prior_classifier.h"
#include "rivulet/ml/dummy/statistic_regressor.h"
#include "rivulet/ml/ensemble/ada_boost_classifier.h"
#include "rivulet/ml/ensemble/adwin_bagging_classifier.h"
#include "rivulet/ml/ensemble/bagging_classifier.h"
#include "rivulet/ml/ensemble/bagging_regressor.h"
#include "rivulet/ml/ensemble/leveraging_bagging_classifier.h"
#include "rivulet/ml/ensemble/srp_classifier.h"
#include "rivulet/ml/forest/arf_classifier.h"
#include "rivulet/ml/forest/arf_regressor.h"
#include "rivulet/ml/linear/linear_regression.h"
#include "rivulet/ml/linear/logistic_regression.h"
#include "rivulet/ml/linear/pa_classifier.h"
#include "rivulet/ml/linear/pa_regressor.h"
#include "rivulet/ml/linear/perceptron.h"
#include "rivulet/ml/linear/softmax_regression.h"
#include "rivulet/ml/metrics/accuracy.h"
#include "rivulet/ml/metrics/balanced_accuracy.h"
#include "rivulet/ml/metrics/cohen_kappa.h"
#include "rivulet/ml/metrics/confusion_matrix.h"
#include "rivulet/ml/metrics/f1.h"
#include "rivulet/ml/metrics/log_loss.h"
#include "rivulet/ml/metrics/macro_f1.h"
#include "rivulet/ml/metrics/mae.h"
#include "rivulet/ml/metrics/mape.h"
#include "rivulet/ml/metrics/micro_f1.h"
#include "rivulet/ml/metrics/mse.h"
#include "rivulet/ml/metrics/precision.h"
#include "rivulet/ml/metrics/r2.h"
#include "rivulet/ml/metrics/recall.h"
#include "rivulet/ml/metrics/rmse.h"
#include "rivulet/ml/metrics/roc_auc.h"
#include "rivulet/ml/metrics/rolling.h"
#include "rivulet/ml/naive_bayes/bernoulli_nb.h"
#include "rivulet/ml/naive_bayes/gaussian_nb.h"
#include "rivulet/ml/naive_bayes/multinomial_nb.h"
#include "rivulet/ml/optim/ada_grad.h"
#include "rivulet/ml/optim/adam.h"
#include "rivulet/ml/optim/ftrl_proximal.h"
#include "rivulet/ml/optim/sgd.h"
#include "rivulet/ml/preprocessing/feature_hasher.h"
#include "rivulet/ml/preprocessing/max_abs_scaler.h"
#include "rivulet/ml/preprocessing/min_max_scaler.h"
#include "rivulet/ml/preprocessing/one_hot_encoder.h"
#include "rivulet/ml/preprocessing/standard_scaler.h"
#include "rivulet/ml/preprocessing/stat_imputer.h"
#include "rivulet/ml/tree/hoeffding_adaptive_tree_regressor.h"
#include "rivulet/ml/tree/extremely_fast_decision_tree_classifier.h"
#include "rivulet/ml/tree/hoeffding_adaptive_tree_classifier.h"
#include "rivulet/ml/tree/hoeffding_tree_classifier.h"
#include "rivulet/ml/tree/hoeffding_tree_regressor.h"

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
RegistryEntry drift(std::string_view name, std::string_view summary,
                    Result<std::unique_ptr<DriftDetector>> (*f)(Params&)) {
  return {name, K::kDriftDetector, summary, nullptr, nullptr, nullptr, f};
}

const std::vector<RegistryEntry>& entries() {
  static const std::vector<RegistryEntry> all = {
      // anomaly
      est("anomaly.GaussianScorer", K::kAnomalyDetector, "2|CDF - 0.5| of one feature under a running Gaussian",
          &estimator_factory<GaussianScorer>),
      est("anomaly.HalfSpaceTrees", K::kAnomalyDetector, "half-space trees: online isolation forest, scores in [0, 1]",
          &estimator_factory<HalfSpaceTrees>),
      est("anomaly.QuantileFilter", K::kAnomalyDetector, "a detector whose scores >= their running q-quantile are anomalies",
          &estimator_factory<QuantileFilter>),
      est("anomaly.StandardAbsoluteDeviation", K::kAnomalyDetector, "|x - mean| / std of one feature",
          &estimator_factory<StandardAbsoluteDeviation>),
      est("anomaly.ThresholdFilter", K::kAnomalyDetector, "a detector whose scores >= threshold are anomalies",
          &estimator_factory<ThresholdFilter>),
      // cluster
      est("cluster.KMeans", K::kClusterer, "incremental k-means: the closest center moves toward x",
          &estimator_factory<KMeans>),
      est("cluster.STREAMKMeans", K::kClusterer, "STREAM: chunks clustered by k-means, their centers by k-means",
          &estimator_factory<STREAMKMeans>),
      // drift
      drift("drift.ADWIN", "adaptive windowing: drift when two sub-windows' means differ", &drift_detector_factory<ADWIN>),
      drift("drift.DDM", "drift detection method on an error bit stream (warning zone)", &drift_detector_factory<DDM>),
      drift("drift.EDDM", "early drift detection: distance between errors (warning zone)", &drift_detector_factory<EDDM>),
      drift("drift.HDDM_A", "Hoeffding-bound test on the mean of an error bit stream (warning zone)", &drift_detector_factory<HDDM_A>),
      drift("drift.HDDM_W", "McDiarmid-bound test on EWMAs of an error bit stream (warning zone)", &drift_detector_factory<HDDM_W>),
      drift("drift.KSWIN", "Kolmogorov-Smirnov test between old and recent values of a window", &drift_detector_factory<KSWIN>),
      est("drift.DriftRetrainingClassifier", K::kClassifier, "retrains its classifier when its error drifts",
          &estimator_factory<DriftRetrainingClassifier>),
      drift("drift.PageHinkley", "Page-Hinkley test on the cumulative deviation from the mean", &drift_detector_factory<PageHinkley>),
      // dummy
      est("dummy.NoChangeClassifier", K::kClassifier, "predicts the last label seen",
          &estimator_factory<NoChangeClassifier>),
      est("dummy.PriorClassifier", K::kClassifier, "predicts the class frequencies",
          &estimator_factory<PriorClassifier>),
      est("dummy.StatisticRegressor", K::kRegressor, "predicts a running statistic of the targets",
          &estimator_factory<StatisticRegressor>),
      // ensemble
      est("ensemble.ADWINBaggingClassifier", K::kClassifier, "online bagging with an ADWIN per member",
          &estimator_factory<ADWINBaggingClassifier>),
      est("ensemble.AdaBoostClassifier", K::kClassifier, "online boosting (Oza) of any classifier",
          &estimator_factory<AdaBoostClassifier>),
      est("ensemble.BaggingClassifier", K::kClassifier, "online bagging (Oza) of any classifier",
          &estimator_factory<BaggingClassifier>),
      est("ensemble.BaggingRegressor", K::kRegressor, "online bagging (Oza) of any regressor",
          &estimator_factory<BaggingRegressor>),
      est("ensemble.LeveragingBaggingClassifier", K::kClassifier, "leveraging bagging: Poisson(w) weights, ADWIN per member",
          &estimator_factory<LeveragingBaggingClassifier>),
      est("ensemble.SRPClassifier", K::kClassifier, "streaming random patches: members on random subspaces and Poisson weights",
          &estimator_factory<SRPClassifier>),
      // forest
      est("forest.ARFClassifier", K::kClassifier, "adaptive random forest of Hoeffding trees with drift-driven background trees",
          &estimator_factory<ARFClassifier>),
      est("forest.ARFRegressor", K::kRegressor, "adaptive random forest of Hoeffding regression trees",
          &estimator_factory<ARFRegressor>),
      // linear_model
      est("linear_model.LinearRegression", K::kRegressor, "linear regression (squared loss) trained by SGD",
          &estimator_factory<LinearRegression>),
      est("linear_model.LogisticRegression", K::kClassifier, "binary logistic regression trained by SGD",
          &estimator_factory<LogisticRegression>),
      est("linear_model.PAClassifier", K::kClassifier, "binary passive-aggressive classifier",
          &estimator_factory<PAClassifier>),
      est("linear_model.PARegressor", K::kRegressor, "passive-aggressive regressor",
          &estimator_factory<PARegressor>),
      est("linear_model.Perceptron", K::kClassifier, "binary perceptron (hinge loss, rate 1)",
          &estimator_factory<Perceptron>),
      est("linear_model.SoftmaxRegression", K::kClassifier, "multi-class logistic regression",
          &estimator_factory<SoftmaxRegression>),
      // naive_bayes
      est("naive_bayes.BernoulliNB", K::kClassifier, "Bernoulli naive Bayes over binarized features",
          &estimator_factory<BernoulliNB>),
      est("naive_bayes.GaussianNB", K::kClassifier, "Gaussian naive Bayes",
          &estimator_factory<GaussianNB>),
      est("naive_bayes.MultinomialNB", K::kClassifier, "multinomial naive Bayes over counts",
          &estimator_factory<MultinomialNB>),
      // preprocessing
      est("preprocessing.FeatureHasher", K::kTransformer, "hashing trick into n_features buckets",
          &estimator_factory<FeatureHasher>),
      est("preprocessing.MaxAbsScaler", K::kTransformer, "running scaling by the largest absolute value",
          &estimator_factory<MaxAbsScaler>),
      est("preprocessing.MinMaxScaler", K::kTransformer, "running scaling to [0, 1] by min and max",
          &estimator_factory<MinMaxScaler>),
      est("preprocessing.OneHotEncoder", K::kTransformer, "one-hot encoding of numeric values",
          &estimator_factory<OneHotEncoder>),
      est("preprocessing.StandardScaler", K::kTransformer, "running zero-mean, unit-variance scaling",
          &estimator_factory<StandardScaler>),
      est("preprocessing.StatImputer", K::kTransformer, "fills absent numeric features with their running mean",
          &estimator_factory<StatImputer>),
      // tree
      est("tree.ExtremelyFastDecisionTreeClassifier", K::kClassifier, "Hoeffding anytime tree: splits early, re-evaluates its splits",
          &estimator_factory<ExtremelyFastDecisionTreeClassifier>),
      est("tree.HoeffdingAdaptiveTreeClassifier", K::kClassifier, "Hoeffding tree with ADWIN at every node and alternate subtrees",
          &estimator_factory<HoeffdingAdaptiveTreeClassifier>),
      est("tree.HoeffdingAdaptiveTreeRegressor", K::kRegressor, "Hoeffding regression tree with ADWIN-guarded alternate subtrees",
          &estimator_factory<HoeffdingAdaptiveTreeRegressor>),
      est("tree.HoeffdingTreeClassifier", K::kClassifier, "Hoeffding tree (VFDT): Gaussian and nominal splitters, naive Bayes adaptive leaves",
          &estimator_factory<HoeffdingTreeClassifier>),
      est("tree.HoeffdingTreeRegressor", K::kRegressor, "Hoeffding regression tree (E-BST splits, mean/model/adaptive leaves)",
          &estimator_factory<HoeffdingTreeRegressor>),
      // optim
      opt("optim.AdaGrad", "per-feature rates from summed squared gradients", &optimizer_factory<AdaGrad>),
      opt("optim.Adam", "adaptive moment estimation", &optimizer_factory<Adam>),
      opt("optim.FTRLProximal", "follow the regularized leader, proximal", &optimizer_factory<FTRLProximal>),
      opt("optim.SGD", "stochastic gradient descent", &optimizer_factory<SGD>),
      // metrics
      met("metrics.Accuracy", "share of correct predictions", &metric_factory<Accuracy>),
      met("metrics.BalancedAccuracy", "recall averaged over the classes", &metric_factory<BalancedAccuracy>),
      met("metrics.CohenKappa", "Cohen's kappa: agreement beyond chance", &metric_factory<CohenKappa>),
      met("metrics.ConfusionMatrix", "counts of (true, predicted) classes; value: accuracy", &metric_factory<ConfusionMatrix>),
      met("metrics.F1", "binary F1 score of the positive class", &metric_factory<F1>),
      met("metrics.LogLoss", "binary logarithmic loss (reads probabilities)", &metric_factory<LogLoss>),
      met("metrics.MAE", "mean absolute error", &metric_factory<MAE>),
      met("metrics.MAPE", "mean absolute percentage error, in percent", &metric_factory<MAPE>),
      met("metrics.MSE", "mean squared error", &metric_factory<MSE>),
      met("metrics.MacroF1", "F1 averaged over the classes", &metric_factory<MacroF1>),
      met("metrics.MicroF1", "F1 of the pooled counts (= accuracy)", &metric_factory<MicroF1>),
      met("metrics.Precision", "binary precision of the positive class", &metric_factory<Precision>),
      met("metrics.R2", "coefficient of determination", &metric_factory<R2>),
      met("metrics.RMSE", "root mean squared error", &metric_factory<RMSE>),
      met("metrics.ROCAUC", "approximate ROC AUC over thresholds (reads probabilities)", &metric_factory<ROCAUC>),
      met("metrics.Recall", "binary recall of the positive class", &metric_factory<Recall>),
      met("metrics.Rolling", "a metric over the most recent samples", &metric_factory<Rolling>),
  };
  return all;
}

}  // namespace

std::string_view entry_kind_name(EntryKind kind) {
  switch (kind) {
    case K::kTransformer: return "transformer";
    case K::kClassifier: return "classifier";
    case K::kRegressor: return "regressor";
    case K::kAnomalyDetector: return "anomaly detector";
    case K::kClusterer: return "clusterer";
    case K::kDriftDetector: return "drift detector";
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
  if (entry.make_drift_detector) (void)entry.make_drift_detector(p);
  return p.infos();
}

namespace {

Status unknown(const SpecCall& call, std::string_view wanted) {
  std::string suggestions;
  for (const auto& e : entries()) {
    const bool kind_ok = wanted == "estimator"        ? (e.make_estimator != nullptr)
                         : wanted == "optimizer"      ? (e.make_optimizer != nullptr)
                         : wanted == "drift detector" ? (e.make_drift_detector != nullptr)
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

Result<std::unique_ptr<DriftDetector>> make_drift_detector(const SpecCall& call) {
  return build<DriftDetector>(call, "drift detector", &RegistryEntry::make_drift_detector, std::nullopt);
}

Result<std::unique_ptr<Metric>> make_metric(std::string_view text) {
  auto call = parse_call(text);
  if (!call.ok()) return call.status();
  return make_metric(*call);
}

}  // namespace rivulet::ml
