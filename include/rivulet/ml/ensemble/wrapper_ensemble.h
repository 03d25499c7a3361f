#pragma once
/// The bases of the wrapper ensembles (River's `base.WrapperEnsemble`): what BaggingClassifier,
/// BaggingRegressor, AdaBoostClassifier, ADWINBaggingClassifier and LeveragingBaggingClassifier
/// share, so that each of them holds only its algorithm.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rivulet/core/random.h"
#include "rivulet/ml/drift/adwin.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml {
namespace internal {
template <typename Base>
class Members;
}

/// An ensemble of `n_models` members, fresh copies of one base learner built from its spec
/// (`Base`: Classifier or Regressor), with the ensemble's random source. See ensemble/members.h
/// in src/ for how members are seeded (River clones the base model: a seeded base spec gives
/// every member its seed).
/// learn_one is online bagging's frame: every member's weight is drawn first, in member order
/// (draw_weights; by default k ~ Poisson(1)), so that the members may then learn in any order
/// (learn_member; by default the sample k times), on the model's threads when it has some; then
/// after_learning() runs once. A subclass overrides the steps it changes (or learn_one).
/// State: the random source, the subclass's state (save_own), then the members. describe():
/// n_models, the subclass's lines (describe_own), then each member's, prefixed "member[i].".
/// Thread safety: none; members learn in parallel on the model's threads when it has some.
template <typename Base>
class WrapperEnsemble : public Base {
 public:
  /// The target type of Base::learn_one.
  using Target = std::conditional_t<std::is_same_v<Base, Regressor>, double, ClassId>;
  struct Options {
    EstimatorMaker model = {};  ///< Builds a fresh member. REQUIRES: set; builds a `Base`.
    int64_t n_models = 10;      ///< Number of members. REQUIRES: >= 2 (as River's Ensemble).
    uint64_t seed = 0;          ///< Seed of the Poisson draws (and of unseeded members).
  };
  ~WrapperEnsemble() override;

  void attach(const ModelContext& context) final;
  void learn_one(const Features& x, Target y) override;
  void save(StateWriter& out) const final;
  void load(StateReader& in) final;
  void describe(Description& out) const final;
  void feature_importances(std::vector<FeatureImportance>& out) const final;
  std::string draw(size_t max_depth) const final;

  size_t n_models() const;
  const Base& member(size_t i) const;

 protected:
  WrapperEnsemble();
  /// Seeds the random source and builds the members. Errors: kInvalidArgument when n_models < 2,
  /// or the maker is empty, fails or builds something else than a `Base` (messages start with
  /// name()).
  Status init(EstimatorMaker model, int64_t n_models, uint64_t seed);
  /// kInvalidArgument unless n_models >= 2 (init checks it; a subclass that validates more
  /// options calls it first, so that this error comes first).
  Status check_n_models(int64_t n_models) const;
  /// A subclass's create when its Options are these: `model`, fresh from its constructor, with
  /// its members built. Errors: init's.
  template <typename Derived>
  static Result<std::unique_ptr<Derived>> with_members(std::unique_ptr<Derived> model,
                                                       Options options) {
    RIVULET_RETURN_IF_ERROR(model->init(std::move(options.model), options.n_models, options.seed));
    return model;
  }
  /// A subclass's from_params when its Options are these: reads `model` (default
  /// `default_model`), `n_models` and `seed`, in River's order, then `Derived::create`s.
  template <typename Derived>
  static Result<std::unique_ptr<Derived>> create_from(Params& p, std::string_view default_model,
                                                      std::string_view model_help) {
    auto options = read_options(p, default_model, model_help);
    if (!options.ok()) return options.status();
    return Derived::create(std::move(options).value());
  }

  /// Draws every member's weight into k_, in member order.
  virtual void draw_weights();
  /// Member i learns the sample (*x_, y_) k_[i] times. Runs in parallel for distinct i.
  virtual void learn_member(size_t i);
  virtual void after_learning() {}
  virtual void save_own(StateWriter& out) const { (void)out; }
  virtual void load_own(StateReader& in) { (void)in; }
  virtual void describe_own(Description& out) const { (void)out; }

  std::unique_ptr<internal::Members<Base>> members_;
  Random rng_;
  std::vector<int> k_;           // this sample's weight per member
  const Features* x_ = nullptr;  // this sample, for the members (they may learn in parallel)
  Target y_ = Target();

 private:
  static Result<Options> read_options(Params& p, std::string_view default_model,
                                      std::string_view model_help);
};

extern template class WrapperEnsemble<Classifier>;
extern template class WrapperEnsemble<Regressor>;

/// A wrapper ensemble of classifiers with one ADWIN per member reading its 0/1 error (ADWIN
/// bagging, leveraging bagging): a subclass's learn_member has member i learn, then calls
/// watch(i, wrong) when its ADWIN is to read the error. Once all members have learned, if some
/// member's ADWIN detected a drift with its error estimate rising, the member whose ADWIN
/// estimates the highest error (the first on ties) is replaced by a fresh copy of the base
/// learner, with a fresh ADWIN. Probabilities are online bagging's: the members' probabilities
/// summed and divided by their total (members that cannot predict add nothing; when none can,
/// neither can the ensemble).
/// State after the random source: the replacements so far, then every ADWIN.
/// Thread safety: none; members learn in parallel on the model's threads when it has some.
class ADWINWatchedEnsemble : public WrapperEnsemble<Classifier> {
 public:
  bool predict_proba_one(const Features& x, std::vector<double>& proba) const final;
  const ADWIN& detector(size_t i) const { return *detectors_[i]; }
  /// Members replaced after a drift so far (River's n_detected_changes).
  int64_t n_detected_changes() const { return n_detected_changes_; }

 protected:
  ADWINWatchedEnsemble() = default;
  /// WrapperEnsemble::init, then one ADWIN per member made with `adwin`. Errors: init's, and
  /// ADWIN::create's.
  Status init(EstimatorMaker model, int64_t n_models, uint64_t seed, const ADWIN::Options& adwin);
  /// Member i's ADWIN reads its error (`wrong`). Runs in parallel for distinct i.
  void watch(size_t i, bool wrong);

  std::vector<std::vector<double>> scratch_;  // per member, for its predictions in learn_member

 private:
  void after_learning() final;
  void save_own(StateWriter& out) const final;
  void load_own(StateReader& in) final;
  void describe_own(Description& out) const final;

  std::vector<std::unique_ptr<ADWIN>> detectors_;
  std::vector<char> rising_;  // per member: its ADWIN saw its error rise on this sample
  int64_t n_detected_changes_ = 0;
  mutable std::vector<double> member_proba_;
};

}  // namespace rivulet::ml
