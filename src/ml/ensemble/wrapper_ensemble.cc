#include "rivulet/ml/ensemble/wrapper_ensemble.h"

#include <fmt/format.h>

#include "ml/ensemble/members.h"

namespace rivulet::ml {

template <typename Base>
WrapperEnsemble<Base>::WrapperEnsemble() : members_(std::make_unique<internal::Members<Base>>()) {}

template <typename Base>
WrapperEnsemble<Base>::~WrapperEnsemble() = default;

template <typename Base>
Status WrapperEnsemble<Base>::check_n_models(int64_t n_models) const {
  if (n_models >= 2) return Status();
  return Status::invalid_argument(
      fmt::format("{}: n_models must be >= 2, got {}", this->name(), n_models));
}

template <typename Base>
Status WrapperEnsemble<Base>::init(EstimatorMaker model, int64_t n_models, uint64_t seed) {
  RIVULET_RETURN_IF_ERROR(check_n_models(n_models));
  rng_.reseed(seed);
  RIVULET_RETURN_IF_ERROR(
      members_->init(std::move(model), static_cast<size_t>(n_models), seed, this->name()));
  k_.assign(members_->size(), 0);
  return Status();
}

template <typename Base>
Result<typename WrapperEnsemble<Base>::Options> WrapperEnsemble<Base>::read_options(
    Params& p, std::string_view default_model, std::string_view model_help) {
  Options o;
  o.model = p.estimator_maker("model", default_model, model_help);
  o.n_models = p.integer("n_models", o.n_models, "number of members, >= 2");
  o.seed = p.seed(0, "seed of the Poisson weights (and of members without their own seed)");
  RIVULET_RETURN_IF_ERROR(p.finish());
  return o;
}

template <typename Base>
void WrapperEnsemble<Base>::attach(const ModelContext& context) {
  Base::attach(context);
  members_->attach(context);
}

template <typename Base>
void WrapperEnsemble<Base>::learn_one(const Features& x, Target y) {
  draw_weights();
  x_ = &x;
  y_ = y;
  internal::for_each_member(this->context_, k_.size(), [this](size_t i) { learn_member(i); });
  after_learning();
}

template <typename Base>
void WrapperEnsemble<Base>::draw_weights() {
  for (int& k : k_) k = rng_.poisson(1.0);
}

template <typename Base>
void WrapperEnsemble<Base>::learn_member(size_t i) {
  Base& m = (*members_)[i];
  for (int j = 0; j < k_[i]; ++j) m.learn_one(*x_, y_);
}

template <typename Base>
void WrapperEnsemble<Base>::save(StateWriter& out) const {
  out(rng_);
  save_own(out);
  members_->save(out);
}

template <typename Base>
void WrapperEnsemble<Base>::load(StateReader& in) {
  in(rng_);
  load_own(in);
  members_->load(in);
}

template <typename Base>
void WrapperEnsemble<Base>::describe(Description& out) const {
  out.add("n_models", static_cast<double>(members_->size()));
  describe_own(out);
  members_->describe(out);
}

template <typename Base>
void WrapperEnsemble<Base>::feature_importances(std::vector<FeatureImportance>& out) const {
  members_->feature_importances(out);
}

template <typename Base>
std::string WrapperEnsemble<Base>::draw(size_t max_depth) const {
  return members_->draw(max_depth);
}

template <typename Base>
size_t WrapperEnsemble<Base>::n_models() const {
  return members_->size();
}

template <typename Base>
const Base& WrapperEnsemble<Base>::member(size_t i) const {
  return (*members_)[i];
}

template class WrapperEnsemble<Classifier>;
template class WrapperEnsemble<Regressor>;

Status ADWINWatchedEnsemble::init(EstimatorMaker model, int64_t n_models, uint64_t seed,
                                  const ADWIN::Options& adwin) {
  RIVULET_RETURN_IF_ERROR(WrapperEnsemble::init(std::move(model), n_models, seed));
  for (size_t i = 0; i < members_->size(); ++i) {
    RIVULET_ASSIGN_OR_RETURN(auto detector, ADWIN::create(adwin));
    detectors_.push_back(std::move(detector));
  }
  rising_.assign(members_->size(), 0);
  scratch_.resize(members_->size());
  return Status();
}

void ADWINWatchedEnsemble::watch(size_t i, bool wrong) {
  ADWIN& adwin = *detectors_[i];
  const double before = adwin.estimation();
  adwin.update(wrong ? 1.0 : 0.0);
  rising_[i] = adwin.drift_detected() && adwin.estimation() > before;
}

void ADWINWatchedEnsemble::after_learning() {
  bool change = false;
  for (char& rising : rising_) {
    change = change || rising != 0;
    rising = 0;  // a member whose ADWIN does not read the next sample does not rise on it
  }
  if (!change) return;
  size_t worst = 0;
  for (size_t i = 1; i < detectors_.size(); ++i) {
    if (detectors_[i]->estimation() > detectors_[worst]->estimation()) worst = i;
  }
  members_->reset(worst);
  detectors_[worst]->reset();
  ++n_detected_changes_;
}

bool ADWINWatchedEnsemble::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  return internal::bagging_proba(*members_, context_, x, proba, member_proba_);
}

void ADWINWatchedEnsemble::save_own(StateWriter& out) const {
  out(n_detected_changes_);
  for (const auto& d : detectors_) d->save(out);
}

void ADWINWatchedEnsemble::load_own(StateReader& in) {
  in(n_detected_changes_);
  for (auto& d : detectors_) d->load(in);
}

void ADWINWatchedEnsemble::describe_own(Description& out) const {
  out.add("n_detected_changes", static_cast<double>(n_detected_changes_));
  for (size_t i = 0; i < detectors_.size(); ++i) {
    out.add(fmt::format("error_estimation[{}]", i), detectors_[i]->estimation());
  }
}

}  // namespace rivulet::ml
