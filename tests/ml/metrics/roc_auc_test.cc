#include "rivulet/ml/metrics/roc_auc.h"

#include <gtest/gtest.h>

#include <sstream>

#include "ml/eval_helper.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

void feed(ROCAUC& metric, const ClassId* truth, const double* p, int n) {
  for (int i = 0; i < n; ++i) {
    const double proba[] = {1.0 - p[i], p[i]};
    metric.update(truth[i], p[i] > 0.5 ? 1 : 0, proba);
  }
}

TEST(ROCAUCTest, MatchesRiversDocstring) {
  // y_true = [0, 0, 1, 1], y_pred = [.1, .4, .35, .8]: 87.50%, and 75.00% with 20 thresholds.
  const ClassId truth[] = {0, 0, 1, 1};
  const double p[] = {0.1, 0.4, 0.35, 0.8};
  auto coarse = ROCAUC::create({}).value();
  feed(*coarse, truth, p, 4);
  EXPECT_EQ(coarse->get(), 0.875);
  auto fine = ROCAUC::create({.n_thresholds = 20}).value();
  feed(*fine, truth, p, 4);
  EXPECT_EQ(fine->get(), 0.75);
}

TEST(ROCAUCTest, RevertIsExact) {
  const ClassId truth[] = {0, 0, 1, 1, 1, 0};
  const double p[] = {0.1, 0.4, 0.35, 0.8, 0.55, 0.7};
  auto metric = ROCAUC::create({}).value();
  feed(*metric, truth, p, 4);
  const double before = metric->get();
  const double proba[] = {0.3, 0.7};
  metric->update(0, 1, proba);
  EXPECT_NE(metric->get(), before);
  metric->revert(0, 1, proba);
  EXPECT_EQ(metric->get(), before);
}

TEST(ROCAUCTest, PositiveClassFromTheEncoderAndMissingProbabilities) {
  LabelEncoder labels;
  const ClassId up = labels.intern("UP"), down = labels.intern("DOWN");  // UP is positive
  auto metric = ROCAUC::create({}).value();
  metric->attach(&labels);
  const double up_likely[] = {0.9, 0.1};  // indexed by class id: p(UP) = 0.9
  const double down_likely[] = {0.2};     // p(DOWN) missing
  metric->update(up, up, up_likely);
  metric->update(down, down, down_likely);
  EXPECT_EQ(metric->get(), 1.0);
  EXPECT_EQ(ROCAUC::create({}).value()->get(), 0.0);
}

TEST(ROCAUCTest, ValidatesOptionsAndRoundTrips) {
  EXPECT_FALSE(ROCAUC::create({.n_thresholds = 1}).ok());
  EXPECT_FALSE(make_metric("ROCAUC(n_thresholds=1)").ok());
  auto made = make_metric("metrics.ROCAUC(n_thresholds=20)");
  ASSERT_TRUE(made.ok()) << made.status().message();
  const ClassId truth[] = {0, 0, 1, 1};
  const double p[] = {0.1, 0.4, 0.35, 0.8};
  auto& metric = static_cast<ROCAUC&>(**made);
  feed(metric, truth, p, 3);
  std::stringstream ss;
  {
    StateWriter out(ss);
    metric.save(out);
  }
  auto loaded = ROCAUC::create({.n_thresholds = 20}).value();
  {
    StateReader in(ss);
    loaded->load(in);
  }
  feed(*loaded, truth + 3, p + 3, 1);
  EXPECT_EQ(loaded->get(), 0.75);
  std::stringstream again;
  {
    StateWriter out(again);
    metric.save(out);
  }
  auto wrong = ROCAUC::create({}).value();
  StateReader in(again);
  EXPECT_ANY_THROW(wrong->load(in));  // the model-file layer turns this into kDataLoss
}

// River's "Binary classification" getting-started page, on Phishing: LogisticRegression alone
// gives "ROCAUC: 89.36%", StandardScaler | LogisticRegression "ROCAUC: 95.04%".
TEST(ROCAUCTest, MatchesRiversPublishedPhishingFigures) {
  auto plain =
      test_support::evaluate_spec("linear_model.LogisticRegression", "river/phishing.csv.gz",
                                  "is_phishing", {.metric = "ROCAUC"});
  ASSERT_TRUE(plain.ok()) << plain.status().to_string();
  EXPECT_NEAR(plain->value, 0.8936, 5e-5);
  auto scaled =
      test_support::evaluate_spec("preprocessing.StandardScaler | linear_model.LogisticRegression",
                                  "river/phishing.csv.gz", "is_phishing", {.metric = "ROCAUC"});
  ASSERT_TRUE(scaled.ok()) << scaled.status().to_string();
  EXPECT_NEAR(scaled->value, 0.9504, 5e-5);
}

}  // namespace
}  // namespace rivulet::ml
