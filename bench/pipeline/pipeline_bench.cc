// Whole pipelines through the engine, as `rivulet run` builds them from a pipeline file:
//
// - pipeline_throughput: a JSON Lines file of 8 doubles and a label -> decode -> filter ->
//   StandardScaler | LogisticRegression evaluate -> JSON Lines file, one worker. The issue's
//   target: at least 1 million events a second. Counters: each stage's cost per record (decode
//   and write on their own threads, the steps on the head thread).
// - pipeline_latency: events sent over TCP at 100,000 a second to a listening socket source,
//   predicted and written; p50 and p99 from a batch's receipt to its rows written. Target: p99
//   under 1 ms.
// - pipeline_keyed: key_by + a model per key, parallelism 1 against 2 (the ratio is the scaling).
//
//   build-bench/bench/rivulet_bench --benchmark_filter='^pipeline_'
//
// The latency run takes its settings from the environment, for exploring: LATENCY_OUT (the
// output file; /dev/null leaves out the file system), BATCH (batch_size, 1024), DELAY_MS
// (batch_delay_ms, 1), TIMER_MS (timer_interval_ms, 100).

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>
#include <type_traits>

#include "rivulet/io/sources.h"
#include "rivulet/pipeline/pipeline_file.h"

namespace rivulet::pipeline {
namespace {

namespace fs = std::filesystem;

fs::path bench_dir() {
  const fs::path dir = fs::temp_directory_path() / fmt::format("rivulet_pipeline_bench_{}", ::getpid());
  fs::create_directories(dir);
  return dir;
}

// n events {"id": i, "key": "k<i % keys>", "x0".."x7": doubles, "y": bool}.
std::string events_file(size_t n, size_t keys) {
  const fs::path path = bench_dir() / fmt::format("events_{}_{}.jsonl", n, keys);
  if (fs::exists(path)) return path.string();
  std::ofstream out(path);
  std::mt19937_64 rng(42);
  std::normal_distribution<double> normal;
  std::string line;
  for (size_t i = 0; i < n; ++i) {
    double x[8];
    double s = 0;
    for (int j = 0; j < 8; ++j) {
      x[j] = normal(rng);
      s += (j + 1) * x[j];
    }
    line = fmt::format("{{\"id\":{},\"key\":\"k{}\"", i, i % keys);
    for (int j = 0; j < 8; ++j) line += fmt::format(",\"x{}\":{:.6f}", j, x[j]);
    line += fmt::format(",\"y\":{}}}\n", s + normal(rng) > 0 ? "true" : "false");
    out << line;
  }
  return path.string();
}

const char* kSchema =
    "{id: bigint, key: string, x0: double, x1: double, x2: double, x3: double, x4: double, "
    "x5: double, x6: double, x7: double, y: boolean}";

void report(benchmark::State& state, const EngineStats& s) {
  const auto per = [](int64_t ns, uint64_t n) { return n > 0 ? static_cast<double>(ns) / n : 0.0; };
  state.counters["decode_ns"] = per(s.decode_ns, s.records_in);
  for (const StepStats& step : s.steps) {
    state.counters[step.name + "_ns"] = per(step.busy_ns, step.counts.in);
  }
  state.counters["write_ns"] = per(s.sink_ns, s.records_out);
  state.counters["p50_us"] = s.latency.quantile(0.5) / 1e3;
  state.counters["p90_us"] = s.latency.quantile(0.90) / 1e3;
  state.counters["p99_us"] = s.latency.quantile(0.99) / 1e3;
  state.counters["max_us"] = s.latency.max() / 1e3;
}

// Builds the pipeline from `yaml` as rivulet run does and runs it once per iteration;
// `before_run(compiled)` may adjust it (and start a producer, joined by `after_run`).
template <class Before = std::nullptr_t, class After = std::nullptr_t>
void run_pipeline(benchmark::State& state, const std::string& yaml, size_t n,
                  Before before_run = nullptr, After after_run = nullptr) {
  EngineStats last;
  for (auto _ : state) {
    auto compiled = compile_pipeline(yaml, "bench.yaml", {});
    if (!compiled.ok()) {
      state.SkipWithError(compiled.status().to_string().c_str());
      return;
    }
    if constexpr (!std::is_same_v<Before, std::nullptr_t>) before_run(*compiled);
    auto engine = Engine::create(std::move(compiled->plan), compiled->options);
    if (!engine.ok()) {
      state.SkipWithError(engine.status().to_string().c_str());
      return;
    }
    const Status s = (*engine)->run();
    if constexpr (!std::is_same_v<After, std::nullptr_t>) after_run();
    if (!s.ok()) {
      state.SkipWithError(s.to_string().c_str());
      return;
    }
    last = (*engine)->stats();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  report(state, last);
}

void pipeline_throughput(benchmark::State& state) {
  const size_t n = 1'000'000;
  const std::string input = events_file(n, 1000);
  const std::string output = (bench_dir() / "predictions.jsonl").string();
  const std::string yaml = fmt::format(R"(
source: {{kind: file, path: "{}", schema: {}}}
steps:
  - filter: "x0 > -10"
  - evaluate:
      model: "preprocessing.StandardScaler | linear_model.LogisticRegression"
      target: y
      exclude: [id, key]
sinks:
  - {{kind: file, path: "{}"}}
)",
                                       input, kSchema, output);
  run_pipeline(state, yaml, n);
}
BENCHMARK(pipeline_throughput)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// Sends `lines` over TCP to 127.0.0.1:port at `rate` lines a second.
void produce(int port, const std::vector<std::string>& lines, double rate) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  // Small writes go at once (no Nagle delay waiting for the previous segment's ACK), as a
  // latency-minded producer sends.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < 100 && ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const auto start = std::chrono::steady_clock::now();
  std::string chunk;
  size_t sent = 0;
  while (sent < lines.size()) {
    // Everything due by now, in one write.
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const size_t due = std::min(lines.size(), static_cast<size_t>(elapsed * rate) + 1);
    chunk.clear();
    for (; sent < due; ++sent) chunk += lines[sent];
    if (!chunk.empty() && ::send(fd, chunk.data(), chunk.size(), MSG_NOSIGNAL) < 0) break;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  ::close(fd);
}

void pipeline_latency(benchmark::State& state) {
  const double rate = 100'000;
  const size_t n = 300'000;  // 3 seconds
  std::vector<std::string> lines;
  {
    std::ifstream in(events_file(n, 1000));
    std::string line;
    while (std::getline(in, line)) lines.push_back(line + "\n");
  }
  const std::string output = std::getenv("LATENCY_OUT") ? std::getenv("LATENCY_OUT") : (bench_dir() / "latency.jsonl").string();
  const std::string yaml = fmt::format(R"(
source: {{kind: socket, listen: true, port: 0, schema: {}}}
steps:
  - evaluate:
      model: "preprocessing.StandardScaler | linear_model.LogisticRegression"
      target: y
      exclude: [id, key]
sinks:
  - {{kind: file, path: "{}"}}
settings: {{timer_interval_ms: {}, batch_delay_ms: {}, batch_size: {}}}
)",
                                       kSchema, output,
                                       std::getenv("TIMER_MS") ? std::getenv("TIMER_MS") : "100",
                                       std::getenv("DELAY_MS") ? std::getenv("DELAY_MS") : "1",
                                       std::getenv("BATCH") ? std::getenv("BATCH") : "1024");
  std::thread producer;
  run_pipeline(
      state, yaml, n,
      [&](CompiledPipeline& compiled) {
        const int port = io::SocketSource::listening_port(*compiled.plan.input.source);
        compiled.options.limit = n;
        producer = std::thread([&lines, port, rate] { produce(port, lines, rate); });
      },
      [&] { producer.join(); });
}
BENCHMARK(pipeline_latency)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

void pipeline_keyed(benchmark::State& state) {
  const size_t n = 400'000;
  const std::string input = events_file(n, 1000);
  const std::string output = (bench_dir() / "keyed.jsonl").string();
  const std::string yaml = fmt::format(R"(
source: {{kind: file, path: "{}", schema: {}}}
steps:
  - key_by: key
  - evaluate:
      model: "tree.HoeffdingTreeClassifier"
      target: y
      per_key: true
      exclude: [id]
sinks:
  - {{kind: file, path: "{}"}}
settings: {{parallelism: {}}}
)",
                                       input, kSchema, output, state.range(0));
  run_pipeline(state, yaml, n);
}
BENCHMARK(pipeline_keyed)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace rivulet::pipeline
