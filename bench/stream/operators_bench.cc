// The record-level operators over 1024-row batches of an 8-field payment event. Each iteration
// refills the batch outside the timed region (the operators work in place, and the batch is
// recycled as an engine does) and times one process() call. Counter per_row = time per input
// row; BM_OpsRefill is the (untimed elsewhere) cost of copying the rows in, for scale.
//   rivulet_bench --benchmark_filter=BM_Ops

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "rivulet/stream/operators.h"

namespace rivulet::stream {
namespace {

constexpr size_t kRows = 1024;

SchemaPtr payment_schema() {
  return std::make_shared<const Schema>(*Schema::create({{"id", Type::kInt},
                                                         {"amount", Type::kDouble},
                                                         {"qty", Type::kInt},
                                                         {"country", Type::kString},
                                                         {"merchant", Type::kString},
                                                         {"lat", Type::kDouble},
                                                         {"lon", Type::kDouble},
                                                         {"tags", Type::kString}}));
}

// Deterministic rows: amounts spread over 0..2000, one country in eight is "XX".
Batch make_template() {
  static const char* countries[] = {"FR", "DE", "ES", "IT", "NL", "BE", "PT", "XX"};
  Batch batch(payment_schema());
  uint64_t x = 88172645463325252ull;
  for (size_t r = 0; r < kRows; ++r) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const size_t row = batch.add_row(1700000000000 + static_cast<int64_t>(r));
    batch.set(row, 0, Value::of_int(static_cast<int64_t>(r)));
    batch.set(row, 1, Value::of_double(static_cast<double>(x % 200000) / 100.0));
    batch.set(row, 2, Value::of_int(static_cast<int64_t>(1 + x % 5)));
    batch.set_string(row, 3, countries[(x >> 20) % 8]);
    batch.set_string(row, 4, "merchant-" + std::to_string((x >> 30) % 500));
    batch.set(row, 5, Value::of_double(48.0 + static_cast<double>(x % 1000) / 1000.0));
    batch.set(row, 6, Value::of_double(2.0 + static_cast<double>((x >> 10) % 1000) / 1000.0));
    batch.set_string(row, 7, (x >> 40) % 2 ? "[\"a\", \"b\"]" : "[\"c\"]");
  }
  return batch;
}

void refill(Batch& batch, const Batch& from) {
  batch.reset(from.shared_schema());
  for (size_t r = 0; r < from.size(); ++r) batch.append_row(from, r);
}

void set_counters(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
  state.counters["per_row"] =
      benchmark::Counter(static_cast<double>(kRows), benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
}

void run_operator(benchmark::State& state, Operator& op) {
  const Batch from = make_template();
  OpenContext open_ctx;
  if (!op.open(from.shared_schema(), open_ctx).ok()) {
    state.SkipWithError("open failed");
    return;
  }
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch batch(from.shared_schema());
  for (auto _ : state) {
    state.PauseTiming();
    refill(batch, from);
    state.ResumeTiming();
    if (!op.process(batch, ctx).ok()) state.SkipWithError("process failed");
    benchmark::DoNotOptimize(batch.values().data());
  }
  if (ctx.counts.in != ctx.counts.out + ctx.counts.filtered + ctx.counts.dead - ctx.counts.added) {
    state.SkipWithError("counts do not reconcile");
  }
  if (!dead.letters.empty()) state.SkipWithError("unexpected dead letters");
  state.counters["kept"] = static_cast<double>(ctx.counts.out) / static_cast<double>(ctx.counts.in);
  set_counters(state);
}

void BM_OpsRefill(benchmark::State& state) {
  const Batch from = make_template();
  Batch batch(from.shared_schema());
  for (auto _ : state) {
    refill(batch, from);
    benchmark::DoNotOptimize(batch.values().data());
  }
  set_counters(state);
}
BENCHMARK(BM_OpsRefill);

void BM_OpsFilter(benchmark::State& state) {
  auto op = FilterOperator::create({.condition = "amount > 100 AND country <> 'XX'"}).value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsFilter);

void BM_OpsFilterOneComparison(benchmark::State& state) {
  auto op = FilterOperator::create({.condition = "amount > 1000"}).value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsFilterOneComparison);

void BM_OpsMapArithmetic(benchmark::State& state) {
  auto op = MapOperator::create({.fields = {{"total", "amount * qty", {}}}}).value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsMapArithmetic);

void BM_OpsMap(benchmark::State& state) {
  auto op = MapOperator::create(
                {.fields = {{"total", "amount * qty", {}},
                            {"risk", "CASE WHEN total > 1000 THEN 'high' ELSE 'low' END", {}},
                            {"country", "LOWER(country)", {}}}})
                .value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsMap);

void BM_OpsSelect(benchmark::State& state) {
  auto op = SelectOperator::create(
                {.fields = {{"id", "", {}}, {"value", "amount", {}}, {"country", "", {}}}})
                .value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsSelect);

void BM_OpsKeyBy(benchmark::State& state) {
  auto op = KeyByOperator::create({.key = "merchant"}).value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsKeyBy);

void BM_OpsFlatMap(benchmark::State& state) {
  auto op = FlatMapOperator::create({.field = "tags", .as = "tag"}).value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsFlatMap);

void BM_OpsValidate(benchmark::State& state) {
  ValidationRule amount;
  amount.field = "amount";
  amount.required = true;
  amount.min = 0;
  amount.max = 10000;
  ValidationRule country;
  country.field = "country";
  country.allowed = {"FR", "DE", "ES", "IT", "NL", "BE", "PT", "XX"};
  ValidationRule qty;
  qty.field = "qty";
  qty.min = 1;
  auto op = ValidateOperator::create({.rules = {amount, country, qty}}).value();
  run_operator(state, *op);
}
BENCHMARK(BM_OpsValidate);

}  // namespace
}  // namespace rivulet::stream
