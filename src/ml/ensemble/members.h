#pragma once
// The members of a wrapper ensemble (River's base.WrapperEnsemble): n copies of one base learner
// built by an EstimatorMaker from its spec, replaced by fresh copies when an ensemble resets
// one (River's `model.clone()`).
//
// Seeds: River deep-copies (clones) the base model, so the members of a base learner whose spec
// sets `seed` share that seed, and the maker keeps it. A base spec without a seed gets, for the
// k-th member built (replacements included), a seed derived from the ensemble's seed and k, so
// the members draw different numbers (River's unseeded copies draw from independent streams)
// and a seeded ensemble is reproducible.
//
// State: each member's seed and learned state, so that a restored ensemble rebuilds every member
// (replacements included) with the seed it was built with before loading its state.
//
// Members train in parallel when the model gives a ParallelFor (ModelContext::parallel): the
// ensembles draw every member's randomness first, in member order, so that the result does not
// depend on the order in which members train. Members are attached without the pool.
// Also here: the typed construction of a base learner from its maker (make_member, which
// DriftRetrainingClassifier uses too), a wrapped estimator's description under a prefix, and
// online bagging's vote.
// Thread safety: none.

#include <fmt/format.h>

#include <cereal/details/helpers.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ml/forest/forest_support.h"
#include "rivulet/core/state.h"
#include "rivulet/core/status.h"
#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml::internal {

/// SplitMix64 of (seed, k): the seed of the k-th member built by an ensemble seeded with `seed`.
inline uint64_t member_seed(uint64_t seed, uint64_t k) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (k + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// Runs task(i) for i in [0, n) on the model's threads when it has some, else in order.
template <typename Task>
void for_each_member(const ModelContext& context, size_t n, Task&& task) {
  if (context.parallel != nullptr && n > 1) {
    context.parallel->run(n, task);
  } else {
    for (size_t i = 0; i < n; ++i) task(i);
  }
}

/// A fresh `Base` (Classifier or Regressor) from `maker`. Errors: the maker's, or
/// kInvalidArgument when it builds an estimator that is not a `Base` (`owner` names the wrapper
/// in the message).
template <typename Base>
Result<std::unique_ptr<Base>> make_member(const EstimatorMaker& maker, std::optional<uint64_t> seed,
                                          std::string_view owner) {
  auto made = maker(seed);
  if (!made.ok()) return made.status();
  std::unique_ptr<Estimator> e = std::move(made).value();
  auto* typed = dynamic_cast<Base*>(e.get());
  if (typed == nullptr) {
    return Status::invalid_argument(
        fmt::format("{}: model must be a {}, got {}", owner,
                    std::is_same_v<Base, Regressor> ? "regressor" : "classifier", e->name()));
  }
  e.release();
  return std::unique_ptr<Base>(typed);
}

/// Adds `inner`'s description to `out`, each key prefixed with `prefix`.
inline void describe_prefixed(const Estimator& inner, std::string_view prefix, Description& out) {
  Description d;
  inner.describe(d);
  for (const auto& [k, v] : d.items()) out.add(fmt::format("{}{}", prefix, k), v);
}

template <typename Base>
class Members {
 public:
  /// Builds `n` members. Errors: kInvalidArgument when the maker is empty, fails, or builds an
  /// estimator that is not a `Base` (`owner` names the ensemble in the message).
  Status init(EstimatorMaker maker, size_t n, uint64_t seed, std::string_view owner) {
    if (!maker) return Status::invalid_argument(fmt::format("{}: model must be given", owner));
    maker_ = std::move(maker);
    seed_ = seed;
    owner_ = std::string(owner);
    members_.clear();
    seeds_.clear();
    for (size_t i = 0; i < n; ++i) {
      const uint64_t s = member_seed(seed_, built_++);
      auto made = make(s);
      if (!made.ok()) return made.status();
      members_.push_back(std::move(made).value());
      seeds_.push_back(s);
    }
    return Status();
  }

  size_t size() const { return members_.size(); }
  Base& operator[](size_t i) { return *members_[i]; }
  const Base& operator[](size_t i) const { return *members_[i]; }
  uint64_t built() const { return built_; }

  /// Replaces member i by a fresh copy of the base learner.
  void reset(size_t i) {
    const uint64_t s = member_seed(seed_, built_++);
    auto made = make(s);
    if (!made.ok()) return;  // the maker built this spec before; it does not fail now
    members_[i] = std::move(made).value();
    seeds_[i] = s;
    members_[i]->attach(context_);
  }

  void attach(const ModelContext& context) {
    context_ = context;
    context_.parallel = nullptr;
    for (auto& m : members_) m->attach(context_);
  }

  void save(StateWriter& out) const {
    out(built_, static_cast<uint64_t>(members_.size()));
    for (size_t i = 0; i < members_.size(); ++i) {
      out(seeds_[i]);
      members_[i]->save(out);
    }
  }

  void load(StateReader& in) {
    uint64_t n = 0;
    in(built_, n);
    if (n != members_.size()) {
      throw cereal::Exception(
          fmt::format("{}: {} members stored, {} expected", owner_, n, members_.size()));
    }
    for (size_t i = 0; i < members_.size(); ++i) {
      uint64_t s = 0;
      in(s);
      if (s != seeds_[i]) {
        auto made = make(s);
        if (!made.ok()) throw cereal::Exception(made.status().message());
        members_[i] = std::move(made).value();
        seeds_[i] = s;
        members_[i]->attach(context_);
      }
      members_[i]->load(in);
    }
  }

  /// Each member's description, its keys prefixed with "member[i].".
  void describe(Description& out) const {
    for (size_t i = 0; i < members_.size(); ++i) {
      describe_prefixed(*members_[i], fmt::format("member[{}].", i), out);
    }
  }

  /// The members' feature importances, summed by feature.
  void feature_importances(std::vector<FeatureImportance>& out) const {
    const size_t first = out.size();
    std::vector<FeatureImportance> mine;
    for (const auto& m : members_) m->feature_importances(mine);
    merge_importances(mine, first, out);
  }

  std::string draw(size_t max_depth) const {
    std::string text;
    for (size_t i = 0; i < members_.size(); ++i) {
      const std::string d = members_[i]->draw(max_depth);
      if (d.empty()) continue;
      text += fmt::format("member {}:\n{}", i, d);
      if (text.back() != '\n') text += '\n';
    }
    return text;
  }

 private:
  Result<std::unique_ptr<Base>> make(uint64_t seed) const {
    return make_member<Base>(maker_, seed, owner_);
  }

  EstimatorMaker maker_;
  std::vector<std::unique_ptr<Base>> members_;
  std::vector<uint64_t> seeds_;
  uint64_t seed_ = 0;
  uint64_t built_ = 0;
  std::string owner_;
  ModelContext context_;
};

/// Adds `member`'s probabilities to `sum` (grown to cover them), each scaled by `weight`.
inline void add_scaled(const std::vector<double>& member, double weight, std::vector<double>& sum) {
  if (member.size() > sum.size()) sum.resize(member.size(), 0.0);
  for (size_t c = 0; c < member.size(); ++c) sum[c] += weight * member[c];
}

/// The number of classes the model's label encoder knows (0 without one).
inline size_t n_labels(const ModelContext& context) {
  return context.labels != nullptr ? context.labels->size() : 0;
}

/// Online bagging's vote (River's BaggingClassifier): the members' probabilities summed and
/// divided by their total; members that cannot predict add nothing. Returns false when the total
/// is not positive (River's empty Counter: no prediction). `member_proba` is scratch.
inline bool bagging_proba(const Members<Classifier>& members, const ModelContext& context,
                          const Features& x, std::vector<double>& proba,
                          std::vector<double>& member_proba) {
  proba.assign(n_labels(context), 0.0);
  for (size_t i = 0; i < members.size(); ++i) {
    if (members[i].predict_proba_one(x, member_proba)) add_scaled(member_proba, 1.0, proba);
  }
  double total = 0.0;
  for (double p : proba) total += p;
  if (!(total > 0.0)) return false;
  for (double& p : proba) p /= total;
  return true;
}

}  // namespace rivulet::ml::internal
