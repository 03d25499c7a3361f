// Checkpoints of running pipelines: barrier snapshots through the engine's threads, resuming
// from them, exactly-once file output, savepoints, and faults and crashes of the file system
// (through checkpoint::Env, as leveldb's fault-injection tests do).

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "rivulet/checkpoint/store.h"
#include "rivulet/pipeline/engine.h"
#include "rivulet/pipeline/pipeline_file.h"
#include "support/committed_output.h"

namespace rivulet::pipeline {
namespace {

namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  const std::string dir = fmt::format("/tmp/rivulet-checkpoint-test-{}-{}", ::getpid(), name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string committed(const std::string& base) { return test_support::committed_output(base); }

std::string sorted_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// What differs between two outputs' lines, briefly (the outputs run to megabytes).
std::string line_diff(const std::string& got, const std::string& expected) {
  std::multiset<std::string> a, b;
  std::istringstream ga(got), eb(expected);
  for (std::string l; std::getline(ga, l);) a.insert(l);
  for (std::string l; std::getline(eb, l);) b.insert(l);
  std::vector<std::string> extra, missing;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(extra));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(missing));
  std::string out = fmt::format("{} lines, expected {}; {} extra, {} missing", a.size(), b.size(),
                                extra.size(), missing.size());
  for (size_t i = 0; i < extra.size() && i < 3; ++i) out += "\n  extra:   " + extra[i];
  for (size_t i = 0; i < missing.size() && i < 3; ++i) out += "\n  missing: " + missing[i];
  return out;
}

// Keyed tumbling windows over seeded card payments, in event time, with `parallelism`
// partitions, into an exactly-once file sink; a checkpoint every 20 ms. The watermark's bound
// covers the payments' disorder (at most 5 s), so that no row is late: which rows are late
// otherwise depends on where batches are cut, in any run. `more`: more checkpoint settings.
std::string windows_pipeline(const std::string& dir, int parallelism, bool checkpoints = true,
                             bool async = true, const std::string& more = "") {
  return fmt::format(R"yaml(
name: windows
source:
  kind: generator
  generator: "transactions(inline_label=False, fraud_rate=0.02)"
  seed: 3
  count: 60000
  rate: 150000
  schema: {{type: string, event_time: bigint, card_id: string, amount: double}}
  event_time: event_time
  watermark: {{max_out_of_orderness_ms: 6000}}
steps:
  - filter: "type = 'payment'"
  - key_by: card_id
  - window:
      group_by: [card_id]
      size_ms: 60000
      aggregates: {{n: "COUNT(*)", total: "SUM(amount)"}}
sinks:
  - {{kind: file, path: {0}/out/windows.jsonl}}
settings: {{parallelism: {1}}}
{2}
)yaml",
                     dir, parallelism,
                     checkpoints ? fmt::format("checkpoint: {{dir: {}/chk, interval: 20ms{}{}}}", dir,
                                               async ? "" : ", async: false",
                                               more.empty() ? "" : ", " + more)
                                 : std::string());
}

struct RunResult {
  Status status;
  EngineStats stats;
};

// Compiles and runs `yaml`, resuming from the latest checkpoint when there is one. With
// `stop_after` > 0, stops with a savepoint once that many records have been read.
// `configure`, when given, changes the checkpoint options the file compiled to.
RunResult run_pipeline(const std::string& yaml, checkpoint::Env* env = nullptr,
                       uint64_t stop_after = 0, std::optional<uint64_t> limit = std::nullopt,
                       const std::function<void(CheckpointOptions&)>& configure = nullptr) {
  CompileOptions copts;
  copts.env = env;
  auto compiled = compile_pipeline(yaml, "test.yaml", copts);
  if (!compiled.ok()) return {compiled.status(), {}};
  if (configure && compiled->options.checkpoints) configure(*compiled->options.checkpoints);
  const auto ck = compiled->options.checkpoints;
  compiled->options.limit = limit;
  auto engine = Engine::create(std::move(compiled->plan), std::move(compiled->options));
  if (!engine.ok()) return {engine.status(), {}};
  if (ck) {
    auto store = checkpoint::CheckpointStore::open({ck->dir, ck->retain, nullptr});
    if (!store.ok()) return {store.status(), {}};
    auto latest = (*store)->load_latest();
    if (!latest.ok()) return {latest.status(), {}};
    if (latest->has_value()) {
      if (Status s = (*engine)->restore(**latest); !s.ok()) return {s, {}};
    }
  }
  std::atomic<bool> done{false};
  std::thread stopper;
  if (stop_after > 0) {
    stopper = std::thread([&] {
      while (!done && (*engine)->stats().records_in < stop_after) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      (*engine)->stop_with_savepoint();
    });
  }
  RunResult r;
  r.status = (*engine)->run();
  done = true;
  if (stopper.joinable()) stopper.join();
  r.stats = (*engine)->stats();
  return r;
}

// Parallelism, and how snapshots are taken: every one in a forked child, or every one in the
// pipeline's own threads (async: false).
class SavepointTest : public ::testing::TestWithParam<std::tuple<int, bool>> {};

TEST_P(SavepointTest, StopAndResumeGiveTheOutputOfAnUninterruptedRun) {
  const auto [parallelism, forked] = GetParam();
  const std::string ref_dir = fresh_dir(fmt::format("ref{}", parallelism));
  const RunResult ref = run_pipeline(windows_pipeline(ref_dir, parallelism, false));
  ASSERT_TRUE(ref.status.ok()) << ref.status.to_string();
  const std::string expected = committed(ref_dir + "/out/windows.jsonl");
  ASSERT_GT(ref.stats.records_out, 1000u);

  const std::string dir = fresh_dir(fmt::format("stop{}{}", parallelism, forked));
  const std::string yaml = windows_pipeline(dir, parallelism, true, forked);
  const auto every_snapshot_forks = [](CheckpointOptions& co) { co.async_adaptive = false; };
  const std::function<void(CheckpointOptions&)> min_bytes =
      forked ? std::function<void(CheckpointOptions&)>(every_snapshot_forks) : nullptr;
  // Three stops with a savepoint (open windows stay in it), then a run to the end.
  uint64_t read = 0;
  for (const uint64_t at : {9000u, 7000u, 11000u}) {
    const RunResult r = run_pipeline(yaml, nullptr, at, std::nullopt, min_bytes);
    ASSERT_TRUE(r.status.ok()) << r.status.to_string();
    EXPECT_GE(r.stats.checkpoints.completed, 1u);
    EXPECT_EQ(r.stats.checkpoints.sync_reason, "");
    // Every thread's snapshot of every periodic checkpoint forked, or none did. The run's last
    // checkpoint, the savepoint it stops with, is serialized in place: nothing follows it.
    if (forked) {
      EXPECT_EQ(r.stats.checkpoints.forked,
                (r.stats.checkpoints.completed + r.stats.checkpoints.failed - 1) *
                    (parallelism == 1 ? 1u : 1u + parallelism));
    } else {
      EXPECT_EQ(r.stats.checkpoints.forked, 0u);
    }
    // After forks the writer made the pages the children shared writable again; without, it
    // had nothing to do. The run's pauses add up to at least its longest.
    if (r.stats.checkpoints.forked > 0) {
      EXPECT_GT(r.stats.checkpoints.pages_made_writable, 0u);
    } else {
      EXPECT_EQ(r.stats.checkpoints.pages_made_writable, 0u);
    }
    EXPECT_GE(r.stats.checkpoints.total_pause_ns, r.stats.checkpoints.max_pause_ns);
    if (r.stats.checkpoints.max_pause_ns > 0) {
      EXPECT_NE(r.stats.to_string().find("  checkpoint cost: paused "), std::string::npos);
    }
    EXPECT_LT(r.stats.records_in, 60000u) << "the stop came after the end";
    read += r.stats.records_in;
  }
  const RunResult last = run_pipeline(yaml, nullptr, 0, std::nullopt, min_bytes);
  ASSERT_TRUE(last.status.ok()) << last.status.to_string();
  EXPECT_NE(last.stats.checkpoints.restored_from, 0u);
  // Every record was read once over the runs: each resumed where the savepoint was taken.
  EXPECT_EQ(read + last.stats.records_in, 60000u);
  const std::string got = committed(dir + "/out/windows.jsonl");
  if (parallelism == 1) {
    EXPECT_EQ(got, expected);
  } else {  // partitions interleave their rows in any order
    EXPECT_EQ(sorted_lines(got), sorted_lines(expected));
  }
  // The final checkpoint recorded the end: a run after it reads nothing and adds nothing.
  const RunResult again = run_pipeline(yaml);
  ASSERT_TRUE(again.status.ok()) << again.status.to_string();
  EXPECT_EQ(again.stats.records_in, 0u);
  EXPECT_EQ(committed(dir + "/out/windows.jsonl"), got);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

TEST(CheckpointTest, AFailedForkTurnsToInThreadSnapshotsAndSaysWhy) {
  const std::string ref_dir = fresh_dir("nofork-ref");
  ASSERT_TRUE(run_pipeline(windows_pipeline(ref_dir, 2, false)).status.ok());
  const std::string expected = sorted_lines(committed(ref_dir + "/out/windows.jsonl"));
  const std::string dir = fresh_dir("nofork");
  int forks = 0;
  const RunResult r =
      run_pipeline(windows_pipeline(dir, 2), nullptr, 0, std::nullopt, [&](CheckpointOptions& co) {
        co.async_adaptive = false;
        co.fork = [&](std::vector<checkpoint::ForkedSnapshot::Part>)
            -> Result<checkpoint::ForkedSnapshot> {
          ++forks;
          return Status(StatusCode::kUnavailable, "cannot fork: Resource temporarily unavailable");
        };
      });
  ASSERT_TRUE(r.status.ok()) << r.status.to_string();
  EXPECT_EQ(forks, 1) << "after the first failure, no thread tries again";
  EXPECT_EQ(r.stats.checkpoints.forked, 0u);
  EXPECT_GE(r.stats.checkpoints.completed, 2u);
  EXPECT_EQ(r.stats.checkpoints.failed, 0u);
  EXPECT_EQ(r.stats.checkpoints.sync_reason, "cannot fork: Resource temporarily unavailable");
  EXPECT_NE(r.stats.to_string().find(", snapshots taken in the pipeline's threads (cannot fork: "
                                     "Resource temporarily unavailable)\n"),
            std::string::npos)
      << r.stats.to_string();
  const std::string got = sorted_lines(committed(dir + "/out/windows.jsonl"));
  EXPECT_TRUE(got == expected) << line_diff(got, expected);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

TEST(CheckpointTest, AThreadForksOnlyWhileForkingCostsLessThanSerializingInPlace) {
  // A fork made slow (30 ms) against a state of a few kilobytes: the first snapshot forks (the
  // costs are unknown), every later one is taken in place.
  const std::string slow_fork_dir = fresh_dir("slowfork");
  const RunResult slow_fork = run_pipeline(
      windows_pipeline(slow_fork_dir, 1), nullptr, 0, std::nullopt, [](CheckpointOptions& co) {
        co.fork = [](std::vector<checkpoint::ForkedSnapshot::Part> parts) {
          ::usleep(30000);
          return checkpoint::ForkedSnapshot::start(std::move(parts));
        };
      });
  ASSERT_TRUE(slow_fork.status.ok()) << slow_fork.status.to_string();
  EXPECT_GE(slow_fork.stats.checkpoints.completed, 3u);
  EXPECT_EQ(slow_fork.stats.checkpoints.forked, 1u);
  // Serializing made slow (30 ms a step in the child): every periodic snapshot forks (the
  // final one is serialized in place: nothing follows it).
  const std::string slow_state_dir = fresh_dir("slowstate");
  const auto slow_child = [](size_t cpus, useconds_t sleep_us) {
    return [cpus, sleep_us](CheckpointOptions& co) {
      co.cpus = cpus;
      co.fork = [sleep_us](std::vector<checkpoint::ForkedSnapshot::Part> parts) {
        for (auto& part : parts) {
          part.bytes = [make = std::move(part.bytes), sleep_us] {
            ::usleep(sleep_us);
            return make();
          };
        }
        return checkpoint::ForkedSnapshot::start(std::move(parts));
      };
    };
  };
  const RunResult slow_state = run_pipeline(windows_pipeline(slow_state_dir, 1), nullptr, 0,
                                            std::nullopt, slow_child(2, 30000));
  ASSERT_TRUE(slow_state.status.ok()) << slow_state.status.to_string();
  EXPECT_GE(slow_state.stats.checkpoints.completed, 3u);
  EXPECT_EQ(slow_state.stats.checkpoints.forked, slow_state.stats.checkpoints.completed - 1);
  // On one CPU: the child's time would be taken from processing, more than the fork saves
  // (in place the parts would serialize one after another, for as long), so only the first
  // snapshot forks, even where the parts in place take longer than the 50 ms bound on pauses
  // (3 parts of 30 ms): the child would delay the records as much.
  const std::string one_cpu_dir = fresh_dir("onecpu");
  const RunResult one_cpu = run_pipeline(windows_pipeline(one_cpu_dir, 1), nullptr, 0,
                                         std::nullopt, slow_child(1, 30000));
  ASSERT_TRUE(one_cpu.status.ok()) << one_cpu.status.to_string();
  EXPECT_GE(one_cpu.stats.checkpoints.completed, 3u);
  EXPECT_EQ(one_cpu.stats.checkpoints.forked, 1u);
  fs::remove_all(slow_fork_dir);
  fs::remove_all(slow_state_dir);
  fs::remove_all(one_cpu_dir);
}

TEST(CheckpointTest, ASnapshotChildThatDiesFailsTheCheckpointWithTheReason) {
  const std::string dir = fresh_dir("childdies");
  const RunResult r =
      run_pipeline(windows_pipeline(dir, 1), nullptr, 0, std::nullopt, [](CheckpointOptions& co) {
        co.async_adaptive = false;
        co.fork = [](std::vector<checkpoint::ForkedSnapshot::Part> parts) {
          parts.back().bytes = []() -> std::string {
            ::raise(SIGKILL);
            return "";
          };
          return checkpoint::ForkedSnapshot::start(std::move(parts));
        };
      });
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("checkpoint: snapshot process "), std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find(" was killed by signal 9 (Killed) (1 failed in a row; "
                                    "tolerable_failures is 0)"),
            std::string::npos)
      << r.status.message();
  // Nothing was committed: the run stopped at its first checkpoint.
  EXPECT_EQ(committed(dir + "/out/windows.jsonl"), "");
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(ParallelismAndSnapshots, SavepointTest,
                         ::testing::Combine(::testing::Values(1, 2), ::testing::Bool()),
                         [](const auto& test) {
                           return fmt::format("p{}_{}", std::get<0>(test.param),
                                              std::get<1>(test.param) ? "forked" : "in_thread");
                         });

TEST(CheckpointTest, AChangedSinkStartsAfreshWhileTheStepsKeepTheirState) {
  // Stopped with a savepoint, then resumed writing to another file: the steps go on with
  // their windows, the new sink gets what comes after the savepoint, and the two outputs
  // together are an uninterrupted run's.
  const std::string ref_dir = fresh_dir("sink-ref");
  ASSERT_TRUE(run_pipeline(windows_pipeline(ref_dir, 1, false)).status.ok());
  const std::string expected = sorted_lines(committed(ref_dir + "/out/windows.jsonl"));
  const std::string dir = fresh_dir("sink");
  ASSERT_TRUE(run_pipeline(windows_pipeline(dir, 1), nullptr, 20000).status.ok());
  const std::string before = committed(dir + "/out/windows.jsonl");
  std::string yaml = windows_pipeline(dir, 1);
  yaml.replace(yaml.find("/out/windows.jsonl"), 18, "/other/windows.jsonl");
  const RunResult rest = run_pipeline(yaml);
  ASSERT_TRUE(rest.status.ok()) << rest.status.to_string();
  EXPECT_EQ(committed(dir + "/out/windows.jsonl"), before);
  const std::string after = committed(dir + "/other/windows.jsonl");
  EXPECT_FALSE(after.empty());
  const std::string got = sorted_lines(before + after);
  EXPECT_TRUE(got == expected) << line_diff(got, expected);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

TEST(CheckpointTest, ALimitStopsWithASavepointAndTheNextRunGoesOn) {
  // --limit is not the end of the input: the windows open at the limit stay open, and the run
  // after it goes on from there (it once flushed them and left the watermark at the end of
  // time, so that the next run dropped every record as late).
  const std::string ref_dir = fresh_dir("limit-ref");
  ASSERT_TRUE(run_pipeline(windows_pipeline(ref_dir, 2, false)).status.ok());
  const std::string expected = sorted_lines(committed(ref_dir + "/out/windows.jsonl"));
  const std::string dir = fresh_dir("limit");
  const RunResult first = run_pipeline(windows_pipeline(dir, 2), nullptr, 0, 25000);
  ASSERT_TRUE(first.status.ok()) << first.status.to_string();
  EXPECT_EQ(first.stats.records_in, 25000u);
  const RunResult rest = run_pipeline(windows_pipeline(dir, 2));
  ASSERT_TRUE(rest.status.ok()) << rest.status.to_string();
  EXPECT_EQ(rest.stats.records_in, 35000u);
  const std::string got = sorted_lines(committed(dir + "/out/windows.jsonl"));
  EXPECT_TRUE(got == expected) << line_diff(got, expected);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

TEST(CheckpointTest, TwoInputsAlignTheirBarriers) {
  // An interval join of payments (the input) with their chargebacks (a second source): the
  // head thread aligns the two sources' barriers. The pairs do not depend on the interleaving.
  const std::string dir = fresh_dir("join");
  {
    std::ofstream payments(dir + "/payments.jsonl"), labels(dir + "/labels.jsonl");
    for (int i = 0; i < 20000; ++i) {
      payments << fmt::format(R"({{"id":{},"t":{},"amount":{}}})", i, 1000 * i, i % 97) << "\n";
      if (i % 3 == 0) {
        labels << fmt::format(R"({{"id":{},"t":{},"fraud":{}}})", i, 1000 * i + 500,
                              i % 2 == 0 ? "true" : "false")
               << "\n";
      }
    }
  }
  const auto yaml = [&](bool checkpoints) {
    return fmt::format(R"(
name: join
source:
  kind: file
  path: {0}/payments.jsonl
  schema: {{id: bigint, t: bigint, amount: double}}
  event_time: t
  watermark: {{max_out_of_orderness_ms: 0}}
steps:
  - join:
      type: interval
      right:
        source: {{kind: file, path: {0}/labels.jsonl, schema: {{id: bigint, t: bigint, fraud: boolean}},
                  event_time: t, watermark: {{max_out_of_orderness_ms: 0}}}}
      on: {{id: id}}
      between: [0, 1000]
  - select: [id, amount, fraud]
sinks:
  - {{kind: file, path: {0}/out/{1}.jsonl}}
settings: {{batch_size: 64}}
{2}
)",
                       dir, checkpoints ? "pairs" : "ref",
                       checkpoints ? fmt::format("checkpoint: {{dir: {}/chk, interval: 5ms}}", dir)
                                   : std::string());
  };
  const RunResult ref = run_pipeline(yaml(false));
  ASSERT_TRUE(ref.status.ok()) << ref.status.to_string();
  const std::string expected = sorted_lines(committed(dir + "/out/ref.jsonl"));
  ASSERT_EQ(ref.stats.records_out, 6667u) << ref.stats.to_string();
  // Savepoints cut by the head thread: at limits (files are read faster than a stop from
  // another thread could land reliably; a limit stops with a savepoint as a signal does).
  uint64_t read = 0;
  for (const uint64_t limit : {3000u, 5000u, 4000u}) {
    const RunResult r = run_pipeline(yaml(true), nullptr, 0, limit);
    ASSERT_TRUE(r.status.ok()) << r.status.to_string();
    EXPECT_EQ(r.stats.records_in, limit);
    EXPECT_NE(r.stats.checkpoints.savepoint, 0u);
    read += r.stats.records_in;
  }
  const RunResult last = run_pipeline(yaml(true));
  ASSERT_TRUE(last.status.ok()) << last.status.to_string();
  EXPECT_EQ(read + last.stats.records_in, 20000u);
  EXPECT_EQ(sorted_lines(committed(dir + "/out/pairs.jsonl")), expected);
  fs::remove_all(dir);
}

TEST(CheckpointTest, ResumingRefusesAChangedPipelineAndNamesTheStep) {
  const std::string dir = fresh_dir("changed");
  ASSERT_TRUE(run_pipeline(windows_pipeline(dir, 2), nullptr, 5000).status.ok());
  // A step changed.
  std::string yaml = windows_pipeline(dir, 2);
  yaml.replace(yaml.find("- filter"), 8, "- name: payments\n    filter");
  const RunResult changed = run_pipeline(yaml);
  EXPECT_EQ(changed.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(changed.status.message().find(
                "step 1 is 'filter filter' in the checkpoint but 'filter payments' in the "
                "pipeline"),
            std::string::npos)
      << changed.status.message();
  fs::remove_all(dir);
}

// Each key's rows in order (partitions interleave keys in any order, never one key's rows).
std::map<std::string, std::vector<std::string>> rows_per_key(const std::string& text,
                                                             const std::string& key) {
  std::map<std::string, std::vector<std::string>> out;
  std::istringstream in(text);
  const std::string tag = fmt::format("\"{}\": ", key);
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find(tag);
    if (at == std::string::npos) continue;
    const size_t from = at + tag.size();
    out[line.substr(from, line.find_first_of(",}", from) - from)].push_back(line);
  }
  return out;
}

TEST(CheckpointTest, RescalingMovesKeyedStateBetweenPartitions) {
  // Keyed state in over, dedup, aggregate and top_n, stopped with savepoints and resumed with
  // 2, then 3, then 1, then 2 partitions: every key's rows are those of a run that never
  // stopped.
  const auto yaml = [](const std::string& dir, int parallelism, bool checkpoints) {
    return fmt::format(R"yaml(
name: rescale
source:
  kind: generator
  generator: "transactions(inline_label=False, fraud_rate=0.02)"
  seed: 5
  count: 40000
  rate: 100000
  schema: {{type: string, event_time: bigint, card_id: string, merchant: string, amount: double}}
  event_time: event_time
steps:
  - filter: "type = 'payment'"
  - key_by: card_id
  - over: {{partition_by: [card_id], range_ms: 600000, aggregates: {{recent: "COUNT(*)"}}}}
  - filter: "recent <= 3"
  - dedup: {{key: [card_id, merchant], within_ms: 600000}}
  - top_n: {{partition_by: [card_id], order_by: ["amount DESC"], n: 2}}
  - aggregate:
      group_by: [card_id]
      upsert_key: [card_id, rank]
      aggregates: {{top: "SUM(amount)", n: "COUNT(*)"}}
sinks:
  - {{kind: file, path: {0}/out/cards.jsonl}}
settings: {{parallelism: {1}}}
{2}
)yaml",
                       dir, parallelism,
                       checkpoints ? fmt::format("checkpoint: {{dir: {}/chk, interval: 20ms}}", dir)
                                   : std::string());
  };
  const std::string ref_dir = fresh_dir("rescale-ref");
  const RunResult ref = run_pipeline(yaml(ref_dir, 1, false));
  ASSERT_TRUE(ref.status.ok()) << ref.status.to_string();
  const auto expected = rows_per_key(committed(ref_dir + "/out/cards.jsonl"), "card_id");
  ASSERT_GT(expected.size(), 1000u);

  const std::string dir = fresh_dir("rescale");
  uint64_t read = 0;
  for (const auto& [parallelism, at] :
       std::vector<std::pair<int, uint64_t>>{{2, 9000}, {3, 8000}, {1, 7000}}) {
    const RunResult r = run_pipeline(yaml(dir, parallelism, true), nullptr, at);
    ASSERT_TRUE(r.status.ok()) << "parallelism " << parallelism << ": " << r.status.to_string();
    read += r.stats.records_in;
  }
  const RunResult last = run_pipeline(yaml(dir, 2, true));
  ASSERT_TRUE(last.status.ok()) << last.status.to_string();
  EXPECT_EQ(read + last.stats.records_in, 40000u);
  const auto got = rows_per_key(committed(dir + "/out/cards.jsonl"), "card_id");
  EXPECT_EQ(got.size(), expected.size());
  size_t differ = 0;
  for (const auto& [key, rows] : expected) {
    auto it = got.find(key);
    if (it == got.end() || it->second != rows) {
      if (++differ <= 3) {
        ADD_FAILURE() << "card " << key << ": " << (it == got.end() ? 0 : it->second.size())
                      << " rows, expected " << rows.size() << "; first expected: " << rows[0];
      }
    }
  }
  EXPECT_EQ(differ, 0u);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

TEST(CheckpointTest, RescalingMovesPerKeyModels) {
  // A model per key (a Hoeffding tree regressor each, with per-key metrics): stopped with 2
  // partitions, resumed with 3, stopped, resumed with 1. Each key's predictions are those of
  // a run that never stopped: its model, metrics and pending predictions moved with it.
  const auto yaml = [](const std::string& dir, int parallelism, bool checkpoints,
                       const std::string& model = "tree.HoeffdingTreeRegressor(grace_period=50)",
                       const std::string& target = "loan", const std::string& metric = "MAE") {
    return fmt::format(R"yaml(
name: per-key
source: {{kind: generator, generator: "agrawal", seed: 1, count: 30000, rate: 100000,
          schema: {{salary: double, age: bigint, elevel: bigint, car: bigint, loan: double, y: bigint}}}}
steps:
  - key_by: elevel
  - name: per-level
    evaluate: {{model: "{3}", target: {4}, features: [salary, age, car], per_key: true,
               metrics: [{5}]}}
  - select: [elevel, {4}, prediction]
sinks:
  - {{kind: file, path: {0}/out/p.jsonl}}
settings: {{parallelism: {1}}}
{2}
)yaml",
                       dir, parallelism,
                       checkpoints ? fmt::format("checkpoint: {{dir: {}/chk, interval: 20ms}}", dir)
                                   : std::string(),
                       model, target, metric);
  };
  const std::string ref_dir = fresh_dir("rescale-learner-ref");
  ASSERT_TRUE(run_pipeline(yaml(ref_dir, 1, false)).status.ok());
  const auto expected = rows_per_key(committed(ref_dir + "/out/p.jsonl"), "elevel");
  ASSERT_EQ(expected.size(), 5u);
  const std::string dir = fresh_dir("rescale-learner");
  uint64_t read = 0;
  for (const auto& [parallelism, at] :
       std::vector<std::pair<int, uint64_t>>{{2, 8000}, {3, 9000}}) {
    const RunResult r = run_pipeline(yaml(dir, parallelism, true), nullptr, at);
    ASSERT_TRUE(r.status.ok()) << "parallelism " << parallelism << ": " << r.status.to_string();
    read += r.stats.records_in;
  }
  const RunResult last = run_pipeline(yaml(dir, 1, true));
  ASSERT_TRUE(last.status.ok()) << last.status.to_string();
  EXPECT_EQ(read + last.stats.records_in, 30000u);
  const auto got = rows_per_key(committed(dir + "/out/p.jsonl"), "elevel");
  for (const auto& [key, rows] : expected) {
    auto it = got.find(key);
    ASSERT_NE(it, got.end()) << "elevel " << key;
    EXPECT_TRUE(it->second == rows)
        << "elevel " << key << ": " << it->second.size() << " rows, expected " << rows.size();
  }
  fs::remove_all(ref_dir);
  fs::remove_all(dir);

  // Classifiers: each partition numbers the classes in the order it met them; when two
  // partitions disagree, their models cannot move yet, and the resume says so.
  const std::string cls = fresh_dir("rescale-classifier");
  const std::string tree = "tree.HoeffdingTreeClassifier(grace_period=50)";
  ASSERT_TRUE(run_pipeline(yaml(cls, 2, true, tree, "y", "Accuracy"), nullptr, 8000).status.ok());
  const RunResult other = run_pipeline(yaml(cls, 3, true, tree, "y", "Accuracy"));
  if (!other.status.ok()) {
    EXPECT_EQ(other.status.code(), StatusCode::kUnimplemented);
    EXPECT_NE(other.status.message().find("step 'per-level': the partitions numbered their "
                                          "classes differently"),
              std::string::npos)
        << other.status.message();
  }
  fs::remove_all(cls);
}

TEST(CheckpointTest, RescalingMovesWindows) {
  // Keyed windows, open when stopped: 2 partitions, then 3, then 1.
  const std::string ref_dir = fresh_dir("rescale-windows-ref");
  ASSERT_TRUE(run_pipeline(windows_pipeline(ref_dir, 1, false)).status.ok());
  const std::string expected = sorted_lines(committed(ref_dir + "/out/windows.jsonl"));
  const std::string dir = fresh_dir("rescale-windows");
  ASSERT_TRUE(run_pipeline(windows_pipeline(dir, 2), nullptr, 15000).status.ok());
  ASSERT_TRUE(run_pipeline(windows_pipeline(dir, 3), nullptr, 12000).status.ok());
  const RunResult last = run_pipeline(windows_pipeline(dir, 1));
  ASSERT_TRUE(last.status.ok()) << last.status.to_string();
  const std::string got = sorted_lines(committed(dir + "/out/windows.jsonl"));
  EXPECT_TRUE(got == expected) << line_diff(got, expected);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

// A step of its own with state, and no way to move it: the resume stops and names it.
class Tally final : public stream::Operator {
 public:
  std::string_view kind() const override { return "tally"; }
  Result<stream::SchemaPtr> open(stream::SchemaPtr in, stream::OpenContext&) override { return in; }
  Status process(stream::Batch& batch, stream::OperatorContext&) override {
    seen += batch.size();
    return {};
  }
  void snapshot(StateWriter& out) const override { out(seen); }
  std::unique_ptr<Operator> clone() const override { return std::make_unique<Tally>(); }
  uint64_t seen = 0;
};

TEST(CheckpointTest, RescalingAStepThatCannotMoveItsStateSaysWhichStep) {
  Tally fresh, busy;
  fresh.set_name("tally#4");
  busy.seen = 7;
  const auto bytes = [](const stream::Operator& op) {
    std::ostringstream os;
    {
      StateWriter out(os);
      op.snapshot(out);
    }
    return os.str();
  };
  const stream::PartitionFilter keep{"card", 0, 2};
  // Snapshots equal to a fresh instance's hold nothing to move.
  EXPECT_TRUE(fresh.restore_rescaled({bytes(fresh), bytes(fresh)}, keep).ok());
  const Status s = fresh.restore_rescaled({bytes(fresh), bytes(busy)}, keep);
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_EQ(s.message(),
            "step 'tally#4' (tally) holds state that cannot be moved between partitions yet: "
            "restart with the parallelism of the checkpoint");
}

// The process's file system, with faults: write_file of names containing `fail_name` fails
// (EIO), and the `crash_at`-th mutating call ends the process at once, as a SIGKILL would.
class FaultEnv final : public checkpoint::Env {
 public:
  std::string fail_name;
  uint64_t crash_at = 0;
  std::atomic<uint64_t> calls{0};

  Status make_dirs(const std::string& path) override {
    tick();
    return base()->make_dirs(path);
  }
  Status write_file(const std::string& path, const std::string& bytes) override {
    tick();
    if (!fail_name.empty() && path.find(fail_name) != std::string::npos) {
      return Status(StatusCode::kIoError, fmt::format("{}: Input/output error", path));
    }
    return base()->write_file(path, bytes);
  }
  Result<std::string> read_file(const std::string& path) override {
    return base()->read_file(path);
  }
  Status rename(const std::string& from, const std::string& to) override {
    tick();
    return base()->rename(from, to);
  }
  Status sync_dir(const std::string& path) override {
    tick();
    return base()->sync_dir(path);
  }
  Result<std::vector<std::string>> list(const std::string& path) override {
    return base()->list(path);
  }
  Status remove_all(const std::string& path) override {
    tick();
    return base()->remove_all(path);
  }
  Status link_file(const std::string& from, const std::string& to) override {
    tick();
    return base()->link_file(from, to);
  }
  bool exists(const std::string& path) override { return base()->exists(path); }

 private:
  static Env* base() { return Env::posix(); }
  void tick() {
    if (++calls == crash_at) ::_exit(77);
  }
};

TEST(CheckpointTest, AFailedCheckpointStopsTheRunWithTheReason) {
  const std::string dir = fresh_dir("fail");
  FaultEnv env;
  env.fail_name = "MANIFEST.tmp";
  const RunResult r = run_pipeline(windows_pipeline(dir, 1), &env);
  EXPECT_EQ(r.status.code(), StatusCode::kIoError);
  EXPECT_NE(r.status.message().find("checkpoint: "), std::string::npos) << r.status.message();
  EXPECT_NE(r.status.message().find("MANIFEST.tmp: Input/output error"), std::string::npos)
      << r.status.message();
  EXPECT_NE(r.status.message().find("1 failed in a row; tolerable_failures is 0"),
            std::string::npos)
      << r.status.message();
  fs::remove_all(dir);
}

TEST(CheckpointTest, ToleratedFailuresLetTheRunGoOnAndTheOutputStaysWhole) {
  const std::string ref_dir = fresh_dir("tolerate-ref");
  ASSERT_TRUE(run_pipeline(windows_pipeline(ref_dir, 1, false)).status.ok());
  const std::string dir = fresh_dir("tolerate");
  FaultEnv env;
  env.fail_name = "MANIFEST.tmp";
  std::string yaml = windows_pipeline(dir, 1);
  yaml.replace(yaml.find("interval: 20ms"), 14, "interval: 20ms, tolerable_failures: 1000000");
  const RunResult r = run_pipeline(yaml, &env);
  ASSERT_TRUE(r.status.ok()) << r.status.to_string();
  EXPECT_EQ(r.stats.checkpoints.completed, 0u);
  EXPECT_GE(r.stats.checkpoints.failed, 2u);
  EXPECT_NE(r.stats.checkpoints.last_error.find("Input/output error"), std::string::npos);
  // Nothing was published, and the sink committed everything when it closed.
  EXPECT_EQ(committed(dir + "/out/windows.jsonl"), committed(ref_dir + "/out/windows.jsonl"));
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

// Kills a run at its `crash_at`-th mutating file-system call (a checkpoint's part, its
// manifest's rename, a sink's pending or committed part, retention), then resumes it to the
// end: the committed output is that of an uninterrupted run.
void crash_and_resume(const std::string& dir, const std::string& yaml, uint64_t crash_at) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FaultEnv env;
    env.crash_at = crash_at;
    const RunResult r = run_pipeline(yaml, &env);
    ::_exit(r.status.ok() ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_NE(WEXITSTATUS(wstatus), 1) << "the run failed before its crash";

  const RunResult r = run_pipeline(yaml);
  ASSERT_TRUE(r.status.ok()) << r.status.to_string();
  (void)dir;
}

// The windows pipeline with its window step replaced by `over`: each card's payments of the
// last 10 s of event time, rolling (a row out for each row in).
std::string rolling_pipeline(const std::string& dir, int parallelism, bool checkpoints = true,
                             bool async = true, const std::string& more = "") {
  std::string yaml = windows_pipeline(dir, parallelism, checkpoints, async, more);
  const std::string window = R"yaml(  - window:
      group_by: [card_id]
      size_ms: 60000
      aggregates: {n: "COUNT(*)", total: "SUM(amount)"})yaml";
  const size_t at = yaml.find(window);
  if (at == std::string::npos) return "the windows pipeline changed: no window step to replace";
  yaml.replace(at, window.size(), R"yaml(  - over:
      partition_by: [card_id]
      range_ms: 10000
      aggregates: {n: "COUNT(*)", total: "SUM(amount)"})yaml");
  return yaml;
}

using PipelineMaker = std::string (*)(const std::string&, int, bool, bool, const std::string&);

void crash_at_points(const std::vector<uint64_t>& points, const std::string& more = "",
                     PipelineMaker make = windows_pipeline) {
  const std::string ref_dir = fresh_dir("crash-ref");
  ASSERT_TRUE(run_pipeline(make(ref_dir, 2, false, true, "")).status.ok());
  const std::string expected = sorted_lines(committed(ref_dir + "/out/windows.jsonl"));
  ASSERT_GT(expected.size(), 1000u);
  for (const uint64_t at : points) {
    SCOPED_TRACE(fmt::format("crash at file-system call {} ({})", at, more));
    const std::string dir = fresh_dir(fmt::format("crash-{}", at));
    crash_and_resume(dir, make(dir, 2, true, true, more), at);
    const std::string got = sorted_lines(committed(dir + "/out/windows.jsonl"));
    EXPECT_TRUE(got == expected) << line_diff(got, expected);
    fs::remove_all(dir);
  }
  fs::remove_all(ref_dir);
}

TEST(CheckpointTest, ACrashAtAnyFileSystemCallLosesAndDuplicatesNothing) {
  crash_at_points({1, 4, 9, 17, 30, 52});
}

TEST(CheckpointSlowTest, ACrashAtAnyFileSystemCallLosesAndDuplicatesNothing) {
  std::vector<uint64_t> points;
  for (uint64_t at = 2; at <= 160; at += 7) points.push_back(at);
  crash_at_points(points);
}

// Incremental checkpoints: a crash anywhere, a change set's file, a link or the manifest of a
// checkpoint of changes included; the resumed run restores the snapshot and applies the change
// sets after it.
TEST(CheckpointTest, ACrashWithIncrementalCheckpointsLosesAndDuplicatesNothing) {
  crash_at_points({30, 61, 95, 140}, "incremental: true, full_every: 4");
}

// The over step's change sets: the cards that got a payment since the checkpoint before, and
// those whose last payment left the range.
TEST(CheckpointTest, ACrashWithIncrementalRollingStateLosesAndDuplicatesNothing) {
  crash_at_points({45, 95, 150}, "incremental: true, full_every: 4", rolling_pipeline);
}

TEST(CheckpointSlowTest, ACrashWithIncrementalCheckpointsLosesAndDuplicatesNothing) {
  std::vector<uint64_t> points;
  for (uint64_t at = 3; at <= 200; at += 9) points.push_back(at);
  crash_at_points(points, "incremental: true, full_every: 3");
}

TEST(CheckpointTest, ChangeSetPartNamesRoundTrip) {
  EXPECT_EQ(change_set_part("step-3.p0", 12), "step-3.p0.delta-12");
  EXPECT_EQ(change_set_number(change_set_part("step-3.p0", 12)), 12u);
  EXPECT_EQ(change_set_number("step-3"), std::nullopt);
  EXPECT_EQ(change_set_number("step-3.delta-"), std::nullopt);
  EXPECT_EQ(change_set_number("step-3.delta-0"), std::nullopt);
  EXPECT_EQ(change_set_number("step-3.delta-2x"), std::nullopt);
}

// What incremental checkpoints store: each step of windows saves a snapshot, then change sets
// ("step-3.p0.delta-1", ...) beside hard links to the earlier files of its chain; every
// full_every-th checkpoint is a snapshot again; the other steps save whole parts each time.
TEST(CheckpointTest, IncrementalCheckpointsChainChangeSetsToASnapshot) {
  const std::string ref_dir = fresh_dir("incremental-ref");
  ASSERT_TRUE(run_pipeline(windows_pipeline(ref_dir, 2, false)).status.ok());
  const std::string expected = sorted_lines(committed(ref_dir + "/out/windows.jsonl"));
  const std::string dir = fresh_dir("incremental");
  const std::string yaml =
      windows_pipeline(dir, 2, true, true, "incremental: true, full_every: 3, retain: 100");
  const RunResult first = run_pipeline(yaml, nullptr, 30000);
  ASSERT_TRUE(first.status.ok()) << first.status.to_string();
  auto store = checkpoint::CheckpointStore::open({.dir = dir + "/chk"}).value();
  const auto ids = store->list().value();
  ASSERT_GE(ids.size(), 4u);
  size_t chains = 0, changes = 0;
  for (const uint64_t id : ids) {
    SCOPED_TRACE(id);
    const auto chk = store->load(id).value();
    // Change sets in a row: 0 (a snapshot), 1 or 2 (full_every 3).
    size_t k = 0;
    while (chk.parts.count(fmt::format("step-3.p0.delta-{}", k + 1)) != 0) ++k;
    EXPECT_LE(k, 2u);
    EXPECT_EQ(chk.parts.count(fmt::format("step-3.p1.delta-{}", k)), k == 0 ? 0u : 1u);
    EXPECT_EQ(chk.parts.count(fmt::format("step-3.p0.delta-{}", k + 1)), 0u);
    if (k == 0) ++chains;
    changes += k;
    if (k > 0) {  // the chain's snapshot is the file of the checkpoint before, not a copy
      struct stat here {}, there {};
      const std::string name = "/step-3.p0.part";
      ASSERT_EQ(::stat((dir + "/chk/" + checkpoint::CheckpointStore::dir_name(id) + name).c_str(),
                       &here), 0);
      ASSERT_EQ(::stat((dir + "/chk/" + checkpoint::CheckpointStore::dir_name(id - 1) + name).c_str(),
                       &there), 0);
      EXPECT_EQ(here.st_ino, there.st_ino);
    }
    EXPECT_EQ(chk.parts.count("step-1"), 1u);  // the filter: whole, as always
  }
  EXPECT_GE(chains, 2u);
  EXPECT_GE(changes, 2u);
  // The savepoint that stopped the run is a snapshot; the run resumed from it ends as an
  // uninterrupted one.
  const auto last = store->load(ids.back()).value();
  EXPECT_EQ(last.meta.at("savepoint"), "stop");
  EXPECT_EQ(last.parts.count("step-3.p0.delta-1"), 0u);
  const RunResult rest = run_pipeline(yaml);
  ASSERT_TRUE(rest.status.ok()) << rest.status.to_string();
  const std::string got = sorted_lines(committed(dir + "/out/windows.jsonl"));
  EXPECT_TRUE(got == expected) << line_diff(got, expected);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

// A restart with another parallelism from a checkpoint of changes: each old partition's
// snapshot and change sets are applied in a fresh instance, then redistributed.
TEST(CheckpointTest, RescalingFromACheckpointOfChangesAppliesThemFirst) {
  const std::string ref_dir = fresh_dir("rescale-incremental-ref");
  ASSERT_TRUE(run_pipeline(windows_pipeline(ref_dir, 1, false)).status.ok());
  const std::string expected = sorted_lines(committed(ref_dir + "/out/windows.jsonl"));
  const std::string dir = fresh_dir("rescale-incremental");
  const std::string more = "incremental: true, full_every: 1000";
  // Killed (no savepoint) once a few checkpoints are stored: at 60,000 records a second, the
  // run lasts long enough for 70 file-system calls (about 5 checkpoints) on a loaded machine,
  // whose fsyncs are slow.
  const auto pipeline = [&](int parallelism) {
    std::string yaml = windows_pipeline(dir, parallelism, true, true, more);
    yaml.replace(yaml.find("rate: 150000"), 12, "rate: 60000");
    return yaml;
  };
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FaultEnv env;
    env.crash_at = 70;
    const RunResult r = run_pipeline(pipeline(2), &env);
    ::_exit(r.status.ok() ? 0 : 1);
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  ASSERT_EQ(WEXITSTATUS(wstatus), 77) << "the run ended before its crash";
  auto store = checkpoint::CheckpointStore::open({.dir = dir + "/chk"}).value();
  const auto latest = store->load_latest().value();
  ASSERT_TRUE(latest.has_value());
  ASSERT_EQ(latest->parts.count("step-3.p1.delta-1"), 1u);  // the path under test
  const RunResult rest = run_pipeline(pipeline(3));
  ASSERT_TRUE(rest.status.ok()) << rest.status.to_string();
  const std::string got = sorted_lines(committed(dir + "/out/windows.jsonl"));
  EXPECT_TRUE(got == expected) << line_diff(got, expected);
  fs::remove_all(ref_dir);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rivulet::pipeline
