#include "rivulet/ml/forest/arf_classifier.h"

#include <fmt/format.h>

#include <cereal/details/helpers.hpp>
#include <cmath>

#include "ml/ensemble/members.h"
#include "ml/forest/arf_common.h"
#include "ml/forest/forest_support.h"
#include "ml/forest/python_draws.h"
#include "ml/tree/class_leaves.h"
#include "ml/tree/tree_params.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/metrics/accuracy.h"

namespace rivulet::ml {
namespace {

constexpr std::string_view kName = "forest.ARFClassifier";

std::shared_ptr<const DriftDetector> adwin(double delta) {
  ADWIN::Options o;
  o.delta = delta;
  return std::make_shared<ADWIN>(o);
}

}  // namespace

HoeffdingTreeClassifier::Options ARFClassifier::default_tree_options() {
  HoeffdingTreeClassifier::Options o;
  o.grace_period = 50;
  o.delta = 0.01;
  o.tau = 0.05;
  o.max_size = 100.0;
  o.memory_estimate_period = 2000000;
  return o;
}

std::shared_ptr<const DriftDetector> ARFClassifier::default_drift_detector() {
  return adwin(0.001);
}
std::shared_ptr<const DriftDetector> ARFClassifier::default_warning_detector() {
  return adwin(0.01);
}

ARFClassifier::ARFClassifier(Options options) : options_(std::move(options)), rng_(options_.seed) {}

ARFClassifier::~ARFClassifier() = default;

Result<std::unique_ptr<ARFClassifier>> ARFClassifier::create(Options options) {
  RIVULET_RETURN_IF_ERROR(
      (internal::check_forest_options<ClassificationMetric, Accuracy>(kName, options)));
  // Check the tree options once, as the trees will be built.
  HoeffdingTreeClassifier::Options probe = options.tree;
  probe.max_features = 1;
  RIVULET_ASSIGN_OR_RETURN(auto tree, HoeffdingTreeClassifier::create(probe));
  (void)tree;
  std::unique_ptr<ARFClassifier> model(new ARFClassifier(std::move(options)));
  internal::make_members<ClassificationMetric>(model->options_, model->members_);
  return model;
}

Result<std::unique_ptr<ARFClassifier>> ARFClassifier::from_params(Params& p) {
  Options o;
  internal::read_forest_size(p, o);
  internal::read_forest_params(p, o, kName, "metrics.Accuracy",
                               "per-tree metric of the weighted vote", false,
                               "sum the trees' probabilities unweighted");
  HoeffdingTreeClassifier::Options& t = o.tree;
  tree::internal::read_split_params(p, t, fmt::format("{}: ", kName));
  tree::internal::read_memory_params(p, t);
  o.seed = p.seed(0, "seed of the Poisson weights and of the attribute subsets");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

void ARFClassifier::attach(const ModelContext& context) {
  Estimator::attach(context);
  predictions_valid_ = false;
  member_context_ = context;
  member_context_.parallel = nullptr;
  for (Member& m : members_) {
    if (m.model) m.model->attach(member_context_);
    if (m.background) m.background->attach(member_context_);
    m.metric->attach(context.labels);
  }
}

std::unique_ptr<HoeffdingTreeClassifier> ARFClassifier::new_tree() const {
  auto tree = std::make_unique<HoeffdingTreeClassifier>(tree_options_);
  tree->attach(member_context_);
  return tree;
}

void ARFClassifier::set_tree_options() {
  tree_options_ = options_.tree;
  tree_options_.max_features = max_features_;
  tree_options_.caller_draws_subsets = true;  // from rng_, in learn_one
}

void ARFClassifier::init(const Features& x) {
  // River builds the trees at the first sample, when it knows how many attributes there are.
  max_features_ = options_.max_features.resolve(internal::count_attributes(x, context_.space));
  set_tree_options();
  for (Member& m : members_) m.model = new_tree();
  initialized_ = true;
}

void ARFClassifier::learn_one(const Features& x, ClassId y) {
  if (!initialized_) init(x);
  internal::draw_for_sample(members_, options_.lambda_value, rng_, x);
  x_ = &x;
  y_ = y;
  // In test-then-train the forest has just predicted x: its trees' predictions are reused.
  reuse_predictions_ = predictions_valid_ && predicted_x_ == x;
  predictions_valid_ = false;
  internal::for_each_member(context_, members_.size(),
                            [this](size_t i) { learn_member(members_[i]); });
}

void ARFClassifier::learn_member(Member& m) {
  const Features& x = *x_;
  // The tree's test-then-train score (River: metric.update(y, tree.predict_one(x))).
  std::optional<ClassId> pred;
  if (m.metric->needs_proba()) {
    if (m.model->predict_proba_one(x, m.scratch)) {
      pred = internal::most_probable(m.scratch, tree::internal::tie_winner(context_.labels));
    } else {
      m.scratch.clear();
    }
  } else {
    pred = reuse_predictions_ ? m.predicted : m.model->predict_one(x, m.scratch);
    m.scratch.clear();
  }
  // A tree that cannot predict yet counts as wrong (River's None).
  m.metric->update(y_, pred.value_or(kNoClass), m.scratch);
  if (m.k <= 0) return;
  const auto w = static_cast<double>(m.k);
  m.model->learn(x, y_, w);
  if (m.background) m.background->learn(x, y_, w);
  if (!m.drift) return;
  // River feeds the detectors the error of the tree that has just learned the sample.
  const double error = m.model->predict_one(x, m.scratch) == y_ ? 0.0 : 1.0;
  if (m.warning) {
    m.warning->update(error);
    if (m.warning->drift_detected()) {
      m.background = new_tree();
      m.warning->reset();
      ++m.n_warnings;
    }
  }
  m.drift->update(error);
  if (m.drift->drift_detected()) {
    ++m.n_drifts;
    if (m.warning && m.background) {
      m.model = std::move(m.background);
      m.warning->reset();
    } else {
      m.model = new_tree();
    }
    m.drift->reset();
    m.metric = std::unique_ptr<ClassificationMetric>(
        static_cast<ClassificationMetric*>(options_.metric->clone_fresh().release()));
    m.metric->attach(context_.labels);
  }
}

bool ARFClassifier::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  proba.assign(context_.labels != nullptr ? context_.labels->size() : 0, 0.0);
  if (!initialized_) return false;
  const ClassId first = tree::internal::tie_winner(context_.labels);
  walking_.clear();
  for (const Member& m : members_) walking_.push_back(m.model.get());
  HoeffdingTreeClassifier::find_leaves(walking_, x, walk_cursor_);
  bool any = false;
  for (const Member& m : members_) {
    m.predicted.reset();
    if (!m.model->predict_proba_one(x, member_proba_)) continue;
    m.predicted = internal::most_probable(member_proba_, first);  // the tree's predict_one(x)
    any = true;
    const double metric = m.metric->get();
    const double weight = !options_.disable_weighted_vote && metric > 0.0 ? metric : 1.0;
    internal::add_scaled(member_proba_, weight, proba);
  }
  predicted_x_ = x;
  predictions_valid_ = true;
  if (!any) return false;
  double total = 0.0;
  for (double p : proba) total += p;
  if (total > 0.0) {
    for (double& p : proba) p /= total;
  }
  return true;
}

std::optional<ClassId> ARFClassifier::predict_one(const Features& x,
                                                  std::vector<double>& scratch) const {
  if (!predict_proba_one(x, scratch)) return std::nullopt;
  // River's max over the forest's classes, in the order the trees list them (tie_winner).
  return internal::most_probable(scratch, tree::internal::tie_winner(context_.labels));
}

int64_t ARFClassifier::n_drifts_detected() const {
  int64_t n = 0;
  for (const Member& m : members_) n += m.n_drifts;
  return n;
}

int64_t ARFClassifier::n_warnings_detected() const {
  int64_t n = 0;
  for (const Member& m : members_) n += m.n_warnings;
  return n;
}

void ARFClassifier::save(StateWriter& out) const {
  out(rng_, initialized_, static_cast<uint64_t>(max_features_));
  if (!initialized_) return;
  for (const Member& m : members_) {
    out(m.n_drifts, m.n_warnings);
    internal::save_member_trees(m, out);
  }
}

void ARFClassifier::load(StateReader& in) {
  predictions_valid_ = false;
  uint64_t max_features = 0;
  bool initialized = false;
  in(rng_, initialized, max_features);
  if (!initialized) {
    initialized_ = false;
    max_features_ = 0;
    for (Member& m : members_) {
      m.model.reset();
      m.background.reset();
    }
    return;
  }
  max_features_ = static_cast<size_t>(max_features);
  set_tree_options();
  initialized_ = true;
  for (Member& m : members_) {
    in(m.n_drifts, m.n_warnings);
    internal::load_member_trees(m, in, [this] { return new_tree(); });
  }
}

void ARFClassifier::describe(Description& out) const {
  internal::describe_forest(members_, initialized_, max_features_, out);
}

void ARFClassifier::feature_importances(std::vector<FeatureImportance>& out) const {
  if (initialized_) internal::forest_importances(members_, out);
}

std::string ARFClassifier::draw(size_t max_depth) const {
  return initialized_ ? internal::draw_forest(members_, max_depth) : std::string();
}

}  // namespace rivulet::ml
