#pragma once
// Test members for the ensemble tests: classifiers whose behaviour is fixed in advance, so that
// what an ensemble does with them can be checked by hand. Header-only (the test target compiles
// only *_test.cc files).

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "rivulet/ml/estimator.h"
#include "rivulet/ml/params.h"

namespace rivulet::ml::test_members {

// Counts its learn_one calls; predicts `predicted` (nullopt: cannot predict) with probabilities
// `proba` (indexed by class id).
class FixedClassifier final : public Classifier {
 public:
  FixedClassifier(std::optional<ClassId> predicted, std::vector<double> proba)
      : predicted_(predicted), proba_(std::move(proba)) {}
  std::string_view name() const override { return "test.FixedClassifier"; }
  void learn_one(const Features&, ClassId) override { ++learned_; }
  bool predict_proba_one(const Features&, std::vector<double>& proba) const override {
    proba = proba_;
    return predicted_.has_value();
  }
  std::optional<ClassId> predict_one(const Features&, std::vector<double>&) const override {
    return predicted_;
  }
  void save(StateWriter& out) const override { out(learned_); }
  void load(StateReader& in) override { in(learned_); }
  int learned() const { return learned_; }

 private:
  std::optional<ClassId> predicted_;
  std::vector<double> proba_;
  int learned_ = 0;
};

// A maker whose i-th call (0-based) builds specs[i % specs.size()], and records the seeds asked.
struct FixedMaker {
  struct Spec {
    std::optional<ClassId> predicted;
    std::vector<double> proba;
  };
  std::vector<Spec> specs;
  std::shared_ptr<std::vector<uint64_t>> seeds = std::make_shared<std::vector<uint64_t>>();

  EstimatorMaker maker() const {
    auto s = specs;
    auto recorded = seeds;
    auto calls = std::make_shared<size_t>(0);
    return
        [s, recorded, calls](std::optional<uint64_t> seed) -> Result<std::unique_ptr<Estimator>> {
          recorded->push_back(seed.value_or(~uint64_t{0}));
          const Spec& spec = s[(*calls)++ % s.size()];
          return std::unique_ptr<Estimator>(
              std::make_unique<FixedClassifier>(spec.predicted, spec.proba));
        };
  }
};

}  // namespace rivulet::ml::test_members
