#include "rivulet/ml/forest/arf_regressor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "ml/ensemble/members.h"
#include "ml/forest/arf_common.h"
#include "ml/forest/forest_support.h"
#include "ml/forest/python_draws.h"
#include "ml/tree/tree_params.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/metrics/mse.h"

namespace rivulet::ml {
namespace {

constexpr std::string_view kName = "forest.ARFRegressor";

std::shared_ptr<const DriftDetector> adwin(double delta) {
  ADWIN::Options o;
  o.delta = delta;
  return std::make_shared<ADWIN>(o);
}

std::unique_ptr<RegressionMetric> fresh_metric(const Metric& prototype) {
  return std::unique_ptr<RegressionMetric>(
      static_cast<RegressionMetric*>(prototype.clone_fresh().release()));
}

}  // namespace

HoeffdingTreeRegressor::Options ARFRegressor::default_tree_options() {
  HoeffdingTreeRegressor::Options o;
  o.grace_period = 50;
  o.delta = 0.01;
  o.tau = 0.05;
  o.max_size = 500.0;
  o.memory_estimate_period = 2000000;
  return o;
}

std::shared_ptr<const DriftDetector> ARFRegressor::default_drift_detector() { return adwin(0.001); }
std::shared_ptr<const DriftDetector> ARFRegressor::default_warning_detector() {
  return adwin(0.01);
}

double ARFRegressor::ErrorVariance::normalized(double e) {
  // River's stats.Var.update (through stats.Mean), operation for operation.
  const double old_mean = mean;
  n += 1.0;
  mean += (1.0 / n) * (e - mean);
  s += 1.0 * (e - old_mean) * (e - mean);
  if (n == 1.0) return 0.5;
  const double sd = std::sqrt(n > 1.0 ? s / (n - 1.0) : 0.0);
  return sd > 0.0 ? (e + 3.0 * sd) / (6.0 * sd) : 0.5;
}

ARFRegressor::ARFRegressor(Options options) : options_(std::move(options)), rng_(options_.seed) {}

ARFRegressor::~ARFRegressor() = default;

Result<std::unique_ptr<ARFRegressor>> ARFRegressor::create(Options options) {
  RIVULET_RETURN_IF_ERROR((internal::check_forest_options<RegressionMetric, MSE>(kName, options)));
  RIVULET_RETURN_IF_ERROR(HoeffdingTreeRegressor::validate(options.tree, kName));
  std::unique_ptr<ARFRegressor> model(new ARFRegressor(std::move(options)));
  internal::make_members<RegressionMetric>(model->options_, model->members_);
  model->predictions_.resize(model->members_.size());
  model->weights_.resize(model->members_.size());
  return model;
}

Result<std::unique_ptr<ARFRegressor>> ARFRegressor::from_params(Params& p) {
  Options o;
  internal::read_forest_size(p, o);
  const std::string aggregation =
      p.string("aggregation_method", "median", "'median' or 'mean' of the trees' predictions");
  if (aggregation == "median") {
    o.aggregation_method = Aggregation::kMedian;
  } else if (aggregation == "mean") {
    o.aggregation_method = Aggregation::kMean;
  } else {
    p.fail(Status::invalid_argument(fmt::format(
        "{}: aggregation_method must be 'median' or 'mean', got '{}'", kName, aggregation)));
  }
  internal::read_forest_params(p, o, kName, "metrics.MSE", "per-tree metric of the weighted mean",
                               true, "unweighted aggregation of the trees");
  HoeffdingTreeRegressor::Options& t = o.tree;
  t.delta = p.number("delta", t.delta, "significance of the Hoeffding bound");
  t.tau = p.number("tau", t.tau, "bound under which a tie is broken by splitting");
  const std::string mode = p.string("leaf_prediction", "adaptive", "'mean', 'model' or 'adaptive'");
  if (mode == "mean") {
    t.leaf_prediction = LeafPrediction::kMean;
  } else if (mode == "model") {
    t.leaf_prediction = LeafPrediction::kModel;
  } else if (mode == "adaptive") {
    t.leaf_prediction = LeafPrediction::kAdaptive;
  } else {
    p.fail(Status::invalid_argument(
        fmt::format("{}: leaf_prediction must be 'mean', 'model' or 'adaptive'", kName)));
  }
  t.leaf_model = p.estimator_maker("leaf_model", "linear_model.LinearRegression",
                                   "regressor of the leaves ('model' and 'adaptive')");
  t.model_selector_decay = p.number("model_selector_decay", t.model_selector_decay,
                                    "decay of the squared errors that 'adaptive' compares");
  t.nominal_attributes = tree::internal::split_names(
      p.string("nominal_attributes", "", "comma-separated numeric features to treat as nominal"));
  const std::string splitter = p.string(
      "splitter", "TEBSTSplitter", "numeric splitter: 'TEBSTSplitter(digits=1)' or 'EBSTSplitter'");
  // An empty splitter (None) is River's default, TEBST with 1 digit.
  if (auto digits =
          splitter.empty() ? std::optional<int64_t>(1) : tree::internal::parse_splitter(splitter)) {
    t.splitter_digits = *digits;
  } else {
    p.fail(Status::invalid_argument(
        fmt::format("{}: splitter must be 'EBSTSplitter' or 'TEBSTSplitter(digits=N)', got '{}'",
                    kName, splitter)));
  }
  t.min_samples_split =
      p.integer("min_samples_split", t.min_samples_split, "least weight on each side of a split");
  t.binary_split = p.boolean("binary_split", t.binary_split, "only binary splits");
  t.max_size = p.number("max_size", t.max_size, "maximum size of each tree in MiB");
  t.memory_estimate_period =
      p.integer("memory_estimate_period", t.memory_estimate_period, "weight between memory checks");
  t.stop_mem_management =
      p.boolean("stop_mem_management", t.stop_mem_management, "stop growing at the memory limit");
  t.remove_poor_attrs =
      p.boolean("remove_poor_attrs", t.remove_poor_attrs, "disable poor attributes");
  t.merit_preprune = p.boolean("merit_preprune", t.merit_preprune, "merit-based pre-pruning");
  o.seed = p.seed(0, "seed of the Poisson weights and of the attribute subsets");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

void ARFRegressor::attach(const ModelContext& context) {
  Estimator::attach(context);
  member_context_ = context;
  member_context_.parallel = nullptr;
  for (Member& m : members_) {
    if (m.model) m.model->attach(member_context_);
    if (m.background) m.background->attach(member_context_);
  }
}

std::unique_ptr<HoeffdingTreeRegressor> ARFRegressor::new_tree() const {
  auto tree = std::make_unique<HoeffdingTreeRegressor>(tree_options_);
  tree->attach(member_context_);
  return tree;
}

void ARFRegressor::set_tree_options() {
  tree_options_ = options_.tree;
  tree_options_.max_features = max_features_;
  tree_options_.caller_draws_subsets = true;  // from rng_, in learn_one
}

void ARFRegressor::init(const Features& x) {
  max_features_ = options_.max_features.resolve(internal::count_attributes(x, context_.space));
  set_tree_options();
  for (Member& m : members_) m.model = new_tree();
  initialized_ = true;
}

void ARFRegressor::learn_one(const Features& x, double y) {
  if (!initialized_) init(x);
  internal::draw_for_sample(members_, options_.lambda_value, rng_, x);
  x_ = &x;
  y_ = y;
  internal::for_each_member(context_, members_.size(),
                            [this](size_t i) { learn_member(members_[i]); });
}

void ARFRegressor::learn_member(Member& m) {
  const Features& x = *x_;
  m.metric->update(y_, m.model->predict_one(x));
  if (m.k <= 0) return;
  const auto w = static_cast<double>(m.k);
  const uint64_t leaves_before = m.model->n_growth_events();
  m.model->learn_weighted(x, y_, w);
  m.n_changes += m.model->n_growth_events() - leaves_before;
  if (m.background) {
    const uint64_t background_before = m.background->n_growth_events();
    m.background->learn_weighted(x, y_, w);
    m.n_changes += m.background->n_growth_events() - background_before;
  }
  if (!m.drift) return;
  // River: the error of the tree that has just learned the sample, normalized for ADWIN.
  const double input = m.errors.normalized(y_ - m.model->predict_one(x));
  if (m.warning) {
    m.warning->update(input);
    if (m.warning->drift_detected()) {
      m.background = new_tree();
      m.warning->reset();
      ++m.n_warnings;
      ++m.n_changes;
    }
  }
  m.drift->update(input);
  if (m.drift->drift_detected()) {
    ++m.n_drifts;
    ++m.n_changes;
    if (m.warning && m.background) {
      m.model = std::move(m.background);
      m.warning->reset();
    } else {
      m.model = new_tree();
    }
    m.drift->reset();
    m.metric = fresh_metric(*options_.metric);
    m.errors = ErrorVariance{};
  }
}

double ARFRegressor::predict_one(const Features& x) const {
  if (!initialized_) return 0.0;
  const size_t n = members_.size();
  for (size_t i = 0; i < n; ++i) predictions_[i] = members_[i].model->predict_one(x);
  if (!options_.disable_weighted_vote && options_.aggregation_method != Aggregation::kMedian) {
    double sum_weights = 0.0;
    for (size_t i = 0; i < n; ++i) {
      weights_[i] = members_[i].metric->get();
      sum_weights += weights_[i];
    }
    if (sum_weights != 0.0) {
      // River: the higher the error, the lower the weight; weights normalized to sum 1.
      double total = 0.0;
      for (size_t i = 0; i < n; ++i) {
        weights_[i] = sum_weights - weights_[i];
        total += weights_[i];
      }
      for (size_t i = 0; i < n; ++i) predictions_[i] *= weights_[i] / total;
    }
  }
  if (options_.aggregation_method == Aggregation::kMean) {
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i) sum += predictions_[i];
    return sum / static_cast<double>(n);
  }
  // numpy's median: the middle value, or the mean of the two middle values.
  const size_t mid = n / 2;
  std::nth_element(predictions_.begin(), predictions_.begin() + static_cast<std::ptrdiff_t>(mid),
                   predictions_.end());
  const double upper = predictions_[mid];
  if (n % 2 == 1) return upper;
  const double lower = *std::max_element(predictions_.begin(),
                                         predictions_.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2.0;
}

int64_t ARFRegressor::n_drifts_detected() const {
  int64_t n = 0;
  for (const Member& m : members_) n += m.n_drifts;
  return n;
}

int64_t ARFRegressor::n_warnings_detected() const {
  int64_t n = 0;
  for (const Member& m : members_) n += m.n_warnings;
  return n;
}

uint64_t ARFRegressor::n_structure_changes() const {
  uint64_t n = 0;
  for (const Member& m : members_) n += m.n_changes;
  return n;
}

void ARFRegressor::save(StateWriter& out) const {
  out(rng_, initialized_, static_cast<uint64_t>(max_features_));
  if (!initialized_) return;
  for (const Member& m : members_) {
    out(m.n_drifts, m.n_warnings, m.errors);
    internal::save_member_trees(m, out);
  }
}

void ARFRegressor::load(StateReader& in) {
  uint64_t max_features = 0;
  bool initialized = false;
  in(rng_, initialized, max_features);
  initialized_ = initialized;
  max_features_ = initialized ? static_cast<size_t>(max_features) : 0;
  if (!initialized) {
    for (Member& m : members_) {
      m.model.reset();
      m.background.reset();
    }
    return;
  }
  set_tree_options();
  for (Member& m : members_) {
    in(m.n_drifts, m.n_warnings, m.errors);
    internal::load_member_trees(m, in, [this] { return new_tree(); });
  }
}

void ARFRegressor::describe(Description& out) const {
  internal::describe_forest(members_, initialized_, max_features_, out);
}

void ARFRegressor::feature_importances(std::vector<FeatureImportance>& out) const {
  if (initialized_) internal::forest_importances(members_, out);
}

std::string ARFRegressor::draw(size_t max_depth) const {
  return initialized_ ? internal::draw_forest(members_, max_depth) : std::string();
}

}  // namespace rivulet::ml
