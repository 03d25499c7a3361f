#include "rivulet/ml/forest/arf_classifier.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "ml/eval_helper.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// A detector that fires every `period` updates since its last reset (and never when period is
// 0): a drift on demand.
class ScriptedDetector final : public DriftDetector {
 public:
  explicit ScriptedDetector(int64_t period) : period_(period) {}
  std::string_view name() const override { return "test.Scripted"; }
  void update(double) override {
    ++n_;
    detected_ = period_ > 0 && n_ % period_ == 0;
  }
  bool drift_detected() const override { return detected_; }
  void reset() override {
    n_ = 0;
    detected_ = false;
  }
  std::unique_ptr<DriftDetector> clone() const override {
    return std::make_unique<ScriptedDetector>(period_);
  }
  void save(StateWriter& out) const override { out(n_, detected_); }
  void load(StateReader& in) override { in(n_, detected_); }

 private:
  int64_t period_;
  int64_t n_ = 0;
  bool detected_ = false;
};

// A two-class stream over `n_features` attributes; the class depends on x0 (and flips after
// `flip_at` samples).
struct Stream {
  FeatureSpace space;
  LabelEncoder labels;
  std::vector<FeatureIndex> f;
  ClassId a = 0, b = 0;
  Random rng{7};
  Stream(size_t n_features) {
    for (size_t i = 0; i < n_features; ++i) f.push_back(space.intern("x" + std::to_string(i)));
    a = labels.intern("a");
    b = labels.intern("b");
  }
  Features next(ClassId& y, size_t t, size_t flip_at = 1u << 30) {
    Features x;
    for (FeatureIndex i : f) x.push(i, rng.uniform());
    const bool first = x[0].value + 0.2 * x[1].value < 0.6;
    y = (first != (t >= flip_at)) ? a : b;
    return x;
  }
};

TEST(ARFClassifierTest, ParsesRiverParameters) {
  auto made = Model::create(
      "forest.ARFClassifier(n_models=3, max_features=0.5, lambda_value=2, "
      "disable_weighted_vote=True, drift_detector=None, grace_period=20, max_depth=5, "
      "split_criterion='gini', leaf_prediction='mc', seed=1)");
  ASSERT_TRUE(made.ok()) << made.status().to_string();
  const auto& arf = dynamic_cast<const ARFClassifier&>(made->step(0));
  EXPECT_EQ(arf.n_models(), 3u);
  EXPECT_EQ(arf.options().max_features, MaxFeatures::fraction(0.5));
  EXPECT_EQ(arf.options().lambda_value, 2.0);
  EXPECT_TRUE(arf.options().disable_weighted_vote);
  EXPECT_EQ(arf.options().drift_detector, nullptr);
  EXPECT_NE(arf.options().warning_detector, nullptr);
  EXPECT_EQ(arf.options().tree.grace_period, 20);
  EXPECT_EQ(arf.options().tree.max_depth, 5);
  EXPECT_EQ(arf.options().tree.delta, 0.01);  // ARF's default, not the tree's
  EXPECT_EQ(arf.options().seed, 1u);
  EXPECT_TRUE(Model::create("forest.ARFClassifier(max_features=None, max_depth=None)").ok());
  EXPECT_TRUE(Model::create("forest.ARFClassifier(max_features='log2')").ok());
  EXPECT_TRUE(Model::create("forest.ARFClassifier(max_features=2)").ok());
  EXPECT_FALSE(Model::create("forest.ARFClassifier(max_features='cube')").ok());
  EXPECT_FALSE(Model::create("forest.ARFClassifier(n_models=0)").ok());
  EXPECT_FALSE(Model::create("forest.ARFClassifier(lambda_value=0)").ok());
  EXPECT_FALSE(Model::create("forest.ARFClassifier(metric=metrics.MAE)").ok());
  EXPECT_FALSE(Model::create("forest.ARFClassifier(leaf_prediction='x')").ok());
}

TEST(ARFClassifierTest, ResolvesMaxFeaturesOnTheFirstSample) {
  for (auto [spec, expected] : std::vector<std::pair<std::string, size_t>>{
           {"forest.ARFClassifier(n_models=2)", 3},                       // round(sqrt(9))
           {"forest.ARFClassifier(n_models=2, max_features='log2')", 3},  // round(3.17)
           {"forest.ARFClassifier(n_models=2, max_features=4)", 4},
           {"forest.ARFClassifier(n_models=2, max_features=-2)", 7},
           {"forest.ARFClassifier(n_models=2, max_features=0.5)", 4},  // int(4.5)
           {"forest.ARFClassifier(n_models=2, max_features=None)", 9}}) {
    auto model = Model::create(spec).value();
    const auto& arf = dynamic_cast<const ARFClassifier&>(model.step(0));
    EXPECT_FALSE(arf.initialized());
    Features x;
    for (int i = 0; i < 9; ++i) x.push(model.space().intern("f" + std::to_string(i)), 1.0 * i);
    const auto y = model.labels().intern("yes");
    EXPECT_FALSE(model.predict_one(x).has_value());  // no tree yet: River's empty dict
    model.learn_one(x, y);
    EXPECT_TRUE(arf.initialized());
    EXPECT_EQ(arf.max_features(), expected) << spec;
    EXPECT_EQ(arf.tree(0).options().max_features, expected);
  }
  // The one-hot features of one column are one attribute, as River sees {"color": "red"}.
  auto model = Model::create("forest.ARFClassifier(n_models=2, max_features=None)").value();
  Features x{{model.space().intern("a"), 1.0},
             {model.space().intern("color=red"), 1.0},
             {model.space().intern("size"), 2.0}};
  model.learn_one(x, model.labels().intern("yes"));
  EXPECT_EQ(dynamic_cast<const ARFClassifier&>(model.step(0)).max_features(), 3u);
}

TEST(ARFClassifierTest, WarningStartsABackgroundTreeThatADriftSwapsIn) {
  ARFClassifier::Options o;
  o.n_models = 2;
  o.drift_detector = std::make_shared<ScriptedDetector>(150);
  o.warning_detector = std::make_shared<ScriptedDetector>(100);
  o.seed = 3;
  auto arf = ARFClassifier::create(o).value();
  Stream s(4);
  arf->attach({&s.space, &s.labels});
  ClassId y = 0;
  // Learn until tree 0 has seen 100 detector updates: its warning fires.
  size_t t = 0;
  auto step = [&] {
    const Features x = s.next(y, t++);
    arf->learn_one(x, y);
  };
  while (arf->n_warnings_detected(0) == 0) step();
  ASSERT_NE(arf->background(0), nullptr);
  EXPECT_EQ(arf->n_drifts_detected(0), 0);
  const HoeffdingTreeClassifier* background = arf->background(0);
  const HoeffdingTreeClassifier* foreground = &arf->tree(0);
  EXPECT_EQ(background->total_weight_seen(), 0.0);  // starts with the next sample
  // 50 more updates: the drift detector fires at its 150th; the background tree takes over.
  const double foreground_weight = foreground->total_weight_seen();
  while (arf->n_drifts_detected(0) == 0) step();
  EXPECT_EQ(&arf->tree(0), background);
  EXPECT_EQ(arf->background(0), nullptr);
  EXPECT_GT(arf->tree(0).total_weight_seen(), 0.0);
  EXPECT_LT(arf->tree(0).total_weight_seen(), foreground_weight);
  EXPECT_EQ(arf->tree_metric(0).get(), 0.0);  // a fresh metric
  EXPECT_EQ(arf->n_warnings_detected(0), 1);
  EXPECT_EQ(arf->n_drifts_detected(0), 1);
}

TEST(ARFClassifierTest, DriftWithoutWarningDetectorStartsANewTree) {
  ARFClassifier::Options o;
  o.n_models = 1;
  o.drift_detector = std::make_shared<ScriptedDetector>(300);
  o.warning_detector = nullptr;
  auto arf = ARFClassifier::create(o).value();
  Stream s(3);
  arf->attach({&s.space, &s.labels});
  ClassId y = 0;
  size_t t = 0;
  while (arf->n_drifts_detected(0) == 0) {
    const Features x = s.next(y, t++);
    arf->learn_one(x, y);
    EXPECT_EQ(arf->background(0), nullptr);
  }
  EXPECT_EQ(arf->tree(0).total_weight_seen(), 0.0);  // the new tree has learned nothing yet
  EXPECT_EQ(arf->n_warnings_detected(0), 0);
  // No drift detector: no detection at all.
  o.drift_detector = nullptr;
  o.warning_detector = std::make_shared<ScriptedDetector>(1);
  arf = ARFClassifier::create(o).value();
  arf->attach({&s.space, &s.labels});
  for (size_t i = 0; i < 200; ++i) {
    const Features x = s.next(y, i);
    arf->learn_one(x, y);
  }
  EXPECT_EQ(arf->n_warnings_detected(), 0);
  EXPECT_EQ(arf->background(0), nullptr);
}

TEST(ARFClassifierTest, WeightsTheVoteByEachTreesAccuracy) {
  // Two forests that differ only in the weighting agree on trees but not on probabilities.
  ARFClassifier::Options o;
  o.n_models = 3;
  o.seed = 5;
  auto weighted = ARFClassifier::create(o).value();
  o.disable_weighted_vote = true;
  auto plain = ARFClassifier::create(o).value();
  Stream s(3), s2(3);
  weighted->attach({&s.space, &s.labels});
  plain->attach({&s2.space, &s2.labels});
  ClassId y = 0, y2 = 0;
  for (size_t t = 0; t < 300; ++t) {
    const Features x = s.next(y, t), x2 = s2.next(y2, t);
    weighted->learn_one(x, y);
    plain->learn_one(x2, y2);
  }
  ClassId unused = 0;
  const Features x = s.next(unused, 0);
  std::vector<double> pw, pp, expected(2, 0.0), tree;
  ASSERT_TRUE(weighted->predict_proba_one(x, pw));
  ASSERT_TRUE(plain->predict_proba_one(x, pp));
  double total = 0.0;
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_TRUE(weighted->tree(i).predict_proba_one(x, tree));
    const double acc = weighted->tree_metric(i).get();
    for (size_t c = 0; c < tree.size(); ++c) expected[c] += acc * tree[c], total += acc * tree[c];
  }
  for (size_t c = 0; c < 2; ++c) EXPECT_NEAR(pw[c], expected[c] / total, 1e-12);
  EXPECT_NEAR(pp[0] + pp[1], 1.0, 1e-12);
}

TEST(ARFClassifierTest, ImportancesAndDrawingCoverEveryTree) {
  auto model = Model::create("forest.ARFClassifier(n_models=3, seed=2)").value();
  Stream s(3);
  std::vector<FeatureIndex> fs;
  ClassId y = 0;
  for (size_t t = 0; t < 2000; ++t) {
    Features x = s.next(y, t);
    Features bound;
    for (const auto& f : x) bound.push(model.space().intern(s.space.name(f.index)), f.value);
    model.learn_one(bound, model.labels().intern(s.labels.name(y)));
  }
  const auto& arf = dynamic_cast<const ARFClassifier&>(model.step(0));
  std::vector<FeatureImportance> total, one;
  arf.feature_importances(total);
  double splits = 0.0, expected = 0.0;
  for (const auto& f : total) splits += f.splits;
  for (size_t i = 0; i < 3; ++i) {
    one.clear();
    arf.tree(i).feature_importances(one);
    for (const auto& f : one) expected += f.splits;
  }
  EXPECT_NEAR(splits, expected, 1e-9);
  const std::string text = arf.draw(3);
  EXPECT_EQ(text.rfind("tree 1\n", 0), 0u);
  EXPECT_NE(text.find("\ntree 2\n"), std::string::npos);
  EXPECT_NE(text.find("\ntree 3\n"), std::string::npos);
}

// Predictions of a model over a stream with a concept flip, learning as it goes.
std::vector<std::vector<double>> run(Model& model, size_t n, size_t from = 0,
                                     std::string* bytes_at = nullptr, size_t save_at = 0) {
  Stream s(5);
  std::vector<std::vector<double>> out;
  ClassId y = 0;
  std::vector<FeatureIndex> map;
  for (size_t t = 0; t < n; ++t) {
    Features raw = s.next(y, t, 1500);
    if (t < from) continue;
    Features x;
    for (const auto& f : raw) x.push(model.space().intern(s.space.name(f.index)), f.value);
    std::vector<double> proba;
    model.predict(x, &proba);
    out.push_back(proba);
    model.learn_one(x, model.labels().intern(s.labels.name(y)));
    if (bytes_at != nullptr && t + 1 == save_at) *bytes_at = model.save_bytes();
  }
  return out;
}

TEST(ARFClassifierTest, RestoredForestContinuesExactly) {
  const std::string spec = "forest.ARFClassifier(n_models=4, seed=9)";
  auto original = Model::create(spec).value();
  std::string bytes;
  const auto all = run(original, 3000, 0, &bytes, 1800);  // saved after the concept flip
  auto restored = Model::load_bytes(bytes).value();
  const auto rest = run(restored, 3000, 1800);
  ASSERT_EQ(rest.size(), 1200u);
  for (size_t i = 0; i < rest.size(); ++i) ASSERT_EQ(rest[i], all[1800 + i]) << i;
  const auto& arf = dynamic_cast<const ARFClassifier&>(original.step(0));
  EXPECT_GT(arf.n_warnings_detected() + arf.n_drifts_detected(), 0);  // the flip was seen
}

TEST(ARFClassifierTest, SameResultsOnOneTwoAndThreeThreads) {
  std::vector<std::vector<std::vector<double>>> runs;
  for (unsigned threads : {1u, 2u, 3u}) {
    auto model = Model::create("forest.ARFClassifier(seed=4)").value();
    model.set_threads(threads);
    runs.push_back(run(model, 3000));
  }
  EXPECT_EQ(runs[0], runs[1]);
  EXPECT_EQ(runs[0], runs[2]);
}

// River 0.12.1, progressive validation, default parameters, seed=42: the forest makes River's
// random draws (Poisson weights and leaf subsets from one random.Random(42), in River's order)
// and breaks ties as River does, so it gives River's run sample for sample. Accuracy is over the
// samples after the first, which River does not score (no prediction yet).
TEST(ARFClassifierTest, Seed42IsRiversRun) {
  auto phishing = test_support::evaluate_spec("forest.ARFClassifier", "river/phishing.csv.gz",
                                              "is_phishing", {.seed = 42});
  ASSERT_TRUE(phishing.ok()) << phishing.status().to_string();
  EXPECT_EQ(phishing->scored, 1249u);
  EXPECT_NEAR(phishing->value, 1135.0 / 1249.0, 1e-12);  // River: 0.9087
  auto bananas = test_support::evaluate_spec("forest.ARFClassifier", "river/banana.libsvm.gz",
                                             "label", {.seed = 42});
  ASSERT_TRUE(bananas.ok()) << bananas.status().to_string();
  EXPECT_NEAR(bananas->value, 4700.0 / 5299.0, 1e-12);  // River: 0.8870
  // ImageSegments: River 0.8194 (1892 of 2309). Its trees break ties between equally probable
  // classes (48 times in this run) in the order of a Python set of strings, which depends on
  // the process's hash seed; rivulet breaks them by first seen class (over the 5040 orders of
  // the 7 classes this run scores 0.7990 to 0.8229).
  auto segments = test_support::evaluate_spec("forest.ARFClassifier", "river/segment.csv.gz",
                                              "category", {.seed = 42});
  ASSERT_TRUE(segments.ok()) << segments.status().to_string();
  EXPECT_NEAR(segments->value, 1857.0 / 2309.0, 1e-12);
}

// Means over seeds: River's figure is one seed of a distribution whose spread over seeds is
// large on the small sets (seeds 40 to 59: Phishing 0.895 to 0.913, ImageSegments 0.769 to
// 0.856, Bananas 0.879 to 0.889); the means stay near River's figure.
double mean_accuracy(const std::string& file, const std::string& target, uint64_t first_seed,
                     int n_seeds) {
  double sum = 0.0;
  for (int i = 0; i < n_seeds; ++i) {
    auto acc = test_support::evaluate_spec("forest.ARFClassifier", file, target,
                                           {.seed = first_seed + static_cast<uint64_t>(i)});
    EXPECT_TRUE(acc.ok()) << acc.status().to_string();
    if (acc.ok()) sum += acc->value;
  }
  return sum / n_seeds;
}

TEST(ARFClassifierSlowTest, PhishingAsRiver) {
  // Seeds 40 to 59: 0.9051.
  EXPECT_NEAR(mean_accuracy("river/phishing.csv.gz", "is_phishing", 40, 20), 0.9087, 0.015);
}

TEST(ARFClassifierSlowTest, BananasAsRiver) {
  // Seeds 40 to 59: 0.8839.
  EXPECT_NEAR(mean_accuracy("river/banana.libsvm.gz", "label", 40, 20), 0.8870, 0.015);
}

TEST(ARFClassifierSlowTest, ImageSegmentsAsRiver) {
  // Seeds 40 to 59: 0.8235 (42 to 46: 0.8338).
  EXPECT_NEAR(mean_accuracy("river/segment.csv.gz", "category", 40, 20), 0.8194, 0.015);
}

TEST(ARFClassifierSlowTest, ElectricityAsRiver) {
  // River's published table: 0.8766 (MOA's ARF of 10 trees: 0.8933). Seed 42 gives 0.8731,
  // seeds 42 to 46 0.8766 on average. The published table is not a run we can replay (its
  // Hoeffding tree figure, 0.7956, is not the 0.7970 of River 0.12.1's code either).
  EXPECT_NEAR(mean_accuracy("electricity/elecNormNew.arff.gz", "class", 42, 5), 0.8766, 0.015);
}

}  // namespace
}  // namespace rivulet::ml
