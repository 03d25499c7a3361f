// Checks every metric of the registry: built from its name, revert undoes update, save/load
// round trip, unseen class ids and kNoClass predictions.
#include "rivulet/ml/metrics/metric.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

struct Sample {
  ClassId y_true = 0, y_pred = 0;
  std::vector<double> proba;
  double y = 0.0, y_hat = 0.0;
};

// A stream with 3 classes, now and then a prediction the encoder has not seen (kNoClass), a
// class id far past the others, and probability vectors of varying length (missing entries
// read as 0), so every metric meets each case.
std::vector<Sample> make_stream(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> cls(0, 2), pct(0, 99);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> g(0.0, 1.0);
  std::vector<Sample> out(n);
  for (auto& s : out) {
    s.y_true = static_cast<ClassId>(cls(rng));
    const int r = pct(rng);
    s.y_pred = r < 60 ? s.y_true : r < 92 ? static_cast<ClassId>(cls(rng)) : r < 97 ? kNoClass : 6;
    const size_t len = static_cast<size_t>(pct(rng) % 4);  // 0 to 3 entries
    s.proba.resize(len);
    double total = 0.0;
    for (auto& p : s.proba) total += (p = u(rng) + (s.y_true == 1 ? 0.5 : 0.0));
    for (auto& p : s.proba) p /= total + 0.5;
    s.y = 10.0 * g(rng);
    s.y_hat = s.y + g(rng) + (pct(rng) < 10 ? -s.y : 0.0);  // sometimes y_hat = 0
    if (pct(rng) < 5) s.y = 0.0;                            // MAPE's y_true == 0
  }
  return out;
}

void update(Metric& m, const Sample& s) {
  if (m.task() == MetricTask::kClassification) {
    auto& c = static_cast<ClassificationMetric&>(m);
    c.update(s.y_true, s.y_pred,
             m.needs_proba() ? std::span<const double>(s.proba) : std::span<const double>());
  } else {
    static_cast<RegressionMetric&>(m).update(s.y, s.y_hat);
  }
}

void revert(Metric& m, const Sample& s) {
  if (m.task() == MetricTask::kClassification) {
    auto& c = static_cast<ClassificationMetric&>(m);
    c.revert(s.y_true, s.y_pred,
             m.needs_proba() ? std::span<const double>(s.proba) : std::span<const double>());
  } else {
    static_cast<RegressionMetric&>(m).revert(s.y, s.y_hat);
  }
}

std::string saved(const Metric& m) {
  std::stringstream ss;
  {
    StateWriter out(ss);
    m.save(out);
  }
  return ss.str();
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& e : registry()) {
    if (e.kind == EntryKind::kMetric) names.emplace_back(e.name);
  }
  return names;
}

// Every registered metric, and each one but Rolling inside Rolling(..., window).
std::vector<std::string> specs(int window) {
  std::vector<std::string> out = metric_names();
  for (const auto& name : metric_names()) {
    if (name != "metrics.Rolling")
      out.push_back("Rolling(" + name + ", " + std::to_string(window) + ")");
  }
  return out;
}

// Metrics whose value is a running mean or variance: revert is exact only up to rounding.
double tolerance(const Metric& m, double value) {
  const std::string n = m.name();
  const bool rounding = n.find("MAE") != std::string::npos || n.find("MSE") != std::string::npos ||
                        n.find("MAPE") != std::string::npos || n.find("R2") != std::string::npos ||
                        n.find("LogLoss") != std::string::npos;
  return rounding ? 1e-9 * std::max(1.0, std::abs(value)) : 0.0;
}

TEST(MetricTest, RegistryHasRiversMetrics) {
  for (const char* name : {"Accuracy", "BalancedAccuracy", "Precision", "Recall", "F1", "MacroF1",
                           "MicroF1", "LogLoss", "ROCAUC", "CohenKappa", "ConfusionMatrix", "MAE",
                           "MSE", "RMSE", "R2", "MAPE", "Rolling"}) {
    const auto* entry = find_entry(name);
    ASSERT_NE(entry, nullptr) << name;
    EXPECT_EQ(entry->name, "metrics." + std::string(name));
    auto made = make_metric(name);
    ASSERT_TRUE(made.ok()) << name << ": " << made.status().message();
    if (std::string(name) != "Rolling") EXPECT_EQ((*made)->name(), name);
    EXPECT_EQ((*made)->get(), 0.0) << name;  // 0 before any update
  }
  EXPECT_TRUE(make_metric("LogLoss").value()->needs_proba());
  EXPECT_TRUE(make_metric("ROCAUC").value()->needs_proba());
  EXPECT_FALSE(make_metric("F1").value()->needs_proba());
  EXPECT_FALSE(make_metric("MAE(3)").ok());
}

TEST(MetricTest, RevertUndoesUpdate) {
  const auto stream = make_stream(200, 7);
  for (const auto& spec : specs(5)) {
    auto m = make_metric(spec).value();
    for (size_t i = 0; i < stream.size(); ++i) {
      const double before = m->get();
      update(*m, stream[i]);
      if (i % 3 == 0) {
        revert(*m, stream[i]);
        EXPECT_NEAR(m->get(), before, tolerance(*m, before)) << spec << " at " << i;
        update(*m, stream[i]);
      }
    }
  }
}

TEST(MetricTest, SaveLoadRoundTrip) {
  const auto stream = make_stream(120, 11);
  for (const auto& spec : specs(7)) {
    auto a = make_metric(spec).value();
    auto b = make_metric(spec).value();
    for (size_t i = 0; i < 60; ++i) update(*a, stream[i]);
    const std::string bytes = saved(*a);
    std::stringstream ss(bytes);
    StateReader in(ss);
    b->load(in);
    EXPECT_EQ(saved(*b), bytes) << spec;
    EXPECT_EQ(b->get(), a->get()) << spec;
    EXPECT_EQ(b->report(), a->report()) << spec;
    for (size_t i = 60; i < stream.size(); ++i) {
      update(*a, stream[i]);
      update(*b, stream[i]);
      ASSERT_EQ(b->get(), a->get()) << spec << " at " << i;
    }
  }
}

TEST(MetricTest, CloneFreshHasNoState) {
  const auto stream = make_stream(30, 3);
  for (const auto& name : metric_names()) {
    auto m = make_metric(name).value();
    for (const auto& s : stream) update(*m, s);
    auto fresh = m->clone_fresh();
    EXPECT_EQ(fresh->name(), m->name());
    EXPECT_EQ(fresh->get(), 0.0) << name;
    EXPECT_EQ(saved(*fresh), saved(*make_metric(name).value())) << name;
  }
}

TEST(MetricTest, AccuracyCountsUnseenPredictionsAsWrong) {
  auto m = make_metric("Accuracy").value();
  auto& acc = static_cast<ClassificationMetric&>(*m);
  acc.update(0, kNoClass, {});
  acc.update(5, 5, {});  // a class id not seen before
  EXPECT_EQ(m->get(), 0.5);
  EXPECT_EQ(m->report(), "Accuracy: 0.500000");
}

}  // namespace
}  // namespace rivulet::ml
