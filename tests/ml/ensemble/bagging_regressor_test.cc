#include "rivulet/ml/ensemble/bagging_regressor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ml/eval_helper.h"
#include "rivulet/core/random.h"
#include "rivulet/ml/model.h"

namespace rivulet::ml {
namespace {

// Predicts a constant and counts its updates.
class ConstantRegressor final : public Regressor {
 public:
  explicit ConstantRegressor(double value) : value_(value) {}
  std::string_view name() const override { return "test.ConstantRegressor"; }
  void learn_one(const Features&, double) override { ++learned_; }
  double predict_one(const Features&) const override { return value_; }
  void save(StateWriter& out) const override { out(learned_); }
  void load(StateReader& in) override { in(learned_); }
  int learned() const { return learned_; }

 private:
  double value_;
  int learned_ = 0;
};

EstimatorMaker constants(std::vector<double> values) {
  auto calls = std::make_shared<size_t>(0);
  return [values, calls](std::optional<uint64_t>) -> Result<std::unique_ptr<Estimator>> {
    return std::unique_ptr<Estimator>(
        std::make_unique<ConstantRegressor>(values[(*calls)++ % values.size()]));
  };
}

TEST(BaggingRegressorTest, PredictsTheMeanAndLearnsPoissonOneTimes) {
  auto model =
      BaggingRegressor::create({.model = constants({1.0, 2.0, 6.0}), .n_models = 3, .seed = 12})
          .value();
  EXPECT_DOUBLE_EQ(model->predict_one(Features{}), 3.0);
  Random rng(12);
  std::vector<int> expected(3, 0);
  for (int t = 0; t < 50; ++t) {
    model->learn_one(Features{}, 1.0);
    for (int& e : expected) e += rng.poisson(1.0);
  }
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(dynamic_cast<const ConstantRegressor&>(model->member(i)).learned(), expected[i]);
  }
}

TEST(BaggingRegressorTest, BadParametersAreRejectedWithTheColumn) {
  for (const std::string spec : {"ensemble.BaggingRegressor(n_models=1)",
                                 "ensemble.BaggingRegressor(model=naive_bayes.GaussianNB())",
                                 "ensemble.BaggingRegressor(model=linear_model.LinearRegression("
                                 "intercept_lr=-1))"}) {
    auto made = Model::create(spec);
    ASSERT_FALSE(made.ok()) << spec;
    EXPECT_NE(made.status().message().find("column"), std::string::npos) << made.status().message();
  }
  auto made = Model::create("ensemble.BaggingRegressor(model=naive_bayes.GaussianNB())");
  EXPECT_NE(made.status().message().find("model must be a regressor"), std::string::npos)
      << made.status().message();
}

TEST(BaggingRegressorTest, SaveLoadContinuesExactly) {
  const std::string spec =
      "ensemble.BaggingRegressor(model=linear_model.LinearRegression(), n_models=3, seed=1)";
  auto a = Model::create(spec).value();
  const auto f = a.space().intern("x");
  Random data(4);
  for (int t = 0; t < 200; ++t) {
    const double x = data.normal();
    a.learn_value(Features{{f, x}}, 3.0 * x + data.normal());
  }
  auto b = Model::load_bytes(a.save_bytes()).value();
  for (int t = 0; t < 200; ++t) {
    const double x = data.normal(), y = 3.0 * x + data.normal();
    EXPECT_EQ(a.predict_then_learn_value(Features{{f, x}}, y),
              b.predict_then_learn_value(Features{{f, x}}, y));
  }
  EXPECT_EQ(a.save_bytes(), b.save_bytes());
}

// River 0.12.1's docstring: StandardScaler | BaggingRegressor(LinearRegression(intercept_lr=0.1),
// n_models=3, seed=42) on TrumpApproval, MAE 0.641799 (later releases, whose Poisson draws come
// from Python's `random`: 0.677586). The figure depends much on the draws: over 200 of our seeds
// the MAE averages 0.633 with a standard deviation of 0.064 (both River figures lie within
// it), so the mean is taken over 20 seeds (0.6195) and held within 0.04 (about 3 standard
// errors). A single LinearRegression(intercept_lr=0.1) gives River's 0.555971 here.
TEST(BaggingRegressorTest, RiverTrumpApprovalMAE) {
  double sum = 0.0;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto mae = test_support::evaluate_spec(
        "preprocessing.StandardScaler | ensemble.BaggingRegressor("
        "model=linear_model.LinearRegression(intercept_lr=0.1), n_models=3, seed=" +
            std::to_string(seed) + ")",
        "river/trump_approval.csv.gz", "five_thirty_eight");
    ASSERT_TRUE(mae.ok()) << mae.status().to_string();
    sum += mae->value;
  }
  EXPECT_NEAR(sum / 20.0, 0.641799, 0.04);
}

}  // namespace
}  // namespace rivulet::ml
