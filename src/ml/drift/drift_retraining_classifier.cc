#include "rivulet/ml/drift/drift_retraining_classifier.h"

#include <string_view>
#include <utility>

#include "ml/ensemble/members.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {
// River's drift.binary.DDM().
constexpr std::string_view kDefaultDetector = "drift.DDM()";
}  // namespace

DriftRetrainingClassifier::~DriftRetrainingClassifier() = default;

Result<std::unique_ptr<Classifier>> DriftRetrainingClassifier::make() const {
  RIVULET_ASSIGN_OR_RETURN(auto out, internal::make_member<Classifier>(maker_, seed_, name()));
  out->attach(context_);
  return out;
}

Result<std::unique_ptr<DriftRetrainingClassifier>> DriftRetrainingClassifier::create(
    Options options) {
  if (!options.model) {
    return Status::invalid_argument("drift.DriftRetrainingClassifier: model must be given");
  }
  if (!options.drift_detector) {
    return Status::invalid_argument(
        "drift.DriftRetrainingClassifier: drift_detector must be given");
  }
  std::unique_ptr<DriftRetrainingClassifier> w(new DriftRetrainingClassifier());
  w->maker_ = std::move(options.model);
  w->seed_ = options.seed;
  w->train_in_background_ = options.train_in_background;
  w->detector_ = std::move(options.drift_detector);
  RIVULET_ASSIGN_OR_RETURN(w->model_, w->make());
  if (w->train_in_background_) {
    RIVULET_ASSIGN_OR_RETURN(w->background_, w->make());
  }
  return w;
}

Result<std::unique_ptr<DriftRetrainingClassifier>> DriftRetrainingClassifier::from_params(
    Params& p) {
  Options o;
  o.model = p.estimator_maker("model", "naive_bayes.GaussianNB()", "the classifier to retrain");
  o.drift_detector = p.drift_detector("drift_detector", kDefaultDetector,
                                      "reads the model's 0/1 error; needs a warning zone for "
                                      "train_in_background (None: the default)");
  o.train_in_background = p.boolean("train_in_background", o.train_in_background,
                                    "train a background model from the warning on");
  o.seed = p.default_seed();
  RIVULET_RETURN_IF_ERROR(p.finish());
  if (!o.drift_detector) {
    // River: drift_detector=None means the default detector.
    auto call = parse_call(kDefaultDetector);
    if (!call.ok()) return call.status();
    RIVULET_ASSIGN_OR_RETURN(o.drift_detector, make_drift_detector(*call));
  }
  return create(std::move(o));
}

void DriftRetrainingClassifier::attach(const ModelContext& context) {
  Estimator::attach(context);
  context_.parallel = nullptr;
  model_->attach(context_);
  if (background_) background_->attach(context_);
}

void DriftRetrainingClassifier::learn_one(const Features& x, ClassId y) {
  const auto predicted = model_->predict_one(x, scratch_);
  if (predicted) {
    detector_->update(*predicted != y ? 1.0 : 0.0);
    const bool warning = detector_->warning_detected();
    const bool drift = detector_->drift_detected();
    n_warnings_ += warning ? 1 : 0;
    if (train_in_background_) {
      if (warning) {
        background_->learn_one(x, y);
        ++n_background_samples_;
      } else if (drift) {
        auto fresh = make();
        if (fresh.ok()) {
          model_ = std::move(background_);
          background_ = std::move(fresh).value();
          n_background_samples_ = 0;
          ++n_drifts_;
        }
      }
    } else if (drift) {
      auto fresh = make();
      if (fresh.ok()) {
        model_ = std::move(fresh).value();
        ++n_drifts_;
      }
    }
  }
  model_->learn_one(x, y);
}

bool DriftRetrainingClassifier::predict_proba_one(const Features& x,
                                                  std::vector<double>& proba) const {
  return model_->predict_proba_one(x, proba);
}

std::optional<ClassId> DriftRetrainingClassifier::predict_one(const Features& x,
                                                              std::vector<double>& scratch) const {
  return model_->predict_one(x, scratch);
}

void DriftRetrainingClassifier::save(StateWriter& out) const {
  out(n_drifts_, n_warnings_, n_background_samples_);
  detector_->save(out);
  model_->save(out);
  if (background_) background_->save(out);
}

void DriftRetrainingClassifier::load(StateReader& in) {
  in(n_drifts_, n_warnings_, n_background_samples_);
  detector_->load(in);
  model_->load(in);
  if (background_) background_->load(in);
}

void DriftRetrainingClassifier::describe(Description& out) const {
  out.add("n_drifts", static_cast<double>(n_drifts_));
  out.add("n_warning_samples", static_cast<double>(n_warnings_));
  if (background_) out.add("n_background_samples", static_cast<double>(n_background_samples_));
  internal::describe_prefixed(*model_, "model.", out);
}

void DriftRetrainingClassifier::feature_importances(std::vector<FeatureImportance>& out) const {
  model_->feature_importances(out);
}

std::string DriftRetrainingClassifier::draw(size_t max_depth) const {
  return model_->draw(max_depth);
}

}  // namespace rivulet::ml
