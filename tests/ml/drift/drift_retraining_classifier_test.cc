#include "rivulet/ml/drift/drift_retraining_classifier.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "ml/ensemble/fake_members.h"
#include "ml/eval_helper.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

using test_members::FixedClassifier;
using test_members::FixedMaker;

// A detector that follows a script: warning on updates [warn_from, drift_at), drift on update
// drift_at (0-based), and records what it read.
class ScriptedDetector final : public DriftDetector {
 public:
  ScriptedDetector(int warn_from, int drift_at, std::shared_ptr<std::vector<double>> read)
      : warn_from_(warn_from), drift_at_(drift_at), read_(std::move(read)) {}
  std::string_view name() const override { return "test.ScriptedDetector"; }
  void update(double x) override {
    const int t = n_++;
    read_->push_back(x);
    warning_ = t >= warn_from_ && t < drift_at_;
    drift_ = t == drift_at_;
  }
  bool drift_detected() const override { return drift_; }
  bool warning_detected() const override { return warning_; }
  void reset() override { n_ = 0; }
  std::unique_ptr<DriftDetector> clone() const override {
    return std::make_unique<ScriptedDetector>(warn_from_, drift_at_, read_);
  }
  void save(StateWriter& out) const override { out(n_, warning_, drift_); }
  void load(StateReader& in) override { in(n_, warning_, drift_); }

 private:
  int warn_from_, drift_at_;
  std::shared_ptr<std::vector<double>> read_;
  int n_ = 0;
  bool warning_ = false, drift_ = false;
};

int learned(const Classifier& c) { return dynamic_cast<const FixedClassifier&>(c).learned(); }

// The model always predicts class 0; every sample is class 1, so the detector reads 1s. Updates
// 0-9: nothing; 10-19: warning, the background model learns them; 20: drift, the background
// model (10 samples) becomes the model and learns sample 20 too; a fresh background is made.
TEST(DriftRetrainingClassifierTest, SwapsInTheBackgroundModelOnDrift) {
  FixedMaker fixed{{{0u, {1.0, 0.0}}}};
  auto read = std::make_shared<std::vector<double>>();
  auto model = DriftRetrainingClassifier::create(
                   {.model = fixed.maker(),
                    .drift_detector = std::make_unique<ScriptedDetector>(10, 20, read)})
                   .value();
  LabelEncoder labels;
  labels.intern("a");
  const ClassId b = labels.intern("b");
  model->attach({nullptr, &labels});
  EXPECT_EQ(fixed.seeds->size(), 2u);  // the model and its background
  for (int t = 0; t < 20; ++t) model->learn_one(Features{}, b);
  EXPECT_EQ(learned(model->model()), 20);
  EXPECT_EQ(learned(*model->background()), 10);
  EXPECT_EQ(model->n_background_samples(), 10);
  EXPECT_EQ(model->n_drifts(), 0);
  model->learn_one(Features{}, b);
  EXPECT_EQ(model->n_drifts(), 1);
  EXPECT_EQ(learned(model->model()), 11);
  EXPECT_EQ(learned(*model->background()), 0);
  EXPECT_EQ(fixed.seeds->size(), 3u);
  EXPECT_EQ(*read, std::vector<double>(21, 1.0));
  Description d;
  model->describe(d);
  ASSERT_FALSE(d.items().empty());
  EXPECT_EQ(d.items()[0], (std::pair<std::string, std::string>("n_drifts", "1")));
}

TEST(DriftRetrainingClassifierTest, ResetsToAFreshModelWithoutBackground) {
  FixedMaker fixed{{{0u, {1.0, 0.0}}}};
  auto read = std::make_shared<std::vector<double>>();
  auto model = DriftRetrainingClassifier::create(
                   {.model = fixed.maker(),
                    .drift_detector = std::make_unique<ScriptedDetector>(10, 20, read),
                    .train_in_background = false})
                   .value();
  LabelEncoder labels;
  const ClassId a = labels.intern("a");
  labels.intern("b");
  model->attach({nullptr, &labels});
  EXPECT_EQ(model->background(), nullptr);
  for (int t = 0; t < 21; ++t) model->learn_one(Features{}, a);  // right: the detector reads 0s
  EXPECT_EQ(*read, std::vector<double>(21, 0.0));
  EXPECT_EQ(model->n_drifts(), 1);
  EXPECT_EQ(learned(model->model()), 1);  // fresh at the drift, then learned sample 20
  EXPECT_EQ(fixed.seeds->size(), 2u);
}

TEST(DriftRetrainingClassifierTest, NoPredictionLeavesTheDetectorAlone) {
  FixedMaker fixed{{{std::nullopt, {}}}};
  auto read = std::make_shared<std::vector<double>>();
  auto model = DriftRetrainingClassifier::create(
                   {.model = fixed.maker(),
                    .drift_detector = std::make_unique<ScriptedDetector>(0, 1, read)})
                   .value();
  for (int t = 0; t < 5; ++t) model->learn_one(Features{}, 0);
  EXPECT_TRUE(read->empty());
  EXPECT_EQ(learned(model->model()), 5);
}

// The labels swap sides after 1,500 samples: ADWIN (no warning zone) sees the error jump and a
// fresh model (the never-trained background) takes over, then relearns the new concept.
TEST(DriftRetrainingClassifierTest, RecoversFromASwapThroughTheRegistry) {
  for (const bool background : {true, false}) {
    SCOPED_TRACE(background);
    auto m = Model::create(std::string("drift.DriftRetrainingClassifier(naive_bayes.GaussianNB(), "
                                       "drift.ADWIN(), train_in_background=") +
                           (background ? "True" : "False") + ")");
    ASSERT_TRUE(m.ok()) << m.status().to_string();
    const auto f = m->space().intern("x");
    const auto a = m->labels().intern("a"), b = m->labels().intern("b");
    Random data(6);
    int right_late = 0;
    std::vector<double> proba;
    for (int t = 0; t < 4000; ++t) {
      const double v = data.normal();
      const ClassId y = (v > 0) == (t < 1500) ? a : b;
      const auto predicted = m->predict_then_learn(Features{{f, v}}, y, &proba);
      if (t >= 3000 && predicted == y) ++right_late;
    }
    const auto& wrapper = dynamic_cast<const DriftRetrainingClassifier&>(m->step(0));
    EXPECT_GE(wrapper.n_drifts(), 1);
    EXPECT_GT(right_late, 900);
  }
}

TEST(DriftRetrainingClassifierTest, SaveLoadContinuesExactly) {
  const std::string spec =
      "drift.DriftRetrainingClassifier(model=linear_model.LogisticRegression(), "
      "drift_detector=drift.ADWIN(delta=0.01))";
  auto a = Model::create(spec).value();
  const auto f = a.space().intern("x");
  const auto p = a.labels().intern("1"), q = a.labels().intern("0");
  Random data(2);
  auto label = [&](double v, int t) { return (v > 0) == (t < 800) ? p : q; };
  int t = 0;
  for (; t < 1000; ++t) {
    const double v = data.normal();
    a.learn_one(Features{{f, v}}, label(v, t));
  }
  EXPECT_GE(dynamic_cast<const DriftRetrainingClassifier&>(a.step(0)).n_drifts(), 1);
  auto b = Model::load_bytes(a.save_bytes()).value();
  std::vector<double> pa, pb;
  for (; t < 2000; ++t) {
    const double v = data.normal();
    const ClassId y = label(v, t);
    EXPECT_EQ(a.predict_then_learn(Features{{f, v}}, y, &pa),
              b.predict_then_learn(Features{{f, v}}, y, &pb));
    ASSERT_EQ(pa, pb) << t;
  }
  EXPECT_EQ(a.save_bytes(), b.save_bytes());
}

TEST(DriftRetrainingClassifierTest, BadParametersAreRejectedWithTheColumn) {
  struct Case {
    std::string spec;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"drift.DriftRetrainingClassifier(model=linear_model.LinearRegression(), "
            "drift_detector=drift.ADWIN())",
            "model must be a classifier"},
           {"drift.DriftRetrainingClassifier(drift_detector=naive_bayes.GaussianNB())", "not a"},
           {"drift.DriftRetrainingClassifier(drift_detector=drift.ADWIN(delta=2))", "delta"},
           {"drift.DriftRetrainingClassifier(drift_detector=drift.ADWIN(), "
            "train_in_background=1)",
            "must be True or False"},
       }) {
    auto made = Model::create(c.spec);
    ASSERT_FALSE(made.ok()) << c.spec;
    EXPECT_NE(made.status().message().find("column"), std::string::npos) << made.status().message();
    EXPECT_NE(made.status().message().find(c.says), std::string::npos) << made.status().message();
  }
}

// River's docstring (the first release with the class): DriftRetrainingClassifier(
// HoeffdingTreeClassifier(), drift.DDM()) on the first 3,000 samples of Elec2, Accuracy 86.40%
// (later releases, with drift.binary.DDM: 86.46%). Everything is deterministic; we measure
// 0.863955 with 5 drifts (a lone Hoeffding tree: 0.840280). Held within half a point, the rule
// for deterministic learners.
TEST(DriftRetrainingClassifierTest, RiverElec2Accuracy) {
  int64_t drifts = -1;
  auto accuracy = test_support::evaluate_spec(
      "drift.DriftRetrainingClassifier(model=tree.HoeffdingTreeClassifier(), "
      "drift_detector=drift.DDM())",
      "electricity/elecNormNew.arff.gz", "class",
      {.limit = 3000, .inspect = [&](const Model& m) {
         drifts = dynamic_cast<const DriftRetrainingClassifier&>(m.step(0)).n_drifts();
       }});
  ASSERT_TRUE(accuracy.ok()) << accuracy.status().to_string();
  EXPECT_EQ(accuracy->samples, 3000u);
  EXPECT_NEAR(accuracy->value, 0.8640, 0.005);
  EXPECT_GE(drifts, 1);
}

}  // namespace
}  // namespace rivulet::ml
