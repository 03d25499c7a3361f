// Cost of the expression language over a batch of 1024 payment records (8 fields): a filter, maps
// of several shapes, the row-at-a-time API, and a hand-written C++ loop computing the same filter
// as the reference (what the arithmetic itself costs). Items are rows; "per_row" is the time per
// row.
//
//   build-expr/bench/rivulet_bench --benchmark_filter='BM_Expr'

#include <benchmark/benchmark.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "rivulet/stream/batch.h"
#include "rivulet/stream/expression.h"

namespace rivulet::stream {
namespace {

constexpr size_t kRows = 1024;

std::shared_ptr<const Schema> payment_schema() {
  static const auto schema = std::make_shared<const Schema>(*Schema::create({
      {"id", Type::kInt, false},
      {"amount", Type::kDouble},
      {"country", Type::kString},
      {"is_test", Type::kBool},
      {"merchant", Type::kString},
      {"ts", Type::kInt, false},
      {"card_age_days", Type::kInt},
      {"channel", Type::kString},
  }));
  return schema;
}

// 1024 records: amounts spread over 0..2000, five countries, 10% test payments, a few NULLs.
std::unique_ptr<Batch> payments() {
  auto batch = std::make_unique<Batch>(payment_schema());
  std::mt19937_64 rng(42);
  const char* countries[] = {"FR", "DE", "US", "GB", "ES"};
  const char* channels[] = {"web", "pos", "app"};
  for (size_t r = 0; r < kRows; ++r) {
    const size_t row = batch->add_row(1700000000000 + static_cast<int64_t>(r) * 250);
    batch->set(row, 0, Value::of_int(static_cast<int64_t>(r)));
    batch->set(row, 1, rng() % 50 == 0 ? Value() : Value::of_double((rng() % 200000) / 100.0));
    batch->set_string(row, 2, countries[rng() % 5]);
    batch->set(row, 3, Value::of_bool(rng() % 10 == 0));
    batch->set_string(row, 4, "merchant-" + std::to_string(rng() % 100));
    batch->set(row, 5, Value::of_int(1700000000000 + static_cast<int64_t>(r) * 250));
    batch->set(row, 6, Value::of_int(static_cast<int64_t>(rng() % 2000)));
    batch->set_string(row, 7, channels[rng() % 3]);
  }
  return batch;
}

void report(benchmark::State& state) {
  const auto rows = static_cast<double>(state.iterations() * kRows);
  state.SetItemsProcessed(static_cast<int64_t>(rows));
  state.counters["per_row"] =
      benchmark::Counter(rows, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

constexpr const char* kFilter = "amount > 100 AND country IN ('FR','DE') AND NOT is_test";

void BM_ExprFilter(benchmark::State& state, const char* text) {
  auto batch = payments();
  auto e = Expression::compile_predicate(text, batch->schema());
  if (!e.ok()) {
    state.SkipWithError(e.status().message().c_str());
    return;
  }
  std::vector<uint8_t> mask(kRows);
  size_t selected = 0;
  for (auto _ : state) {
    selected = e->filter_batch(*batch, mask);
    benchmark::DoNotOptimize(mask.data());
  }
  report(state);
  state.counters["selected"] = static_cast<double>(selected);
}
BENCHMARK_CAPTURE(BM_ExprFilter, amount_country_not_test, kFilter);
BENCHMARK_CAPTURE(BM_ExprFilter, like_and_time,
                  "merchant LIKE 'merchant-1%' AND HOUR(ts) BETWEEN 8 AND 20 OR channel = 'pos'");

void BM_ExprMap(benchmark::State& state, const char* text) {
  auto batch = payments();
  auto e = Expression::compile(text, batch->schema());
  if (!e.ok()) {
    state.SkipWithError(e.status().message().c_str());
    return;
  }
  std::vector<Value> out(kRows);
  Arena arena;
  for (auto _ : state) {
    arena.clear();
    e->eval_batch(*batch, out, arena);
    benchmark::DoNotOptimize(out.data());
  }
  report(state);
}
BENCHMARK_CAPTURE(BM_ExprMap, case_high_low, "CASE WHEN amount > 1000 THEN 'high' ELSE 'low' END");
BENCHMARK_CAPTURE(BM_ExprMap, arithmetic, "amount * 1.2 + card_age_days / 7 - 3");
BENCHMARK_CAPTURE(BM_ExprMap, coalesce_round, "ROUND(COALESCE(amount, 0) / 3, 2)");
BENCHMARK_CAPTURE(BM_ExprMap, string_concat, "UPPER(country) || '-' || channel");
BENCHMARK_CAPTURE(BM_ExprMap, date_format, "DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')");

// The same filter through the one-row API: the cost of a call per row.
void BM_ExprFilterRowByRow(benchmark::State& state) {
  auto batch = payments();
  auto e = Expression::compile_predicate(kFilter, batch->schema());
  Arena arena;
  size_t selected = 0;
  for (auto _ : state) {
    selected = 0;
    for (size_t r = 0; r < kRows; ++r) {
      const Value v = e->eval(batch->row(r), arena);
      selected += v.type() == Type::kBool && v.as_bool() ? 1 : 0;
    }
    benchmark::DoNotOptimize(selected);
  }
  report(state);
  state.counters["selected"] = static_cast<double>(selected);
}
BENCHMARK(BM_ExprFilterRowByRow);

// Reference: the filter written by hand over the same values (SQL NULL rules included).
void BM_ExprHandWrittenFilter(benchmark::State& state) {
  auto batch = payments();
  std::vector<uint8_t> mask(kRows);
  size_t selected = 0;
  for (auto _ : state) {
    selected = 0;
    for (size_t r = 0; r < kRows; ++r) {
      const Value* row = batch->row(r);
      const Value amount = row[1], country = row[2], is_test = row[3];
      bool keep = !amount.is_null() && amount.as_double() > 100.0;
      if (keep) {
        const std::string_view c = country.is_null() ? std::string_view() : country.as_string();
        keep = !country.is_null() && (c == "FR" || c == "DE");
      }
      keep = keep && !is_test.is_null() && !is_test.as_bool();
      mask[r] = keep ? 1 : 0;
      selected += keep ? 1 : 0;
    }
    benchmark::DoNotOptimize(mask.data());
  }
  report(state);
  state.counters["selected"] = static_cast<double>(selected);
}
BENCHMARK(BM_ExprHandWrittenFilter);

void BM_ExprCompile(benchmark::State& state) {
  auto schema = payment_schema();
  for (auto _ : state) {
    auto e = Expression::compile(kFilter, *schema);
    benchmark::DoNotOptimize(e);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ExprCompile);

}  // namespace
}  // namespace rivulet::stream
