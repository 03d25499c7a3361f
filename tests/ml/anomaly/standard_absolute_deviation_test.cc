#include "rivulet/ml/anomaly/standard_absolute_deviation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "rivulet/core/python_random.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

// River's docstring: 150 values of random.Random(42).gauss(0, 1), then the scores of 2, 0 and 1
// (River prints 2.057..., 0.084..., 0.986...; these are the full values of River's code).
TEST(StandardAbsoluteDeviationTest, RiverDocstring) {
  PythonRandom rng(42);
  auto sad = StandardAbsoluteDeviation::create({}).value();
  for (int i = 0; i < 150; ++i) sad->learn_one(Features{{0, rng.gauss(0.0, 1.0)}});
  EXPECT_EQ(sad->score_one(Features{{0, 2.0}}), 2.0574145509742707);
  EXPECT_EQ(sad->score_one(Features{{0, 0.0}}), 0.08409394724911023);
  EXPECT_EQ(sad->score_one(Features{{0, 1.0}}), 0.9866603018625802);
}

// Hand-checked: values 2, 4, 6: mean 4, standard deviation 2.
TEST(StandardAbsoluteDeviationTest, HandChecked) {
  auto sad = StandardAbsoluteDeviation::create({}).value();
  EXPECT_EQ(sad->score_one(Features{{0, 0.0}}), 0.0);  // nothing learned: |0 - 0| / 1e-10
  for (double v : {2.0, 4.0, 6.0}) sad->learn_one(Features{{0, v}});
  EXPECT_NEAR(sad->score_one(Features{{0, 10.0}}), 3.0, 1e-9);
  EXPECT_NEAR(sad->score_one(Features{{0, 3.0}}), 0.5, 1e-9);
  EXPECT_EQ(sad->score_one(Features{{1, 3.0}}), 0.0);  // the scored feature is absent
}

TEST(StandardAbsoluteDeviationTest, SaveLoadContinuesExactly) {
  PythonRandom rng(4);
  auto a = StandardAbsoluteDeviation::create({}).value();
  for (int i = 0; i < 20; ++i) a->learn_one(Features{{0, rng.gauss(1.0, 3.0)}});
  std::stringstream bytes;
  {
    StateWriter out(bytes);
    a->save(out);
  }
  auto b = StandardAbsoluteDeviation::create({}).value();
  {
    StateReader in(bytes);
    b->load(in);
  }
  for (int i = 0; i < 20; ++i) {
    const Features x{{0, rng.gauss(1.0, 3.0)}};
    ASSERT_EQ(a->score_one(x), b->score_one(x));
    a->learn_one(x);
    b->learn_one(x);
  }
}

// sub_stat='median': the P² median of the values (exact for five values or fewer).
TEST(StandardAbsoluteDeviationTest, MedianSubStat) {
  auto sad = StandardAbsoluteDeviation::create({.sub_stat = "median"}).value();
  for (double v : {1.0, 2.0, 9.0}) sad->learn_one(Features{{0, v}});
  // median 2, standard deviation sqrt(((1-4)^2 + (2-4)^2 + (9-4)^2) / 2) = sqrt(19)
  EXPECT_NEAR(sad->score_one(Features{{0, 6.0}}), 4.0 / std::sqrt(19.0), 1e-9);
}

TEST(StandardAbsoluteDeviationTest, OptionsAndRegistry) {
  EXPECT_FALSE(StandardAbsoluteDeviation::create({.sub_stat = "mode"}).ok());
  EXPECT_EQ(find_entry("anomaly.StandardAbsoluteDeviation")->kind, EntryKind::kAnomalyDetector);
  EXPECT_TRUE(
      Model::create("anomaly.StandardAbsoluteDeviation(sub_stat='mean', feature='x')").ok());
}

}  // namespace
}  // namespace rivulet::ml
