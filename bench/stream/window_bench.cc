// The `window` and `over` operators over 1024-row batches of sensor readings from 100 or 1,000
// machines (string key; the argument), 10 ms of event time apart, with a watermark after each batch (at the
// batch's last event time) so that windows open, fire and leave as in a long run. Each
// iteration refills the batch (untimed), then times process() and on_watermark(). Counter
// per_row = time per input row (firing included).
//   rivulet_bench --benchmark_filter='BM_Window|BM_Over'
// BM_WindowTumbling, BM_WindowHopping10 and BM_OverRange also compile against the operator
// before panes (they use no newer option), for before/after figures.

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "rivulet/stream/window.h"

namespace rivulet::stream {
namespace {

constexpr size_t kRows = 1024;
constexpr int64_t kEveryMs = 10;  // event time between two rows

SchemaPtr reading_schema() {
  return std::make_shared<const Schema>(*Schema::create(
      {{"machine", Type::kString}, {"temperature", Type::kDouble}, {"vibration", Type::kDouble}}));
}

// Deterministic rows: a random machine of `machines`, temperatures around 60, vibrations in
// [0, 1).
Batch make_template(uint64_t machines) {
  Batch batch(reading_schema());
  uint64_t x = 88172645463325252ull;
  for (size_t r = 0; r < kRows; ++r) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const size_t row = batch.add_row(0);
    batch.set_string(row, 0, "machine-" + std::to_string(x % machines));
    batch.set(row, 1, Value::of_double(50.0 + static_cast<double>(x % 2000) / 100.0));
    batch.set(row, 2, Value::of_double(static_cast<double>((x >> 20) % 1000) / 1000.0));
  }
  return batch;
}

// The template's rows, event times continuing from `t0`.
void refill(Batch& batch, const Batch& from, int64_t t0) {
  batch.reset(from.shared_schema());
  for (size_t r = 0; r < from.size(); ++r) {
    batch.append_row(from, r);
    batch.set_event_time(r, t0 + static_cast<int64_t>(r) * kEveryMs);
  }
}

void run(benchmark::State& state, Operator& op) {
  const Batch from = make_template(static_cast<uint64_t>(state.range(0)));
  OpenContext open_ctx;
  auto out_schema = op.open(from.shared_schema(), open_ctx);
  if (!out_schema.ok()) {
    state.SkipWithError("open failed");
    return;
  }
  CollectingDeadLetters dead;
  OperatorContext ctx(dead);
  Batch batch(from.shared_schema());
  Batch fired(*out_schema);
  int64_t t0 = 1700000000000;
  for (auto _ : state) {
    state.PauseTiming();
    refill(batch, from, t0);
    t0 += static_cast<int64_t>(kRows) * kEveryMs;
    fired.reset(*out_schema);
    state.ResumeTiming();
    if (!op.process(batch, ctx).ok()) state.SkipWithError("process failed");
    if (!op.on_watermark(t0 - kEveryMs, fired, ctx).ok()) state.SkipWithError("watermark failed");
    benchmark::DoNotOptimize(batch.values().data());
    benchmark::DoNotOptimize(fired.values().data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kRows));
  state.counters["per_row"] =
      benchmark::Counter(static_cast<double>(kRows), benchmark::Counter::kIsIterationInvariantRate |
                                                         benchmark::Counter::kInvert);
}

std::vector<WindowAggregate> window_aggregates() {
  return {{"n", "COUNT(*)", {}},
          {"mean_temp", "AVG(temperature)", {}},
          {"max_vib", "MAX(vibration)", {}}};
}

// Tumbling 10 s windows per machine.
void BM_WindowTumbling(benchmark::State& state) {
  auto op = WindowOperator::create(
                {.group_by = {{"machine", {}}}, .size_ms = 10000, .aggregates = window_aggregates()})
                .value();
  run(state, *op);
}
BENCHMARK(BM_WindowTumbling)->Arg(100)->Arg(1000);

// Hopping 10 s windows every 1 s per machine: size / slide = 10.
void BM_WindowHopping10(benchmark::State& state) {
  auto op = WindowOperator::create({.group_by = {{"machine", {}}},
                                    .size_ms = 10000,
                                    .slide_ms = 1000,
                                    .aggregates = window_aggregates()})
                .value();
  run(state, *op);
}
BENCHMARK(BM_WindowHopping10)->Arg(100)->Arg(1000);

// The same, each row added to each of its 10 windows (no shared panes), for comparison.
void BM_WindowHopping10PerWindow(benchmark::State& state) {
  auto op = WindowOperator::create({.group_by = {{"machine", {}}},
                                    .size_ms = 10000,
                                    .slide_ms = 1000,
                                    .aggregates = window_aggregates(),
                                    .share_panes = false})
                .value();
  run(state, *op);
}
BENCHMARK(BM_WindowHopping10PerWindow)->Arg(100)->Arg(1000);

// Cumulative windows per machine: the minute so far, every 10 s (6 windows a minute).
void BM_WindowCumulate(benchmark::State& state) {
  auto op = WindowOperator::create({.group_by = {{"machine", {}}},
                                    .size_ms = 60000,
                                    .step_ms = 10000,
                                    .aggregates = window_aggregates()})
                .value();
  run(state, *op);
}
BENCHMARK(BM_WindowCumulate)->Arg(100)->Arg(1000);

// Rolling 10 s aggregates per machine, in arrival order.
void BM_OverRange(benchmark::State& state) {
  auto op = OverOperator::create({.partition_by = {{"machine", {}}},
                                  .range_ms = 10000,
                                  .aggregates = window_aggregates()})
                .value();
  run(state, *op);
}
BENCHMARK(BM_OverRange)->Arg(100)->Arg(1000);

// The same in event-time order: rows wait for the watermark, then go in time order.
void BM_OverRangeEventTime(benchmark::State& state) {
  auto op = OverOperator::create({.partition_by = {{"machine", {}}},
                                  .range_ms = 10000,
                                  .order = OverOperator::Order::kEventTime,
                                  .aggregates = window_aggregates()})
                .value();
  run(state, *op);
}
BENCHMARK(BM_OverRangeEventTime)->Arg(100)->Arg(1000);

// ROWS: the 9 rows before each one and itself, in arrival order.
void BM_OverRows(benchmark::State& state) {
  auto op = OverOperator::create(
                {.partition_by = {{"machine", {}}}, .rows = 9, .aggregates = window_aggregates()})
                .value();
  run(state, *op);
}
BENCHMARK(BM_OverRows)->Arg(100)->Arg(1000);

}  // namespace
}  // namespace rivulet::stream
