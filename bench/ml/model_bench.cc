// Costs per sample of every learner of the registry, through ml::Model, on Electricity (45,312
// rows, 8 features): learn_one, predict_one, and predict-then-learn (what `rivulet eval` does per
// sample). Transformers run as "<transformer> | linear_model.LogisticRegression", so
// StandardScaler's line is River's headline pipeline. A whole-eval benchmark reads, parses and
// extracts the ARFF file as `rivulet eval` does.
//
// Reference: River 0.12.1 takes about 25 us per sample for StandardScaler | LogisticRegression
// and 36 us for GaussianNB on this data.
//
//   build-bench/bench/rivulet_bench --benchmark_filter='predict_then_learn'

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rivulet/core/feature_extractor.h"
#include "rivulet/io/record_reader.h"
#include "rivulet/ml/evaluate/prequential.h"
#include "rivulet/ml/model.h"
#include "rivulet/ml/registry.h"

namespace rivulet::ml {
namespace {

const std::string kElectricityPath =
    std::string(RIVULET_DATA_DIR) + "/electricity/elecNormNew.arff.gz";
constexpr size_t kElectricityRows = 45312;

// Electricity, decoded once: rows in the data's own feature space, and the labels.
struct Data {
  std::vector<std::string> feature_names;
  std::vector<Features> rows;
  std::vector<std::string> labels;
  bool from_file = false;
};

Data load_electricity() {
  Data d;
  auto reader = io::open_reader(kElectricityPath);
  if (reader.ok()) {
    FeatureSpace space;
    FeatureExtractor extract(space);
    extract.set_columns((*reader)->columns());
    const auto target = (*reader)->column("class");
    if (target) {
      extract.exclude(*target);
      Record record;
      for (;;) {
        auto got = (*reader)->next(record);
        if (!got.ok() || !*got) break;
        const Field* y = record.find(*target);
        if (y == nullptr) continue;
        Features x;
        extract.extract(record, x);
        d.rows.push_back(std::move(x));
        d.labels.emplace_back(y->text);
      }
      for (FeatureIndex i = 0; i < space.size(); ++i) d.feature_names.push_back(space.name(i));
      d.from_file = d.rows.size() == kElectricityRows;
    }
  }
  if (d.from_file) return d;
  // No ARFF reader: the same shape, 8 uniform features and a label that depends on two of them.
  d = Data();
  for (int j = 0; j < 8; ++j) d.feature_names.push_back("x" + std::to_string(j));
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (size_t i = 0; i < kElectricityRows; ++i) {
    Features x;
    for (FeatureIndex j = 0; j < 8; ++j) x.push(j, u(rng));
    d.labels.emplace_back(x[3].value + 0.3 * x[4].value + 0.2 * u(rng) > 0.75 ? "UP" : "DOWN");
    d.rows.push_back(std::move(x));
  }
  return d;
}

const Data& electricity() {
  static const Data d = load_electricity();
  return d;
}

// A model with the data bound into its feature space and label encoder.
struct Bound {
  Model model;
  std::vector<Features> x;
  std::vector<ClassId> y;      // classification
  std::vector<double> target;  // regression: 1 for UP, 0 for DOWN
};

std::unique_ptr<Bound> bind(const std::string& spec, benchmark::State& state) {
  ModelOptions options;
  options.seed = 42;
  auto model = Model::create(spec, options);
  if (!model.ok()) {
    state.SkipWithError(model.status().to_string().c_str());
    return nullptr;
  }
  auto b = std::unique_ptr<Bound>(new Bound{std::move(model).value(), {}, {}, {}});
  const Data& d = electricity();
  std::vector<FeatureIndex> to;
  for (const auto& name : d.feature_names) to.push_back(b->model.space().intern(name));
  for (size_t i = 0; i < d.rows.size(); ++i) {
    Features x;
    for (const auto& f : d.rows[i]) x.push(to[f.index], f.value);
    b->x.push_back(std::move(x));
    b->y.push_back(b->model.labels().intern(d.labels[i]));
    b->target.push_back(d.labels[i] == "UP" ? 1.0 : 0.0);
  }
  return b;
}

bool classifies(const Bound& b) { return b.model.task() == Task::kClassification; }

// `correct` < 0: no accuracy to report (learn_one predicts nothing).
void finish(benchmark::State& state, const Bound& b, uint64_t expected_learned, double correct) {
  state.SetItemsProcessed(state.iterations());
  if (b.model.n_learned() != expected_learned) {
    state.SkipWithError("the model did not learn every sample");
  }
  if (classifies(b) && state.iterations() > 0 && correct >= 0) {
    state.counters["accuracy"] = correct / static_cast<double>(state.iterations());
  }
  state.SetLabel(electricity().from_file ? "Electricity" : "synthetic (no ARFF reader)");
}

void predict_then_learn(benchmark::State& state, const std::string& spec) {
  auto b = bind(spec, state);
  if (!b) return;
  const size_t n = b->x.size();
  size_t i = 0;
  double correct = 0;
  for (auto _ : state) {
    if (classifies(*b)) {
      const auto predicted = b->model.predict_then_learn(b->x[i], b->y[i], nullptr);
      correct += predicted == b->y[i] ? 1.0 : 0.0;
    } else {
      const double predicted = b->model.predict_then_learn_value(b->x[i], b->target[i]);
      benchmark::DoNotOptimize(predicted);
    }
    if (++i == n) i = 0;
  }
  finish(state, *b, static_cast<uint64_t>(state.iterations()), correct);
}

void learn_one(benchmark::State& state, const std::string& spec) {
  auto b = bind(spec, state);
  if (!b) return;
  const size_t n = b->x.size();
  size_t i = 0;
  for (auto _ : state) {
    if (classifies(*b)) {
      b->model.learn_one(b->x[i], b->y[i]);
    } else {
      b->model.learn_value(b->x[i], b->target[i]);
    }
    benchmark::ClobberMemory();
    if (++i == n) i = 0;
  }
  finish(state, *b, static_cast<uint64_t>(state.iterations()), -1);
}

// After one pass of predict-then-learn over the data (untimed), predictions only.
void predict_one(benchmark::State& state, const std::string& spec) {
  auto b = bind(spec, state);
  if (!b) return;
  const size_t n = b->x.size();
  for (size_t j = 0; j < n; ++j) {
    if (classifies(*b)) {
      (void)b->model.predict_then_learn(b->x[j], b->y[j], nullptr);
    } else {
      (void)b->model.predict_then_learn_value(b->x[j], b->target[j]);
    }
  }
  size_t i = 0;
  double correct = 0;
  for (auto _ : state) {
    if (classifies(*b)) {
      const auto predicted = b->model.predict_one(b->x[i]);
      correct += predicted == b->y[i] ? 1.0 : 0.0;
    } else {
      const double predicted = b->model.predict_value(b->x[i]);
      benchmark::DoNotOptimize(predicted);
    }
    if (++i == n) i = 0;
  }
  finish(state, *b, n, correct);
}

// `rivulet eval elecNormNew.arff.gz --target class --model <spec>`: read, parse, extract
// features, predict, score with Accuracy, learn. One iteration is the whole file.
void eval_electricity(benchmark::State& state, const std::string& spec) {
  double accuracy = 0;
  uint64_t rows = 0;
  for (auto _ : state) {
    auto model = Model::create(spec);
    auto reader = io::open_reader(kElectricityPath);
    if (!model.ok() || !reader.ok()) {
      state.SkipWithError(!model.ok() ? model.status().to_string().c_str()
                                      : reader.status().to_string().c_str());
      return;
    }
    const auto target = (*reader)->column("class");
    if (!target) {
      state.SkipWithError("no column 'class'");
      return;
    }
    FeatureExtractor extract(model->space());
    extract.set_columns((*reader)->columns());
    extract.exclude(*target);
    std::vector<std::unique_ptr<Metric>> metrics;
    metrics.push_back(make_metric("Accuracy").value());
    PrequentialEvaluator evaluator(*model, std::move(metrics), {});
    Record record;
    Features x;
    for (;;) {
      auto got = (*reader)->next(record);
      if (!got.ok()) {
        state.SkipWithError(got.status().to_string().c_str());
        return;
      }
      if (!*got) break;
      const Field* y = record.find(*target);
      if (y == nullptr) continue;
      extract.extract(record, x);
      evaluator.learn_class(x, model->labels().intern(y->text));
    }
    evaluator.finish();
    accuracy = evaluator.metric(0).get();
    rows += evaluator.samples();
    benchmark::DoNotOptimize(accuracy);
  }
  state.SetItemsProcessed(static_cast<int64_t>(rows));
  state.counters["accuracy"] = accuracy;
  if (state.iterations() > 0 && rows != kElectricityRows * state.iterations()) {
    state.SkipWithError("not every row was evaluated");
  }
}

std::string spec_of(const RegistryEntry& e) {
  return e.kind == EntryKind::kTransformer
             ? std::string(e.name) + " | linear_model.LogisticRegression"
             : std::string(e.name);
}

bool register_all() {
  for (const char* spec : {"preprocessing.StandardScaler | linear_model.LogisticRegression",
                           "naive_bayes.GaussianNB"}) {
    const std::string s = spec;
    benchmark::RegisterBenchmark(("eval_electricity/" + s).c_str(), [s](benchmark::State& st) {
      eval_electricity(st, s);
    })->Unit(benchmark::kMillisecond);
  }
  for (const auto& e : registry()) {
    if (e.kind != EntryKind::kClassifier && e.kind != EntryKind::kRegressor &&
        e.kind != EntryKind::kTransformer) {
      continue;
    }
    const std::string s = spec_of(e);
    // Exactly one pass over Electricity: the trees and forests grow with the data, so a
    // second pass would time a different model.
    benchmark::RegisterBenchmark(("predict_then_learn/" + s).c_str(),
                                 [s](benchmark::State& st) { predict_then_learn(st, s); })
        ->Iterations(static_cast<benchmark::IterationCount>(kElectricityRows));
    benchmark::RegisterBenchmark(("learn_one/" + s).c_str(),
                                 [s](benchmark::State& st) { learn_one(st, s); });
    benchmark::RegisterBenchmark(("predict_one/" + s).c_str(),
                                 [s](benchmark::State& st) { predict_one(st, s); });
  }
  return true;
}

const bool kRegistered = register_all();

}  // namespace
}  // namespace rivulet::ml
