// The learner stage's cost per record: StandardScaler | LogisticRegression over 1024-row batches
// of 8 double fields and a 0/1 target, against the model alone (predict-then-learn on features
// already extracted) measured in the same run. The difference is the stage's own work: feature
// extraction from the row, the output row (input fields copied, prediction, probability,
// version), label interning and the metric.
//
// Target (issue 4): the whole pipeline at >= 1M events/s on one thread (1 us an event); the
// model itself about 50 ns.
//
//   build-learn/bench/rivulet_bench --benchmark_filter='LearnerStage|ModelAlone'

#include <benchmark/benchmark.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rivulet/ml/model.h"
#include "rivulet/pipeline/learner_stage.h"

namespace rivulet::pipeline {
namespace {

constexpr const char* kSpec = "preprocessing.StandardScaler | linear_model.LogisticRegression";
constexpr size_t kFields = 8;
constexpr size_t kBatch = 1024;
constexpr size_t kRows = 64 * kBatch;

// A linear concept with noise: rows of 8 doubles, a bigint 0/1 target, a bigint id and a bigint
// device (id mod 1,024, the key of per-key models).
constexpr size_t kWidth = kFields + 3;
constexpr int64_t kDevices = 1024;
struct Data {
  stream::SchemaPtr schema;
  std::vector<Value> values;  // kRows x kWidth
};

const Data& data() {
  static const Data d = [] {
    Data out;
    std::vector<SchemaField> fields;
    for (size_t f = 0; f < kFields; ++f) fields.push_back({"f" + std::to_string(f), Type::kDouble});
    fields.push_back({"label", Type::kInt});
    fields.push_back({"id", Type::kInt});
    fields.push_back({"device", Type::kInt});
    out.schema = std::make_shared<const Schema>(Schema::create(fields).value());
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(0.0, 1.0);
    for (size_t i = 0; i < kRows; ++i) {
      double score = 0.0;
      for (size_t f = 0; f < kFields; ++f) {
        const double x = normal(rng) * static_cast<double>(f + 1);
        score += (f % 2 == 0 ? 1.0 : -0.5) * x / static_cast<double>(f + 1);
        out.values.push_back(Value::of_double(x));
      }
      out.values.push_back(Value::of_int(score + 0.3 * normal(rng) > 0 ? 1 : 0));
      out.values.push_back(Value::of_int(static_cast<int64_t>(i)));
      out.values.push_back(Value::of_int(static_cast<int64_t>(i) % kDevices));
    }
    return out;
  }();
  return d;
}

void fill(stream::Batch& batch, size_t first_row, bool with_target) {
  const Data& d = data();
  batch.reset(d.schema);
  const size_t width = kWidth;
  for (size_t i = 0; i < kBatch; ++i) {
    const size_t row = (first_row + i) % kRows;
    const size_t r = batch.add_row(static_cast<int64_t>(row));
    const Value* src = d.values.data() + row * width;
    std::copy(src, src + width, batch.mutable_row(r));
    if (!with_target) batch.set(r, kFields, Value());
  }
}

void run_stage(benchmark::State& state, LearnerStage::Options options, bool with_target) {
  const Data& d = data();
  auto stage = LearnerStage::create(std::move(options)).value();
  stream::OpenContext open_ctx;
  if (!stage->open(d.schema, open_ctx).ok()) {
    state.SkipWithError("open failed");
    return;
  }
  stream::CollectingDeadLetters dead;
  stream::OperatorContext ctx(dead);
  stream::Batch batch(d.schema);
  batch.reserve(kBatch);
  size_t next = 0;
  // Warm up: one pass over the data (categories, buffers, the pending table at its size).
  for (size_t i = 0; i < kRows / kBatch; ++i, next += kBatch) {
    fill(batch, next, with_target);
    (void)stage->process(batch, ctx);
  }
  for (auto _ : state) {
    state.PauseTiming();
    fill(batch, next, with_target);
    next += kBatch;
    state.ResumeTiming();
    const Status s = stage->process(batch, ctx);
    benchmark::DoNotOptimize(s);
    benchmark::DoNotOptimize(batch.values().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
  if (stage->n_metrics() > 0) state.counters["metric"] = stage->metric(0).get();
  if (!dead.letters.empty()) state.SkipWithError("dead letters");
}

// evaluate: predict, score, learn (labels inline).
void BM_LearnerStageEvaluate(benchmark::State& state) {
  run_stage(state, {.model = kSpec, .target = "label", .exclude = {"id", "device"}}, true);
}
BENCHMARK(BM_LearnerStageEvaluate)->Unit(benchmark::kMicrosecond);

// predict only.
void BM_LearnerStagePredict(benchmark::State& state) {
  run_stage(state,
            {.mode = LearnerMode::kPredict,
             .model = kSpec,
             .target = "label",
             .exclude = {"id", "device"}},
            true);
}
BENCHMARK(BM_LearnerStagePredict)->Unit(benchmark::kMicrosecond);

// evaluate with one model per key (1,024 devices).
void BM_LearnerStageEvaluatePerKey(benchmark::State& state) {
  run_stage(state,
            {.model = kSpec,
             .target = "label",
             .exclude = {"id"},
             .per_key = true,
             .key_field = "device"},
            true);
}
BENCHMARK(BM_LearnerStageEvaluatePerKey)->Unit(benchmark::kMicrosecond);

// evaluate with labels that come later: each record's prediction is stored under its id and
// expires (max_pending 4,096), the steady state of a stream whose labels lag.
void BM_LearnerStageEvaluatePending(benchmark::State& state) {
  run_stage(state,
            {.model = kSpec,
             .target = "label",
             .exclude = {"device"},
             .id = "id",
             .labels = "labels",
             .max_pending = 4096},
            false);
}
BENCHMARK(BM_LearnerStageEvaluatePending)->Unit(benchmark::kMicrosecond);

// The model alone on the same rows, features already extracted: the floor.
void BM_ModelAlonePredictThenLearn(benchmark::State& state) {
  const Data& d = data();
  auto model = ml::Model::create(kSpec).value();
  std::vector<Features> xs(kRows);
  std::vector<ClassId> ys(kRows);
  const size_t width = kWidth;
  for (size_t f = 0; f < kFields; ++f) model.space().intern("f" + std::to_string(f));
  const ClassId one = model.labels().intern("1"), zero = model.labels().intern("0");
  for (size_t i = 0; i < kRows; ++i) {
    for (size_t f = 0; f < kFields; ++f) {
      xs[i].push(static_cast<FeatureIndex>(f), d.values[i * width + f].as_double());
    }
    ys[i] = d.values[i * width + kFields].as_int() == 1 ? one : zero;
  }
  std::vector<double> proba;
  size_t i = 0;
  for (auto _ : state) {
    for (size_t k = 0; k < kBatch; ++k, i = (i + 1) % kRows) {
      auto p = model.predict_then_learn(xs[i], ys[i], &proba);
      benchmark::DoNotOptimize(p);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}
BENCHMARK(BM_ModelAlonePredictThenLearn)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rivulet::pipeline
