#include "rivulet/ml/ensemble/srp_classifier.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "ml/eval_helper.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/model.h"

namespace rivulet::ml {
namespace {

TEST(SRPClassifierTest, ResolvesSubspaceSizesAsRiver) {
  using S = SRPClassifier::SubspaceSize;
  EXPECT_EQ((S{S::Kind::kFraction, 0.6}).resolve(8), 5);   // round(4.8)
  EXPECT_EQ((S{S::Kind::kFraction, 0.6}).resolve(9), 5);   // round(5.4)
  EXPECT_EQ((S{S::Kind::kFraction, 0.25}).resolve(2), 1);  // round(0.5) = 0 < 2: 0 + 1
  EXPECT_EQ((S{S::Kind::kFraction, 0.5}).resolve(5), 2);   // round(2.5) = 2 (half to even)
  EXPECT_EQ((S{S::Kind::kCount, 3}).resolve(8), 3);
  EXPECT_EQ((S{S::Kind::kSqrt, 0}).resolve(9), 4);    // round(3) + 1
  EXPECT_EQ((S{S::Kind::kRmSqrt, 0}).resolve(9), 7);  // 9 - 3 + 1
}

Features sample(Model& model, Random& rng, size_t n, ClassId& y) {
  Features x;
  for (size_t i = 0; i < n; ++i) {
    x.push(model.space().intern("f" + std::to_string(i)), rng.uniform());
  }
  y = model.labels().intern(x[0].value + x[1].value < 1.0 ? "lo" : "hi");
  return x;
}

TEST(SRPClassifierTest, DealsCombinationsOfAttributesToTheMembers) {
  // 5 attributes, 0.6 -> 3 per subspace; n <= 20: the first 4 combinations of itertools
  // (f0 f1 f2, f0 f1 f3, f0 f1 f4, f0 f2 f3), dealt in a shuffled order.
  auto model =
      Model::create("ensemble.SRPClassifier(model=naive_bayes.GaussianNB(), n_models=4, seed=42)")
          .value();
  Random rng(1);
  ClassId y = 0;
  const Features x = sample(model, rng, 5, y);
  model.learn_one(x, y);
  const auto& srp = dynamic_cast<const SRPClassifier&>(model.step(0));
  ASSERT_TRUE(srp.initialized());
  EXPECT_EQ(srp.training_method(), SRPClassifier::TrainingMethod::kPatches);
  std::set<std::vector<std::string>> got;
  for (size_t i = 0; i < 4; ++i) got.insert(srp.subspace(i));
  const std::set<std::vector<std::string>> expected = {
      {"f0", "f1", "f2"}, {"f0", "f1", "f3"}, {"f0", "f1", "f4"}, {"f0", "f2", "f3"}};
  EXPECT_EQ(got, expected);
  // random.Random(42).shuffle([0, 1, 2, 3]) gives [2, 1, 3, 0].
  EXPECT_EQ(srp.subspace(0), (std::vector<std::string>{"f0", "f1", "f4"}));
  EXPECT_EQ(srp.subspace(1), (std::vector<std::string>{"f0", "f1", "f3"}));
  EXPECT_EQ(srp.subspace(2), (std::vector<std::string>{"f0", "f2", "f3"}));
  EXPECT_EQ(srp.subspace(3), (std::vector<std::string>{"f0", "f1", "f2"}));
}

TEST(SRPClassifierTest, ResamplingWhenTheSubspaceWouldHoldEverything) {
  auto model =
      Model::create(
          "ensemble.SRPClassifier(model=naive_bayes.GaussianNB(), n_models=3, subspace_size=1.0)")
          .value();
  Random rng(1);
  ClassId y = 0;
  const Features x = sample(model, rng, 4, y);
  model.learn_one(x, y);
  const auto& srp = dynamic_cast<const SRPClassifier&>(model.step(0));
  EXPECT_EQ(srp.training_method(), SRPClassifier::TrainingMethod::kResampling);
  for (size_t i = 0; i < 3; ++i) EXPECT_TRUE(srp.subspace(i).empty());
}

TEST(SRPClassifierTest, MembersReadOnlyTheirSubspace) {
  // Each member is a tree; its splits can only be on attributes of its subspace.
  auto model = Model::create("ensemble.SRPClassifier(n_models=5, subspace_size=3, seed=3)").value();
  Random rng(2);
  ClassId y = 0;
  for (int t = 0; t < 3000; ++t) {
    const Features x = sample(model, rng, 6, y);
    model.learn_one(x, y);
  }
  const auto& srp = dynamic_cast<const SRPClassifier&>(model.step(0));
  for (size_t i = 0; i < 5; ++i) {
    ASSERT_EQ(srp.subspace(i).size(), 3u);
    std::vector<FeatureImportance> imp;
    srp.member(i).feature_importances(imp);
    for (const auto& f : imp) {
      const std::string name = model.space().name(f.feature);
      EXPECT_NE(std::find(srp.subspace(i).begin(), srp.subspace(i).end(), name),
                srp.subspace(i).end())
          << "member " << i << " split on " << name;
    }
  }
  EXPECT_FALSE(Model::create("ensemble.SRPClassifier(subspace_size=2.5)").ok());
  EXPECT_FALSE(Model::create("ensemble.SRPClassifier(subspace_size=2)").ok());  // River: int > 2
  EXPECT_FALSE(Model::create("ensemble.SRPClassifier(training_method='bagging')").ok());
  EXPECT_FALSE(Model::create("ensemble.SRPClassifier(disable_detector='on')").ok());
  EXPECT_TRUE(
      Model::create("ensemble.SRPClassifier(subspace_size='sqrt', disable_detector='warning')")
          .ok());
}

std::vector<std::vector<double>> run(Model& model, size_t n, size_t from = 0,
                                     std::string* bytes = nullptr, size_t save_at = 0) {
  Random rng(5);
  std::vector<std::vector<double>> out;
  for (size_t t = 0; t < n; ++t) {
    Features x;
    for (int i = 0; i < 6; ++i)
      x.push(model.space().intern("f" + std::to_string(i)), rng.uniform());
    const bool flip = t >= 1500;
    const ClassId y = model.labels().intern((x[0].value + x[1].value < 1.0) != flip ? "lo" : "hi");
    if (t < from) continue;
    std::vector<double> proba;
    model.predict(x, &proba);
    out.push_back(proba);
    model.learn_one(x, y);
    if (bytes != nullptr && t + 1 == save_at) *bytes = model.save_bytes();
  }
  return out;
}

TEST(SRPClassifierTest, RestoredEnsembleContinuesExactly) {
  auto original = Model::create("ensemble.SRPClassifier(n_models=4, seed=9)").value();
  std::string bytes;
  const auto all = run(original, 3000, 0, &bytes, 1700);
  auto restored = Model::load_bytes(bytes).value();
  const auto rest = run(restored, 3000, 1700);
  ASSERT_EQ(rest.size(), 1300u);
  for (size_t i = 0; i < rest.size(); ++i) ASSERT_EQ(rest[i], all[1700 + i]) << i;
  const auto& srp = dynamic_cast<const SRPClassifier&>(original.step(0));
  int64_t changes = 0;
  for (size_t i = 0; i < srp.n_models(); ++i)
    changes += srp.n_drifts_detected(i) + srp.n_warnings_detected(i);
  EXPECT_GT(changes, 0);
}

TEST(SRPClassifierTest, SameResultsOnOneTwoAndThreeThreads) {
  std::vector<std::vector<std::vector<double>>> runs;
  for (unsigned threads : {1u, 2u, 3u}) {
    auto model = Model::create("ensemble.SRPClassifier(seed=4)").value();
    model.set_threads(threads);
    runs.push_back(run(model, 3000));
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
}

TEST(SRPClassifierSlowTest, PhishingAndElectricity) {
  // No River figure is published for SRP on these sets; SRP of Hoeffding trees must at least
  // match a single tree (River 0.12.1 HT: Phishing 0.8799, Electricity 0.7956).
  auto phishing = test_support::evaluate_spec("ensemble.SRPClassifier(seed=42)",
                                              "river/phishing.csv.gz", "is_phishing");
  ASSERT_TRUE(phishing.ok()) << phishing.status().to_string();
  EXPECT_GT(phishing->value, 0.88);
  auto elec = test_support::evaluate_spec("ensemble.SRPClassifier(seed=42)",
                                          "electricity/elecNormNew.arff.gz", "class");
  ASSERT_TRUE(elec.ok()) << elec.status().to_string();
  EXPECT_GT(elec->value, 0.80);
}

}  // namespace
}  // namespace rivulet::ml
