#include "rivulet/ml/ensemble/ada_boost_classifier.h"

#include <fmt/format.h>

#include <cmath>

#include "ml/ensemble/members.h"

namespace rivulet::ml {

Result<std::unique_ptr<AdaBoostClassifier>> AdaBoostClassifier::create(Options options) {
  RIVULET_ASSIGN_OR_RETURN(
      auto model, with_members(std::unique_ptr<AdaBoostClassifier>(new AdaBoostClassifier()),
                               std::move(options)));
  model->correct_.assign(model->n_models(), 0.0);
  model->wrong_.assign(model->n_models(), 0.0);
  return model;
}

Result<std::unique_ptr<AdaBoostClassifier>> AdaBoostClassifier::from_params(Params& p) {
  return create_from<AdaBoostClassifier>(p, "naive_bayes.GaussianNB()", "the classifier to boost");
}

void AdaBoostClassifier::learn_one(const Features& x, ClassId y) {
  double lambda = 1.0;
  for (size_t i = 0; i < members_->size(); ++i) {
    Classifier& m = (*members_)[i];
    const int k = rng_.poisson(lambda);
    for (int j = 0; j < k; ++j) m.learn_one(x, y);
    if (m.predict_one(x, scratch_) == y) {
      correct_[i] += lambda;
      lambda *= (correct_[i] + wrong_[i]) / (2.0 * correct_[i]);
    } else {
      wrong_[i] += lambda;
      lambda *= (correct_[i] + wrong_[i]) / (2.0 * wrong_[i]);
    }
  }
}

double AdaBoostClassifier::model_weight(size_t i) const {
  const double epsilon = (wrong_[i] + 1e-16) / ((correct_[i] + wrong_[i]) + 1e-16);
  if (epsilon == 0.0 || epsilon > 0.5) return 1.0;
  const double beta_inv = (1.0 - epsilon) / epsilon;
  return beta_inv != 0.0 ? std::log(beta_inv) : 0.0;
}

bool AdaBoostClassifier::predict_proba_one(const Features& x, std::vector<double>& proba) const {
  proba.assign(internal::n_labels(context_), 0.0);
  bool any = false;
  for (size_t i = 0; i < members_->size(); ++i) {
    if (!(*members_)[i].predict_proba_one(x, member_proba_)) continue;  // River's empty dict
    any = true;
    // normalize_values_in_dict leaves a dict summing to 0 as it is.
    double total = 0.0;
    for (double p : member_proba_) total += p;
    const double weight = model_weight(i);
    internal::add_scaled(member_proba_, total != 0.0 ? weight / total : weight, proba);
  }
  double total = 0.0;
  for (double p : proba) total += p;
  // A sum of 0 stays as it is (River's normalization leaves it), and still predicts when some
  // member did: River's Counter then holds the labels with zero votes.
  if (total != 0.0) {
    for (double& p : proba) p /= total;
  }
  return any;
}

void AdaBoostClassifier::save_own(StateWriter& out) const { out(correct_, wrong_); }

void AdaBoostClassifier::load_own(StateReader& in) {
  std::vector<double> correct, wrong;
  in(correct, wrong);
  if (correct.size() != members_->size() || wrong.size() != members_->size()) {
    throw cereal::Exception("ensemble.AdaBoostClassifier: weights of another ensemble size");
  }
  correct_ = std::move(correct);
  wrong_ = std::move(wrong);
}

void AdaBoostClassifier::describe_own(Description& out) const {
  for (size_t i = 0; i < members_->size(); ++i) {
    out.add(fmt::format("correct_weight[{}]", i), correct_[i]);
    out.add(fmt::format("wrong_weight[{}]", i), wrong_[i]);
    out.add(fmt::format("model_weight[{}]", i), model_weight(i));
  }
}

}  // namespace rivulet::ml
