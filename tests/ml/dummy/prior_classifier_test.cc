#include "rivulet/ml/dummy/prior_classifier.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

TEST(PriorClassifierTest, CannotPredictBeforeTheFirstLabel) {
  auto model = PriorClassifier::create({}).value();
  std::vector<double> proba;
  EXPECT_FALSE(model->predict_proba_one(Features{}, proba));
  EXPECT_EQ(model->predict_one(Features{}, proba), std::nullopt);
}

// River's docstring: three '+' and one '−' give {'+': 0.75, '−': 0.25} and predict '+'.
TEST(PriorClassifierTest, RiverDocstring) {
  auto model = PriorClassifier::create({}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  const auto plus = labels.intern("+"), minus = labels.intern("−");
  for (auto y : {plus, plus, plus, minus}) model->learn_one(Features{{0, 1.0}}, y);
  std::vector<double> proba;
  ASSERT_TRUE(model->predict_proba_one(Features{}, proba));
  EXPECT_EQ(proba, (std::vector<double>{0.75, 0.25}));
  EXPECT_EQ(model->predict_one(Features{}, proba), plus);
}

// Ties go to the class learned first (River's Counter order), not to the smaller class id.
TEST(PriorClassifierTest, TieGoesToTheFirstLearned) {
  auto model = PriorClassifier::create({}).value();
  LabelEncoder labels;
  model->attach({nullptr, &labels});
  const auto a = labels.intern("a"), b = labels.intern("b");
  model->learn_one(Features{}, b);
  model->learn_one(Features{}, a);
  std::vector<double> proba;
  EXPECT_EQ(model->predict_one(Features{}, proba), b);
  ASSERT_TRUE(model->predict_proba_one(Features{}, proba));
  EXPECT_EQ(proba, (std::vector<double>{0.5, 0.5}));
}

TEST(PriorClassifierTest, SaveLoadRoundTrip) {
  auto a = PriorClassifier::create({}).value();
  for (ClassId y : {2u, 0u, 2u}) a->learn_one(Features{}, y);
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = PriorClassifier::create({}).value();
  StateReader in(bytes);
  b->load(in);
  std::vector<double> pa, pb;
  ASSERT_TRUE(a->predict_proba_one(Features{}, pa));
  ASSERT_TRUE(b->predict_proba_one(Features{}, pb));
  EXPECT_EQ(pa, pb);
  EXPECT_EQ(b->predict_one(Features{}, pb), 2u);
}

TEST(PriorClassifierTest, Registered) {
  const auto* entry = find_entry("dummy.PriorClassifier");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kClassifier);
}

}  // namespace
}  // namespace rivulet::ml
