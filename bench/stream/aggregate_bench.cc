// Cost of one add() per aggregate function, through the virtual Aggregate interface, over 1024
// prepared values (doubles with 2% NULLs; strings from 1000 distinct ones; bigints from 100000
// distinct ones). Items are values added; "ns_per_add" is the time per add.
//
//   build-agg/bench/rivulet_bench --benchmark_filter='BM_Aggregate'

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "rivulet/stream/aggregate.h"

namespace rivulet::stream {
namespace {

constexpr size_t kValues = 1024;

const std::vector<std::string>& strings() {
  static const auto s = [] {
    std::vector<std::string> v;
    for (int i = 0; i < 1000; ++i) v.push_back("merchant-" + std::to_string(i));
    return v;
  }();
  return s;
}

std::vector<Value> values(Type type) {
  std::mt19937_64 rng(42);
  std::vector<Value> out;
  for (size_t i = 0; i < kValues; ++i) {
    if (rng() % 50 == 0) {
      out.emplace_back();
    } else if (type == Type::kDouble) {
      out.push_back(Value::of_double(static_cast<double>(rng() % 200000) / 100.0));
    } else if (type == Type::kInt) {
      out.push_back(Value::of_int(static_cast<int64_t>(rng() % 100000)));
    } else {
      out.push_back(Value::of_string(strings()[rng() % strings().size()]));
    }
  }
  return out;
}

void BM_Aggregate(benchmark::State& state, const char* name, Type type, AggregateArgs args) {
  auto agg = std::move(make_aggregate(name, type, args)).value();
  const auto input = values(type);
  for (auto _ : state) {
    for (Value v : input) agg->add(v);
    benchmark::DoNotOptimize(agg.get());
  }
  benchmark::DoNotOptimize(agg->result());
  const auto n = static_cast<double>(state.iterations() * kValues);
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["ns_per_add"] =
      benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(BM_Aggregate, count_star, "COUNT", Type::kDouble, {.star = true});
BENCHMARK_CAPTURE(BM_Aggregate, count, "COUNT", Type::kDouble, {});
BENCHMARK_CAPTURE(BM_Aggregate, sum_bigint, "SUM", Type::kInt, {});
BENCHMARK_CAPTURE(BM_Aggregate, sum_double, "SUM", Type::kDouble, {});
BENCHMARK_CAPTURE(BM_Aggregate, avg, "AVG", Type::kDouble, {});
BENCHMARK_CAPTURE(BM_Aggregate, min, "MIN", Type::kDouble, {});
BENCHMARK_CAPTURE(BM_Aggregate, max_string, "MAX", Type::kString, {});
BENCHMARK_CAPTURE(BM_Aggregate, stddev_samp, "STDDEV_SAMP", Type::kDouble, {});
BENCHMARK_CAPTURE(BM_Aggregate, last_value_string, "LAST_VALUE", Type::kString, {});
BENCHMARK_CAPTURE(BM_Aggregate, count_distinct_string, "COUNT", Type::kString, {.distinct = true});
BENCHMARK_CAPTURE(BM_Aggregate, approx_count_distinct_bigint, "APPROX_COUNT_DISTINCT", Type::kInt,
                  {});
BENCHMARK_CAPTURE(BM_Aggregate, approx_percentile, "APPROX_PERCENTILE", Type::kDouble,
                  {.percentile = 0.99});
BENCHMARK_CAPTURE(BM_Aggregate, top_k_string, "TOP_K", Type::kString, {.top_k = 10});

// Rolling window: add the new value and retract the one that left (over the last 256).
void BM_AggregateRolling(benchmark::State& state, const char* name, AggregateArgs args) {
  auto agg = std::move(make_aggregate(name, Type::kDouble, args)).value();
  const auto input = values(Type::kDouble);
  size_t i = 0;
  for (auto _ : state) {
    for (size_t j = 0; j < kValues; ++j, ++i) {
      agg->add(input[i % kValues]);
      if (i >= 256) (void)agg->remove(input[(i - 256) % kValues]);
    }
    benchmark::DoNotOptimize(agg->result());
  }
  const auto n = static_cast<double>(state.iterations() * kValues);
  state.SetItemsProcessed(static_cast<int64_t>(n));
  state.counters["ns_per_add"] =
      benchmark::Counter(n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_AggregateRolling, avg, "AVG", {});
BENCHMARK_CAPTURE(BM_AggregateRolling, max, "MAX", {.fifo_remove = true});
BENCHMARK_CAPTURE(BM_AggregateRolling, stddev_samp, "STDDEV_SAMP", {});

// Merging two panes (sliding windows): HLL dense, KLL of 10000 values each.
void BM_AggregateMergePanes(benchmark::State& state, const char* name, Type type) {
  auto a = std::move(make_aggregate(name, type)).value();
  auto b = a->clone();
  const auto input = values(type);
  for (int r = 0; r < 10; ++r) {
    for (Value v : input) b->add(v);
  }
  for (auto _ : state) {
    (void)a->merge(*b);
    benchmark::DoNotOptimize(a.get());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK_CAPTURE(BM_AggregateMergePanes, approx_count_distinct, "APPROX_COUNT_DISTINCT",
                  Type::kInt);
BENCHMARK_CAPTURE(BM_AggregateMergePanes, approx_percentile, "APPROX_PERCENTILE", Type::kDouble);
BENCHMARK_CAPTURE(BM_AggregateMergePanes, var_samp, "VAR_SAMP", Type::kDouble);

}  // namespace
}  // namespace rivulet::stream
