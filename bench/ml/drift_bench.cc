// Cost of one update of each drift detector of the registry, by spec, on two streams:
// "errors", a 0/1 error indicator whose rate rises from 10% to 40% every 5,000 updates (what a
// forest's detectors read: 2 per tree), and "values", a drifting real-valued series. The
// detectors run through the DriftDetector interface, as forests call them.
//
//   build-bench/bench/rivulet_bench --benchmark_filter='BM_Drift'

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "rivulet/ml/registry.h"
#include "rivulet/ml/spec.h"

namespace rivulet::ml {
namespace {

constexpr size_t kStream = 1 << 16;

const std::vector<double>& errors() {
  static const std::vector<double> xs = [] {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<double> v(kStream);
    for (size_t i = 0; i < kStream; ++i)
      v[i] = u(rng) < ((i / 5000) % 2 == 0 ? 0.1 : 0.4) ? 1.0 : 0.0;
    return v;
  }();
  return xs;
}

const std::vector<double>& values() {
  static const std::vector<double> xs = [] {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> n(0.0, 1.0);
    std::vector<double> v(kStream);
    for (size_t i = 0; i < kStream; ++i) v[i] = n(rng) + ((i / 5000) % 2 == 0 ? 0.0 : 3.0);
    return v;
  }();
  return xs;
}

void BM_Drift(benchmark::State& state, const std::string& spec, bool binary) {
  auto call = parse_call(spec);
  auto made = make_drift_detector(*call);
  if (!made.ok()) {
    state.SkipWithError(made.status().message().c_str());
    return;
  }
  DriftDetector& d = **made;
  const auto& xs = binary ? errors() : values();
  size_t i = 0, drifts = 0;
  for (auto _ : state) {
    d.update(xs[i]);
    drifts += d.drift_detected() ? 1 : 0;
    i = (i + 1) & (kStream - 1);
  }
  benchmark::DoNotOptimize(drifts);
  state.SetItemsProcessed(state.iterations());
  state.counters["drifts"] = static_cast<double>(drifts);
}

BENCHMARK_CAPTURE(BM_Drift, ADWIN_errors, std::string("drift.ADWIN"), true);
BENCHMARK_CAPTURE(BM_Drift, ADWIN_values, std::string("drift.ADWIN"), false);
BENCHMARK_CAPTURE(BM_Drift, PageHinkley_errors, std::string("drift.PageHinkley"), true);
BENCHMARK_CAPTURE(BM_Drift, PageHinkley_values, std::string("drift.PageHinkley"), false);
BENCHMARK_CAPTURE(BM_Drift, DDM_errors, std::string("drift.DDM"), true);
BENCHMARK_CAPTURE(BM_Drift, EDDM_errors, std::string("drift.EDDM"), true);
BENCHMARK_CAPTURE(BM_Drift, HDDM_A_errors, std::string("drift.HDDM_A"), true);
BENCHMARK_CAPTURE(BM_Drift, HDDM_W_errors, std::string("drift.HDDM_W"), true);
BENCHMARK_CAPTURE(BM_Drift, KSWIN_values, std::string("drift.KSWIN"), false);

}  // namespace
}  // namespace rivulet::ml
