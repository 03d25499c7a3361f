#include "rivulet/ml/ensemble/srp_classifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <cereal/details/helpers.hpp>
#include <cmath>
#include <numeric>

#include "ml/ensemble/members.h"
#include "ml/forest/forest_support.h"
#include "ml/forest/python_draws.h"
#include "ml/tree/class_leaves.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/metrics/accuracy.h"

namespace rivulet::ml {
namespace {

constexpr std::string_view kName = "ensemble.SRPClassifier";

std::shared_ptr<const DriftDetector> adwin(double delta) {
  ADWIN::Options o;
  o.delta = delta;
  return std::make_shared<ADWIN>(o);
}

std::unique_ptr<ClassificationMetric> fresh_metric(const Metric& prototype) {
  return std::unique_ptr<ClassificationMetric>(
      static_cast<ClassificationMetric*>(prototype.clone_fresh().release()));
}

std::string_view method_name(SRPClassifier::TrainingMethod m) {
  switch (m) {
    case SRPClassifier::TrainingMethod::kPatches:
      return "patches";
    case SRPClassifier::TrainingMethod::kSubspaces:
      return "subspaces";
    case SRPClassifier::TrainingMethod::kResampling:
      return "resampling";
  }
  return "patches";
}

}  // namespace

int64_t SRPClassifier::SubspaceSize::resolve(size_t n) const {
  const auto nd = static_cast<double>(n);
  switch (kind) {
    case Kind::kFraction: {
      // Python's round(): halves to even.
      auto k = static_cast<int64_t>(std::nearbyint(nd * value));
      if (k < 2) k = static_cast<int64_t>(std::nearbyint(nd * value)) + 1;
      return k;
    }
    case Kind::kCount:
      return static_cast<int64_t>(value);
    case Kind::kSqrt:
      return static_cast<int64_t>(std::nearbyint(std::sqrt(nd))) + 1;
    case Kind::kRmSqrt:
      return static_cast<int64_t>(n) - static_cast<int64_t>(std::nearbyint(std::sqrt(nd))) + 1;
  }
  return 0;
}

std::shared_ptr<const DriftDetector> SRPClassifier::default_drift_detector() { return adwin(1e-5); }
std::shared_ptr<const DriftDetector> SRPClassifier::default_warning_detector() {
  return adwin(1e-4);
}

SRPClassifier::SRPClassifier(Options options)
    : options_(std::move(options)),
      training_method_(options_.training_method),
      rng_(options_.seed) {}

SRPClassifier::~SRPClassifier() = default;

Status SRPClassifier::build(Learner& learner, uint64_t seed) const {
  auto made = options_.model(seed);
  if (!made.ok()) return made.status();
  std::unique_ptr<Estimator> e = std::move(made).value();
  auto* typed = dynamic_cast<Classifier*>(e.get());
  if (typed == nullptr) {
    return Status::invalid_argument(
        fmt::format("{}: model must be a classifier, got {}", kName, e->name()));
  }
  e.release();
  learner.model.reset(typed);
  learner.seed = seed;
  learner.model->attach(member_context_);
  return Status();
}

Result<std::unique_ptr<SRPClassifier>> SRPClassifier::create(Options options) {
  if (!options.model)
    return Status::invalid_argument(fmt::format("{}: model must be given", kName));
  if (options.n_models < 1) {
    return Status::invalid_argument(
        fmt::format("{}: n_models must be >= 1, got {}", kName, options.n_models));
  }
  if (!(options.lam > 0.0) || !std::isfinite(options.lam)) {
    return Status::invalid_argument(fmt::format("{}: lam must be > 0, got {}", kName, options.lam));
  }
  const SubspaceSize& s = options.subspace_size;
  if ((s.kind == SubspaceSize::Kind::kFraction && !(s.value > 0.0 && s.value <= 1.0)) ||
      (s.kind == SubspaceSize::Kind::kCount && !(s.value > 2.0))) {
    return Status::invalid_argument(fmt::format(
        "{}: subspace_size must be an int > 2, a float in (0, 1], 'sqrt' or 'rmsqrt', got {}",
        kName, s.value));
  }
  if (options.metric == nullptr) options.metric = std::make_shared<Accuracy>();
  if (dynamic_cast<const ClassificationMetric*>(options.metric.get()) == nullptr) {
    return Status::invalid_argument(fmt::format(
        "{}: metric must be a classification metric, got {}", kName, options.metric->name()));
  }
  std::unique_ptr<SRPClassifier> model(new SRPClassifier(std::move(options)));
  const auto n = static_cast<size_t>(model->options_.n_models);
  const uint64_t seed = model->options_.seed;
  model->members_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Member& m = model->members_[i];
    RIVULET_RETURN_IF_ERROR(model->build(m.front, internal::member_seed(seed, i)));
    m.rng.reseed(internal::member_seed(seed, n + i));
    m.seeds = Random(internal::member_seed(seed, 2 * n + i));
    if (model->options_.drift_detector) m.drift = model->options_.drift_detector->clone();
    if (model->options_.warning_detector) m.warning = model->options_.warning_detector->clone();
    m.metric = fresh_metric(*model->options_.metric);
  }
  return model;
}

Result<std::unique_ptr<SRPClassifier>> SRPClassifier::from_params(Params& p) {
  Options o;
  o.model = p.estimator_maker("model", "tree.HoeffdingTreeClassifier(grace_period=50, delta=0.01)",
                              "the base classifier");
  o.n_models = p.integer("n_models", o.n_models, "number of members");
  if (const SpecValue* v =
          p.value("subspace_size", "int|float|str", "0.6",
                  "attributes per subspace: float share, int > 2, 'sqrt', 'rmsqrt'")) {
    using K = SubspaceSize::Kind;
    const bool is_float = v->text.find_first_of(".eE") != std::string::npos;
    if (v->kind == SpecValue::Kind::kString && v->text == "sqrt") {
      o.subspace_size = {K::kSqrt, 0.0};
    } else if (v->kind == SpecValue::Kind::kString && v->text == "rmsqrt") {
      o.subspace_size = {K::kRmSqrt, 0.0};
    } else if (v->kind == SpecValue::Kind::kNumber) {
      o.subspace_size = {is_float ? K::kFraction : K::kCount, v->number};
    } else {
      p.fail(Status::invalid_argument(
          fmt::format("{}: subspace_size must be an int, a float, 'sqrt' or 'rmsqrt', got {}",
                      kName, v->text)));
    }
  }
  const std::string method =
      p.string("training_method", "patches", "'patches', 'subspaces' or 'resampling'");
  if (method == "patches") {
    o.training_method = TrainingMethod::kPatches;
  } else if (method == "subspaces") {
    o.training_method = TrainingMethod::kSubspaces;
  } else if (method == "resampling") {
    o.training_method = TrainingMethod::kResampling;
  } else {
    p.fail(Status::invalid_argument(
        fmt::format("{}: training_method must be 'patches', 'subspaces' or 'resampling', got '{}'",
                    kName, method)));
  }
  o.lam = p.number("lam", o.lam, "Poisson rate of the weights");
  auto drift = p.drift_detector("drift_detector", "drift.ADWIN(delta=1e-05)", "drift detector");
  auto warning =
      p.drift_detector("warning_detector", "drift.ADWIN(delta=0.0001)", "warning detector");
  const std::string disable = p.string(
      "disable_detector", "off", "'off', 'drift' (no detectors) or 'warning' (no background)");
  o.drift_detector = std::move(drift);
  o.warning_detector = std::move(warning);
  if (disable == "drift") {
    o.drift_detector = nullptr;
    o.warning_detector = nullptr;
  } else if (disable == "warning") {
    o.warning_detector = nullptr;
  } else if (disable != "off") {
    p.fail(Status::invalid_argument(fmt::format(
        "{}: disable_detector must be 'off', 'drift' or 'warning', got '{}'", kName, disable)));
  }
  o.disable_weighted_vote = p.boolean("disable_weighted_vote", false, "unweighted vote");
  o.seed = p.seed(0, "seed of the subspaces and weights (and of members without their own seed)");
  auto metric = p.metric("metric", "metrics.Accuracy", "per-member metric of the weighted vote");
  if (metric) o.metric = std::move(metric);
  RIVULET_RETURN_IF_ERROR(p.finish());
  return create(std::move(o));
}

void SRPClassifier::attach(const ModelContext& context) {
  Estimator::attach(context);
  predictions_valid_ = false;
  member_context_ = context;
  member_context_.parallel = nullptr;
  for (Member& m : members_) {
    if (m.front.model) m.front.model->attach(member_context_);
    if (m.back.model) m.back.model->attach(member_context_);
    m.metric->attach(context.labels);
  }
}

std::vector<std::string> SRPClassifier::random_subspace(PythonRandom& rng, size_t k) const {
  // River's rng.sample(all_features, k).
  std::vector<size_t> picked, pool;
  internal::python_sample(rng, all_features_.size(), std::min(k, all_features_.size()), picked,
                          pool);
  std::vector<std::string> out;
  out.reserve(picked.size());
  for (size_t j : picked) out.push_back(all_features_[j]);
  return out;
}

void SRPClassifier::init(const Features& x) {
  // River's list(x.keys()): the sample's attributes in column order, which is the order of
  // their feature indices (so that the order in which x lists them does not matter).
  std::vector<FeatureIndex> indices;
  for (const Feature& f : x) indices.push_back(f.index);
  std::sort(indices.begin(), indices.end());
  all_features_.clear();
  for (const FeatureIndex index : indices) {
    std::string name = internal::attribute_name(index, context_.space);
    if (std::find(all_features_.begin(), all_features_.end(), name) == all_features_.end()) {
      all_features_.push_back(std::move(name));
    }
  }
  const size_t n_features = all_features_.size();
  const size_t n_models = members_.size();
  std::vector<std::vector<std::string>> subspaces(n_models);
  training_method_ = options_.training_method;
  if (training_method_ != TrainingMethod::kResampling) {
    int64_t k = options_.subspace_size.resolve(n_features);
    if (k < 0) k += static_cast<int64_t>(n_features);
    if (k != 0 && k < static_cast<int64_t>(n_features)) {
      if (n_features <= 20 || k < 2) {
        if (k == 1 && n_features > 2) k = 2;
        // itertools.cycle(itertools.combinations(features, k)), the first n_models.
        const auto kk = static_cast<size_t>(k);
        std::vector<size_t> c(kk);
        std::iota(c.begin(), c.end(), size_t{0});
        for (size_t i = 0; i < n_models; ++i) {
          for (size_t j : c) subspaces[i].push_back(all_features_[j]);
          // Next combination in lexicographic order; back to the first after the last.
          size_t j = kk;
          while (j > 0 && c[j - 1] == n_features - kk + (j - 1)) --j;
          if (j == 0) {
            std::iota(c.begin(), c.end(), size_t{0});
          } else {
            ++c[j - 1];
            for (size_t t = j; t < kk; ++t) c[t] = c[t - 1] + 1;
          }
        }
      } else {
        for (size_t i = 0; i < n_models; ++i) {
          subspaces[i] = random_subspace(rng_, static_cast<size_t>(k));
        }
      }
    } else {
      training_method_ = TrainingMethod::kResampling;
    }
  }
  std::vector<size_t> order(n_models);
  std::iota(order.begin(), order.end(), size_t{0});
  if (training_method_ != TrainingMethod::kResampling) internal::python_shuffle(rng_, order);
  for (size_t i = 0; i < n_models; ++i) {
    members_[i].front.subspace = subspaces[order[i]];
    members_[i].front.reads.clear();
  }
  initialized_ = true;
}

const Features& SRPClassifier::restrict(const Learner& learner, const Features& x) const {
  if (learner.subspace.empty()) return x;
  learner.x.clear();
  for (const Feature& f : x) {
    if (f.index >= learner.reads.size()) learner.reads.resize(static_cast<size_t>(f.index) + 1, 2);
    uint8_t& r = learner.reads[f.index];
    if (r == 2) {
      const std::string name = internal::attribute_name(f.index, context_.space);
      r = std::find(learner.subspace.begin(), learner.subspace.end(), name) !=
                  learner.subspace.end()
              ? 1
              : 0;
    }
    if (r == 1) learner.x.push(f.index, f.value);
  }
  return learner.x;
}

void SRPClassifier::learn_one(const Features& x, ClassId y) {
  if (!initialized_) init(x);
  for (Member& m : members_) {
    m.k = training_method_ == TrainingMethod::kSubspaces
              ? 1
              : internal::python_poisson(options_.lam, rng_);
  }
  x_ = &x;
  y_ = y;
  // In test-then-train the ensemble has just predicted x: its members' predictions are reused.
  reuse_predictions_ = predictions_valid_ && predicted_x_ == x;
  predictions_valid_ = false;
  internal::for_each_member(context_, members_.size(),
                            [this](size_t i) { learn_member(members_[i]); });
  for (Member& m : members_) {
    if (m.warned || m.drifted) handle_changes(m);
  }
}

void SRPClassifier::learn_learner(Learner& l, int k) {
  const Features& xs = restrict(l, *x_);
  for (int j = 0; j < k; ++j) l.model->learn_one(xs, y_);
}

void SRPClassifier::learn_member(Member& m) {
  const Features& xs = restrict(m.front, *x_);
  std::optional<ClassId> pred;
  if (m.metric->needs_proba()) {
    if (m.front.model->predict_proba_one(xs, m.scratch)) {
      pred = internal::most_probable(m.scratch, tree::internal::tie_winner(context_.labels));
    } else {
      m.scratch.clear();
    }
  } else {
    pred = reuse_predictions_ ? m.predicted : m.front.model->predict_one(xs, m.scratch);
    m.scratch.clear();
  }
  if (pred) m.metric->update(y_, *pred, m.scratch);
  if (m.k <= 0) return;
  learn_learner(m.front, m.k);
  if (m.back.model) learn_learner(m.back, m.k);
  if (!m.drift) return;
  const double error =
      m.front.model->predict_one(restrict(m.front, *x_), m.scratch) == y_ ? 0.0 : 1.0;
  if (m.warning) {
    m.warning->update(error);
    m.warned = m.warning->drift_detected();
  }
  m.drift->update(error);
  m.drifted = m.drift->drift_detected();
}

void SRPClassifier::handle_changes(Member& m) {
  // River's warning then drift handling of the member, done after the members have learned
  // (in member order) so that new members are built on the caller's thread.
  if (m.warned) {
    m.warned = false;
    ++m.n_warnings;
    Learner back;
    if (!m.front.subspace.empty()) back.subspace = random_subspace(m.rng, m.front.subspace.size());
    if (build(back, m.seeds.next_u64()).ok()) m.back = std::move(back);
    m.warning->reset();
  }
  if (m.drifted) {
    m.drifted = false;
    ++m.n_drifts;
    if (m.warning && m.back.model) {
      m.front = std::move(m.back);
      m.back = Learner{};
      m.warning->reset();
    } else {
      Learner fresh;
      if (!m.front.subspace.empty())
        fresh.subspace = random_subspace(m.rng, m.front.subspace.size());
      if (build(fresh, m.seeds.next_u64()).ok()) m.front = std::move(fresh);
    }
    m.drift->reset();
    m.metric = fresh_metric(*options_.metric);
    m.metric->attach(context_.labels);
  }
}

std::optional<ClassId> SRPClassifier::predict_one(const Features& x,
                                                  std::vector<double>& scratch) const {
  if (!predict_proba_one(x, scratch)) return std::nullopt;
  // River's max over a dict in the order of the tree's set of classes (tie_winner first).
  return internal::most_probable(scratch, tree::internal::tie_winner(context_.labels));
}

bool SRPClassifier::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  proba.assign(context_.labels != nullptr ? context_.labels->size() : 0, 0.0);
  if (!initialized_) return false;
  bool any = false;
  for (const Member& m : members_) {
    m.predicted.reset();
    if (!m.front.model->predict_proba_one(restrict(m.front, x), member_proba_)) continue;
    // the member's predict_one
    m.predicted =
        internal::most_probable(member_proba_, tree::internal::tie_winner(context_.labels));
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

void SRPClassifier::save(StateWriter& out) const {
  out(rng_, initialized_, static_cast<uint8_t>(training_method_), all_features_);
  for (const Member& m : members_) {
    out(m.rng, m.seeds, m.n_drifts, m.n_warnings, m.front.seed, m.front.subspace);
    m.front.model->save(out);
    const bool has_back = m.back.model != nullptr;
    out(has_back);
    if (has_back) {
      out(m.back.seed, m.back.subspace);
      m.back.model->save(out);
    }
    if (m.drift) m.drift->save(out);
    if (m.warning) m.warning->save(out);
    m.metric->save(out);
  }
}

void SRPClassifier::load(StateReader& in) {
  predictions_valid_ = false;
  uint8_t method = 0;
  in(rng_, initialized_, method, all_features_);
  if (method > static_cast<uint8_t>(TrainingMethod::kResampling)) {
    throw cereal::Exception(fmt::format("{}: bad training method {}", kName, method));
  }
  training_method_ = static_cast<TrainingMethod>(method);
  auto restore = [this](Learner& l, uint64_t seed) {
    if (l.model == nullptr || l.seed != seed) {
      const Status s = build(l, seed);
      if (!s.ok()) throw cereal::Exception(s.message());
    }
    l.reads.clear();
  };
  for (Member& m : members_) {
    uint64_t seed = 0;
    in(m.rng, m.seeds, m.n_drifts, m.n_warnings, seed, m.front.subspace);
    restore(m.front, seed);
    m.front.model->load(in);
    bool has_back = false;
    in(has_back);
    m.back = Learner{};
    if (has_back) {
      in(seed, m.back.subspace);
      restore(m.back, seed);
      m.back.model->load(in);
    }
    if (m.drift) m.drift->load(in);
    if (m.warning) m.warning->load(in);
    m.metric->load(in);
  }
}

void SRPClassifier::describe(Description& out) const {
  out.add("n_models", static_cast<double>(members_.size()));
  out.add("training_method", std::string(method_name(training_method_)));
  for (size_t i = 0; i < members_.size(); ++i) {
    const Member& m = members_[i];
    std::string subspace;
    for (const auto& s : m.front.subspace) subspace += (subspace.empty() ? "" : ", ") + s;
    out.add(fmt::format("member[{}].subspace", i), subspace.empty() ? "all" : subspace);
    out.add(fmt::format("member[{}].{}", i, m.metric->name()), m.metric->get());
    out.add(fmt::format("member[{}].n_drifts", i), static_cast<double>(m.n_drifts));
    out.add(fmt::format("member[{}].n_warnings", i), static_cast<double>(m.n_warnings));
    Description d;
    m.front.model->describe(d);
    for (const auto& [k, v] : d.items()) out.add(fmt::format("member[{}].{}", i, k), v);
  }
}

void SRPClassifier::feature_importances(std::vector<FeatureImportance>& out) const {
  const size_t first = out.size();
  std::vector<FeatureImportance> mine;
  for (const Member& m : members_) {
    mine.clear();
    m.front.model->feature_importances(mine);
    internal::merge_importances(mine, first, out);
  }
}

std::string SRPClassifier::draw(size_t max_depth) const {
  std::string text;
  for (size_t i = 0; i < members_.size(); ++i) {
    const std::string d = members_[i].front.model->draw(max_depth);
    if (d.empty()) continue;
    text += fmt::format("member {}\n{}", i + 1, d);
    if (text.back() != '\n') text += '\n';
  }
  return text;
}

}  // namespace rivulet::ml
