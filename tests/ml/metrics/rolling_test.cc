#include "rivulet/ml/metrics/rolling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/ml/metrics/mae.h"
#include "rivulet/ml/metrics/mse.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

struct Sample {
  ClassId y_true = 0, y_pred = 0;
  std::vector<double> proba;
  double y = 0.0, y_hat = 0.0;
};

std::vector<Sample> make_stream(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> cls(0, 3), pct(0, 99);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<Sample> out(n);
  for (size_t i = 0; i < n; ++i) {
    auto& s = out[i];
    // Class 3 appears only in the second half: new class ids arrive mid-window.
    s.y_true = static_cast<ClassId>(cls(rng) % (i < n / 2 ? 3 : 4));
    const int r = pct(rng);
    s.y_pred = r < 55 ? s.y_true : r < 93 ? static_cast<ClassId>(cls(rng)) : kNoClass;
    // Probability vectors grow longer over the stream (the ring widens its slots).
    s.proba.resize(static_cast<size_t>(pct(rng)) % (i < n / 3 ? 2 : 5));
    for (auto& p : s.proba) p = u(rng) * (s.y_true == 1 ? 1.0 : 0.6);
    s.y = 5.0 * g(rng) + 3.0;
    s.y_hat = s.y + g(rng);
  }
  return out;
}

void update(Metric& m, const Sample& s) {
  if (m.task() == MetricTask::kClassification) {
    static_cast<ClassificationMetric&>(m).update(
        s.y_true, s.y_pred,
        m.needs_proba() ? std::span<const double>(s.proba) : std::span<const double>());
  } else {
    static_cast<RegressionMetric&>(m).update(s.y, s.y_hat);
  }
}

void revert(Metric& m, const Sample& s) {
  if (m.task() == MetricTask::kClassification) {
    static_cast<ClassificationMetric&>(m).revert(
        s.y_true, s.y_pred,
        m.needs_proba() ? std::span<const double>(s.proba) : std::span<const double>());
  } else {
    static_cast<RegressionMetric&>(m).revert(s.y, s.y_hat);
  }
}

std::vector<std::string> wrapped_names() {
  std::vector<std::string> names;
  for (const auto& e : registry()) {
    if (e.kind == EntryKind::kMetric && e.name != "metrics.Rolling") names.emplace_back(e.name);
  }
  return names;
}

// Running means and variances are reverted up to rounding; the counting metrics exactly.
double tolerance(const std::string& name, double value) {
  for (const char* approx : {"MAE", "MSE", "MAPE", "R2", "LogLoss"}) {
    if (name.find(approx) != std::string::npos) return 1e-9 * std::max(1.0, std::abs(value));
  }
  return 0.0;
}

TEST(RollingTest, EqualsAFreshMetricOverTheLastSamples) {
  const auto stream = make_stream(400, 42);
  LabelEncoder labels;  // ids 0..3 named "a".."d"; "b" reads as neither: positive is "a"
  for (const char* n : {"a", "b", "c", "d"}) labels.intern(n);
  for (const auto& name : wrapped_names()) {
    for (const size_t window : {1u, 2u, 7u, 50u}) {
      const std::string spec = "Rolling(" + name + ", " + std::to_string(window) + ")";
      auto rolling = make_metric(spec).value();
      rolling->attach(&labels);
      for (size_t i = 0; i < stream.size(); ++i) {
        update(*rolling, stream[i]);
        auto fresh = make_metric(name).value();
        fresh->attach(&labels);
        for (size_t j = i + 1 - std::min(i + 1, window); j <= i; ++j) update(*fresh, stream[j]);
        ASSERT_NEAR(rolling->get(), fresh->get(), tolerance(name, fresh->get()))
            << spec << " at " << i;
      }
    }
  }
}

TEST(RollingTest, RevertOfTheLastUpdateRestoresTheWindow) {
  const auto stream = make_stream(60, 5);
  auto rolling = make_metric("Rolling(MacroF1, 4)").value();
  for (size_t i = 0; i < 10; ++i) update(*rolling, stream[i]);
  const double before = rolling->get();
  update(*rolling, stream[10]);  // evicts stream[6]
  revert(*rolling, stream[10]);  // brings it back
  EXPECT_EQ(rolling->get(), before);
  // The window is again stream[6..9]: the rest of the stream matches a fresh metric.
  for (size_t i = 10; i < stream.size(); ++i) update(*rolling, stream[i]);
  auto fresh = make_metric("MacroF1").value();
  for (size_t i = stream.size() - 4; i < stream.size(); ++i) update(*fresh, stream[i]);
  EXPECT_EQ(rolling->get(), fresh->get());
  // Reverting further shrinks the window; reverting an empty one does nothing.
  auto small = make_metric("Rolling(Accuracy, 3)").value();
  auto& acc = static_cast<ClassificationMetric&>(*small);
  acc.update(0, 0, {});
  acc.update(0, 1, {});
  acc.revert(0, 1, {});
  acc.revert(0, 0, {});
  acc.revert(0, 0, {});
  EXPECT_EQ(small->get(), 0.0);
  acc.update(1, 1, {});
  EXPECT_EQ(small->get(), 1.0);
}

TEST(RollingTest, MatchesRiversDocstring) {
  // metrics.Rolling(metrics.MSE(), window_size=2): 0.25, 0.25, 0.125, 0.5.
  auto metric = Rolling::create(MSE::create().value(), {.window_size = 2}).value();
  auto& mse = static_cast<RegressionMetric&>(*metric);
  const double truth[] = {3, -0.5, 2, 7}, pred[] = {2.5, 0, 2, 8};
  const double expected[] = {0.25, 0.25, 0.125, 0.5};
  for (int i = 0; i < 4; ++i) {
    mse.update(truth[i], pred[i]);
    EXPECT_EQ(metric->get(), expected[i]) << i;
  }
  EXPECT_EQ(metric->report(), "Rolling(MSE, 2): 0.500000");
}

TEST(RollingTest, ParsesPositionalAndNamedArguments) {
  auto positional = make_metric("Rolling(MAE, 100)");
  ASSERT_TRUE(positional.ok()) << positional.status().message();
  EXPECT_EQ((*positional)->name(), "Rolling(MAE, 100)");
  EXPECT_EQ((*positional)->task(), MetricTask::kRegression);
  EXPECT_FALSE((*positional)->bigger_is_better());

  auto named = make_metric("Rolling(metrics.F1, window_size=500)");
  ASSERT_TRUE(named.ok()) << named.status().message();
  EXPECT_EQ((*named)->name(), "Rolling(F1, 500)");
  EXPECT_TRUE((*named)->bigger_is_better());

  auto nested =
      make_metric("metrics.Rolling(metric=metrics.ROCAUC(n_thresholds=20), window_size=3)");
  ASSERT_TRUE(nested.ok()) << nested.status().message();
  EXPECT_EQ((*nested)->name(), "Rolling(ROCAUC, 3)");
  EXPECT_TRUE((*nested)->needs_proba());

  EXPECT_EQ(make_metric("Rolling").value()->name(), "Rolling(Accuracy, 1000)");
  EXPECT_EQ(make_metric("Rolling(Rolling(MAE, 10), 100)").value()->name(),
            "Rolling(Rolling(MAE, 10), 100)");

  EXPECT_FALSE(make_metric("Rolling(MAE, 0)").ok());
  EXPECT_FALSE(make_metric("Rolling(MAE, window_size=-3)").ok());
  EXPECT_FALSE(make_metric("Rolling(MAE, 2.5)").ok());
  EXPECT_FALSE(make_metric("Rolling(MAE, 10, 3)").ok());
  EXPECT_FALSE(make_metric("Rolling(Nope, 10)").ok());
  EXPECT_FALSE(make_metric("Rolling(3, 10)").ok());
  EXPECT_FALSE(Rolling::create(nullptr, {}).ok());
}

TEST(RollingTest, AttachReachesTheWrappedMetric) {
  LabelEncoder labels;
  const ClassId no = labels.intern("no"), yes = labels.intern("yes");  // "yes" is positive
  auto metric = make_metric("Rolling(Recall, 2)").value();
  metric->attach(&labels);
  auto& recall = static_cast<ClassificationMetric&>(*metric);
  recall.update(yes, yes, {});
  recall.update(no, yes, {});
  recall.update(yes, no, {});
  EXPECT_EQ(metric->get(), 0.0);  // window: (no, yes), (yes, no)
  recall.update(yes, yes, {});
  EXPECT_EQ(metric->get(), 0.5);
  auto clone = metric->clone_fresh();
  EXPECT_EQ(clone->name(), "Rolling(Recall, 2)");
  static_cast<ClassificationMetric&>(*clone).update(yes, yes, {});
  EXPECT_EQ(clone->get(), 1.0);
}

TEST(RollingTest, LoadRejectsAnotherWindow) {
  auto a = make_metric("Rolling(MAE, 3)").value();
  static_cast<RegressionMetric&>(*a).update(1, 2);
  std::stringstream ss;
  {
    StateWriter out(ss);
    a->save(out);
  }
  auto b = make_metric("Rolling(MAE, 4)").value();
  StateReader in(ss);
  EXPECT_ANY_THROW(b->load(in));
}

}  // namespace
}  // namespace rivulet::ml
