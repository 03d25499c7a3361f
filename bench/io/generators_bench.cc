// Throughput of the built-in generators: events per second and bytes per second of JSON Lines,
// each event appended to a reused buffer (as `rivulet gen` and a generator source do), cleared
// every 64 KiB.

#include <benchmark/benchmark.h>

#include <string>

#include "rivulet/io/generators/generator.h"

namespace rivulet::io {
namespace {

void BM_Generator(benchmark::State& state, const char* spec) {
  auto gen = Generator::create(spec, 42).value();
  std::string buffer;
  buffer.reserve(1 << 17);
  size_t bytes = 0;
  for (auto _ : state) {
    gen->next(buffer);
    if (buffer.size() >= (1 << 16)) {
      bytes += buffer.size();
      benchmark::DoNotOptimize(buffer.data());
      buffer.clear();
    }
  }
  bytes += buffer.size();
  if (gen->position() != static_cast<uint64_t>(state.iterations())) state.SkipWithError("count");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

BENCHMARK_CAPTURE(BM_Generator, sea, "sea");
BENCHMARK_CAPTURE(BM_Generator, hyperplane_10, "hyperplane(mag_change=0.001)");
BENCHMARK_CAPTURE(BM_Generator, agrawal, "agrawal");
BENCHMARK_CAPTURE(BM_Generator, rbf_10x50, "rbf");
BENCHMARK_CAPTURE(BM_Generator, rbf_drift_10x50, "rbf(change_speed=0.001)");
BENCHMARK_CAPTURE(BM_Generator, transactions, "transactions");
BENCHMARK_CAPTURE(BM_Generator, sensors, "sensors");

// Resuming: save and load of the whole state (transactions holds its pending labels).
void BM_SaveLoadState(benchmark::State& state, const char* spec) {
  auto gen = Generator::create(spec, 42).value();
  gen->skip(100000);
  auto other = Generator::create(spec, 42).value();
  for (auto _ : state) {
    const std::string bytes = gen->save_state();
    benchmark::DoNotOptimize(other->load_state(bytes).ok());
  }
}
BENCHMARK_CAPTURE(BM_SaveLoadState, sea, "sea");
BENCHMARK_CAPTURE(BM_SaveLoadState, transactions, "transactions");

}  // namespace
}  // namespace rivulet::io
