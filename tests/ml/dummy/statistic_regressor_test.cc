#include "rivulet/ml/dummy/statistic_regressor.h"

#include <gtest/gtest.h>

#include <sstream>

#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

using Statistic = StatisticRegressor::Statistic;

TEST(StatisticRegressorTest, PredictsZeroBeforeLearning) {
  for (auto s : {Statistic::kMean, Statistic::kMedian}) {
    auto model = StatisticRegressor::create({.statistic = s}).value();
    EXPECT_EQ(model->predict_one(Features{}), 0.0);
  }
}

// River's docstring: StatisticRegressor(stats.Mean()) on scores 3, 3, 2, -3 predicts 1.25.
TEST(StatisticRegressorTest, RiverDocstringMean) {
  auto model = StatisticRegressor::create({}).value();
  for (double y : {3.0, 3.0, 2.0, -3.0}) model->learn_one(Features{{0, 1.0}}, y);
  EXPECT_EQ(model->predict_one(Features{{1, 5.0}}), 1.25);
}

// stats.Mean's update, mean += (y - mean) / n, step by step.
TEST(StatisticRegressorTest, RunningMean) {
  auto model = StatisticRegressor::create({}).value();
  const double ys[] = {-5, -3, -1, 1, 3, 5};
  const double means[] = {-5, -4, -3, -2, -1, 0};
  for (int i = 0; i < 6; ++i) {
    model->learn_one(Features{}, ys[i]);
    EXPECT_EQ(model->predict_one(Features{}), means[i]);
  }
}

TEST(StatisticRegressorTest, ExactMedian) {
  auto model = StatisticRegressor::create({.statistic = Statistic::kMedian}).value();
  const double ys[] = {5, 1, 9, 3, 3, 100, -7};
  const double medians[] = {5, 3, 5, 4, 3, 4, 3};
  for (int i = 0; i < 7; ++i) {
    model->learn_one(Features{}, ys[i]);
    EXPECT_EQ(model->predict_one(Features{}), medians[i]) << "after " << i + 1 << " values";
  }
}

TEST(StatisticRegressorTest, StatisticNames) {
  EXPECT_EQ(StatisticRegressor::parse_statistic("mean").value(), Statistic::kMean);
  EXPECT_EQ(StatisticRegressor::parse_statistic("stats.Mean()").value(), Statistic::kMean);
  EXPECT_EQ(StatisticRegressor::parse_statistic("Median").value(), Statistic::kMedian);
  EXPECT_EQ(StatisticRegressor::parse_statistic("stats.Median").value(), Statistic::kMedian);
  EXPECT_FALSE(StatisticRegressor::parse_statistic("mode").ok());
}

TEST(StatisticRegressorTest, FromSpec) {
  auto model = Model::create("dummy.StatisticRegressor(statistic='median')");
  ASSERT_TRUE(model.ok()) << model.status().to_string();
  EXPECT_EQ(model->task(), Task::kRegression);
  for (double y : {1.0, 10.0, 2.0}) model->learn_value(Features{}, y);
  EXPECT_EQ(model->predict_value(Features{}), 2.0);
  EXPECT_TRUE(Model::create("dummy.StatisticRegressor").ok());
  EXPECT_TRUE(Model::create("dummy.StatisticRegressor('stats.Mean()')").ok());
  auto bad = Model::create("dummy.StatisticRegressor(statistic='mode')");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("mode"), std::string::npos);
}

TEST(StatisticRegressorTest, SaveLoadRoundTrip) {
  for (auto s : {Statistic::kMean, Statistic::kMedian}) {
    auto a = StatisticRegressor::create({.statistic = s}).value();
    for (double y : {4.0, 1.0, 7.0, 2.0}) a->learn_one(Features{}, y);
    std::stringstream bytes;
    {
      StateWriter out(bytes);
      a->save(out);
    }
    auto b = StatisticRegressor::create({.statistic = s}).value();
    StateReader in(bytes);
    b->load(in);
    EXPECT_EQ(b->predict_one(Features{}), a->predict_one(Features{}));
    a->learn_one(Features{}, 0.0);
    b->learn_one(Features{}, 0.0);
    EXPECT_EQ(b->predict_one(Features{}), a->predict_one(Features{}));
  }
}

TEST(StatisticRegressorTest, Registered) {
  const auto* entry = find_entry("dummy.StatisticRegressor");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->kind, EntryKind::kRegressor);
  const auto params = describe_params(*entry);
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].name, "statistic");
}

}  // namespace
}  // namespace rivulet::ml
