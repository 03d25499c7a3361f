#include "rivulet/ml/dummy/no_change_classifier.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(NoChangeClassifierTest, CannotPredictBeforeTheFirstLabel) {
  auto model = NoChangeClassifier::create({}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  labels.intern("a");
  std::vector<double> proba;
  EXPECT_FALSE(model->predict_proba_one(Features{}, proba));
  EXPECT_EQ(model->predict_one(Features{}, proba), std::nullopt);
}

// River's docstring (example 2.1 of Bifet et al.): the last label wins whatever the features.
TEST(NoChangeClassifierTest, RiverDocstring) {
  auto model = NoChangeClassifier::create({}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  const auto plus = labels.intern("+"), minus = labels.intern("−");
  for (auto y : {plus, plus, plus, minus}) model->learn_one(Features{{0, 1.0}}, y);
  std::vector<double> proba;
  EXPECT_EQ(model->predict_one(Features{{1, 2.0}}, proba), minus);
  ASSERT_TRUE(model->predict_proba_one(Features{{1, 2.0}}, proba));
  EXPECT_EQ(proba, (std::vector<double>{0.0, 1.0}));
  model->learn_one(Features{}, plus);
  EXPECT_EQ(model->predict_one(Features{}, proba), plus);
}

TEST(NoChangeClassifierTest, SaveLoadRoundTrip) {
  auto a = NoChangeClassifier::create({}).value();
  a->learn_one(Features{}, 3);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = NoChangeClassifier::create({}).value();
  StateReader in(bytes);
  b->load(in);
  std::vector<double> proba;
  EXPECT_EQ(b->predict_one(Features{}, proba), 3u);
}

TEST(NoChangeClassifierTest, Registered) {
  const auto* entry = find_entry("dummy.NoChangeClassifier");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kClassifier);
  EXPECT_TRUE(describe_params(*entry).empty());
  EXPECT_FALSE(Model::create("dummy.NoChangeClassifier(1)").ok());
}

// River's published figure: NoChangeClassifier on Electricity (elec2), Accuracy 85.33%. The first
// sample cannot be predicted, so it is not scored.
TEST(NoChangeClassifierTest, ElectricityAccuracy) {
  auto r = test_support::evaluate_spec("dummy.NoChangeClassifier",
                                       "electricity/elecNormNew.arff.gz", "class");
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->samples, 45312u);
  EXPECT_EQ(r->scored, 45311u);
  EXPECT_NEAR(r->value, 0.8533, 0.003);
}

}  // namespace
}  // namespace rivulet::ml
