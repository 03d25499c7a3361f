// End-to-end runs of `rivulet run`: the examples of examples/, outputs that do not depend on
// parallelism or batch size, a clean stop on SIGINT, and one clear error line per mistake in a
// pipeline file.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "support/cli_run.h"

namespace {

namespace fs = std::filesystem;
using rivulet::test_support::CliRun;

fs::path temp_dir() {
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("rivulet_run_test_{}", ::getpid());
  fs::create_directories(dir);
  return dir;
}

CliRun shell(const std::string& cmd) {
  return rivulet::test_support::run_shell(cmd, (temp_dir() / "stderr").string());
}

CliRun run(const std::string& args) {
  return shell(fmt::format("cd {} && {} run {}", RIVULET_SOURCE_DIR, RIVULET_BINARY, args));
}

std::string write_file(const std::string& name, const std::string& text) {
  const fs::path p = temp_dir() / name;
  std::ofstream(p) << text;
  return p.string();
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// The counts of the final report: "records in N, out N, filtered N, dead letters N".
std::map<std::string, long> final_counts(const std::string& err) {
  std::map<std::string, long> c;
  std::smatch m;
  const std::regex re(
      R"(records in (\d+), out (\d+), filtered (\d+), dead letters (\d+)(?:, labels (\d+))?)");
  if (std::regex_search(err, m, re)) {
    c["in"] = std::stol(m[1]);
    c["out"] = std::stol(m[2]);
    c["filtered"] = std::stol(m[3]);
    c["dead"] = std::stol(m[4]);
    c["labels"] = m[5].matched ? std::stol(m[5]) : 0;
  }
  return c;
}

TEST(RunTest, FraudExamplePredictsAndReportsItsMetrics) {
  const std::string predictions = (temp_dir() / "fraud.jsonl").string();
  const CliRun r = run(fmt::format(
      "examples/fraud.yaml --set source.count=30000 --set sinks.0.path={} "
      "--set dead_letters.path={}",
      predictions, (temp_dir() / "dead.jsonl").string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = final_counts(r.err);
  ASSERT_EQ(c.at("in"), 30000);
  // Every event is a payment or a label: the payments are predicted, the labels joined.
  EXPECT_EQ(c.at("out") + c.at("labels"), 30000);
  EXPECT_EQ(c.at("dead"), 0);
  const auto rows = lines_of(predictions);
  EXPECT_EQ(static_cast<long>(rows.size()), c.at("out"));
  EXPECT_NE(rows.back().find("\"prediction\": \""), std::string::npos) << rows.back();
  // The metrics stream on the console: a row at 10,000 payments, then the final one.
  const auto metrics = split_lines(r.out);
  ASSERT_EQ(metrics.size(), 2u) << r.out;
  EXPECT_NE(metrics[1].find(fmt::format("\"records\": {},", c.at("out"))), std::string::npos)
      << metrics[1];
  EXPECT_EQ(metrics[0].rfind(R"({"stage": "evaluate", "key": null, "records": 10000, "ROCAUC": )", 0),
            0u)
      << metrics[0];
}

// Checkpoints exist but none verifies (a damaged disk; with incremental checkpoints, one bad
// snapshot file fails its whole chain): the run refuses to start from the beginning, which
// would repeat committed output, and says why; --fresh starts anyway. An unfinished one (a
// crash during the first checkpoint) is not damage: the run starts afresh.
TEST(RunTest, ARunRefusesToRestartWhenEveryCheckpointIsDamaged) {
  const fs::path dir = temp_dir() / "damaged";
  fs::remove_all(dir);
  const std::string pipeline = write_file("damaged.yaml", fmt::format(R"yaml(
name: damaged
source: {{kind: generator, generator: "sea(seed=1)", count: 2000}}
steps:
  - window: {{size_ms: 1000000000000, aggregates: {{n: "COUNT(*)"}}}}
sinks: [{{kind: file, path: {0}/out.jsonl}}]
checkpoint: {{dir: {0}/chk, interval: 0, incremental: true}}
)yaml", dir.string()));
  fs::create_directories(dir / "chk" / "chk-000001");  // unfinished: never published
  CliRun r = run(pipeline);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("starting afresh"), std::string::npos) << r.err;
  ASSERT_TRUE(fs::exists(dir / "chk" / "chk-000002" / "step-1.part")) << r.err;
  {  // a flipped byte in the window's snapshot
    std::fstream f(dir / "chk" / "chk-000002" / "step-1.part",
                   std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('\x7f');
  }
  r = run(pipeline);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("rivulet: warning: checkpoint passed over: chk-000002: step-1.part fails "
                       "its checksum"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(fmt::format("none of the 1 checkpoint(s) in {}/chk verifies", dir.string())),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("start afresh with --fresh"), std::string::npos) << r.err;
  r = run(pipeline + " --fresh");
  EXPECT_EQ(r.status, 0) << r.err;
  fs::remove_all(dir);
}

TEST(RunTest, SocketExamplePrintsEachEventWithItsPrediction) {
  const CliRun r = shell(fmt::format("cd {} && bash examples/socket_to_console.sh {} 500",
                                  RIVULET_SOURCE_DIR, RIVULET_BINARY));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto rows = split_lines(r.out);
  ASSERT_EQ(rows.size(), 500u) << r.err;
  // SEA's first event (seed 42), then the tree's first prediction (none yet).
  EXPECT_EQ(rows[0].rfind(R"({"x0": 6.394267984578837, "x1": 0.25010755222666936, )", 0), 0u)
      << rows[0];
  EXPECT_NE(rows[0].find(R"("prediction": null)"), std::string::npos) << rows[0];
  EXPECT_NE(rows[499].find(R"("model_version": 499})"), std::string::npos) << rows[499];
}

TEST(RunTest, MaintenanceExampleRaisesAlerts) {
  const std::string alerts = (temp_dir() / "alerts.jsonl").string();
  const CliRun r = run(fmt::format("examples/maintenance.yaml --set source.count=20000 --set sinks.0.path={}",
                                alerts));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto c = final_counts(r.err);
  EXPECT_EQ(c.at("in"), 20000);
  EXPECT_EQ(c.at("out") + c.at("filtered") + c.at("dead"), 20000);
  const auto rows = lines_of(alerts);
  EXPECT_EQ(static_cast<long>(rows.size()), c.at("out"));
  EXPECT_GT(rows.size(), 100u);
  // Metrics per machine on the console.
  EXPECT_NE(r.out.find(R"("key": "m001")"), std::string::npos) << r.out;
}

// A keyed pipeline with per-key models: each key's output is the same for every parallelism
// and batch size.
TEST(RunTest, OutputPerKeyDoesNotDependOnParallelismOrBatchSize) {
  const std::string pipeline = write_file("keyed.yaml", R"yaml(
source:
  kind: generator
  generator: "sensors(n_machines=12, interval=60)"
  seed: 5
  count: 6000
steps:
  - filter: "temperature > 0"
  - key_by: machine_id
  - evaluate:
      model: "preprocessing.StandardScaler | tree.HoeffdingTreeClassifier(grace_period=50)"
      target: failure_within_24h
      per_key: true
  - select: [machine_id, event_time, prediction, probability, model_version]
sinks:
  - kind: file
    path: out.jsonl
)yaml");
  std::map<std::string, std::vector<std::string>> expected;
  for (const int parallelism : {1, 2, 4}) {
    for (const int batch : {1, 7, 1024}) {
      SCOPED_TRACE(fmt::format("parallelism {}, batch size {}", parallelism, batch));
      const std::string out = (temp_dir() / fmt::format("keyed_{}_{}.jsonl", parallelism, batch)).string();
      const CliRun r = run(fmt::format(
          "{} --quiet --set settings.parallelism={} --set settings.batch_size={} --set sinks.0.path={}",
          pipeline, parallelism, batch, out));
      ASSERT_EQ(r.status, 0) << r.err;
      std::map<std::string, std::vector<std::string>> by_key;
      for (const auto& row : lines_of(out)) {
        const size_t a = row.find("\"machine_id\": \"") + 15;
        by_key[row.substr(a, row.find('"', a) - a)].push_back(row);
      }
      if (expected.empty()) {
        expected = by_key;
        ASSERT_EQ(expected.size(), 12u);
        size_t total = 0;
        for (const auto& [k, rows] : expected) total += rows.size();
        EXPECT_EQ(total, 6000u);
      } else {
        EXPECT_EQ(by_key, expected);
      }
    }
  }
}

// Windows and rolling aggregates grouped by the key run partitioned: each machine's rows are the
// same for every parallelism.
TEST(RunTest, KeyedWindowsAndRollingAggregatesDoNotDependOnParallelism) {
  const std::string pipeline = write_file("windows.yaml", R"yaml(
source:
  kind: generator
  generator: "sensors(n_machines=8, interval=60)"
  seed: 9
  count: 5000
  event_time: event_time
  watermark: {max_out_of_orderness_ms: 0}
steps:
  - key_by: machine_id
  - over:
      partition_by: [machine_id]
      range_ms: 600000
      aggregates: {temp_10m: "AVG(temperature)"}
  - window:
      group_by: [machine_id]
      size_ms: 3600000
      aggregates: {readings: "COUNT(*)", mean_temp_10m: "AVG(temp_10m)", peak: "MAX(vibration)"}
sinks:
  - kind: file
    path: out.jsonl
)yaml");
  std::map<std::string, std::vector<std::string>> expected;
  for (const int parallelism : {1, 2, 4}) {
    SCOPED_TRACE(fmt::format("parallelism {}", parallelism));
    const std::string out = (temp_dir() / fmt::format("windows_{}.jsonl", parallelism)).string();
    const CliRun r = run(fmt::format("{} --quiet --set settings.parallelism={} --set sinks.0.path={}",
                                     pipeline, parallelism, out));
    ASSERT_EQ(r.status, 0) << r.err;
    std::map<std::string, std::vector<std::string>> by_key;
    size_t readings = 0;
    for (const auto& row : lines_of(out)) {
      const size_t a = row.find("\"machine_id\": \"") + 15;
      by_key[row.substr(a, row.find('"', a) - a)].push_back(row);
      std::smatch m;
      ASSERT_TRUE(std::regex_search(row, m, std::regex(R"("readings": (\d+))"))) << row;
      readings += std::stoul(m[1]);
    }
    EXPECT_EQ(readings, 5000u);  // every reading is in exactly one hourly window
    if (expected.empty()) {
      expected = by_key;
      EXPECT_EQ(expected.size(), 8u);
    } else {
      EXPECT_EQ(by_key, expected);
    }
  }
}

TEST(RunTest, SigintStopsCleanlyFlushesAndPrintsTheCounts) {
  const std::string out = (temp_dir() / "endless.jsonl").string();
  const std::string pipeline = write_file("endless.yaml", fmt::format(R"(
source: {{kind: generator, generator: sea, rate: 5000}}
steps:
  - evaluate: {{model: naive_bayes.GaussianNB, target: y}}
sinks:
  - {{kind: file, path: "{}"}}
)",
                                                                    out));
  const std::string err_path = (temp_dir() / "sigint.err").string();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FILE* err = std::freopen(err_path.c_str(), "w", stderr);
    (void)err;
    execl(RIVULET_BINARY, RIVULET_BINARY, "run", pipeline.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_EQ(kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream f(err_path);
  const std::string err((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_NE(err.find("rivulet: stopped; records in"), std::string::npos) << err;
  const auto c = final_counts(err);
  ASSERT_GT(c.at("in"), 100);
  EXPECT_EQ(c.at("out"), c.at("in"));
  // Everything read was written.
  EXPECT_EQ(static_cast<long>(lines_of(out).size()), c.at("out"));
}

TEST(RunTest, CheckValidatesWithoutRunning) {
  const CliRun r = run("examples/fraud.yaml --check");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("rivulet: the pipeline is valid"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(RunTest, LookupJoinReadsItsTableFromAFile) {
  const std::string cards =
      write_file("cards.csv", "card,limit,country\nc1,100.5,FR\nc2,20,DE\nc1,150,FR\n");
  const std::string payments = write_file(
      "payments.jsonl",
      "{\"card\": \"c1\", \"amount\": 120}\n{\"card\": \"c3\", \"amount\": 5}\n"
      "{\"card\": \"c2\", \"amount\": 30}\n{\"card\": null, \"amount\": 1}\n");
  const std::string out = (temp_dir() / "joined.jsonl").string();
  const std::string pipeline = write_file("lookup.yaml", fmt::format(R"(
source: {{kind: file, path: {}, schema: {{card: string, amount: double}}}}
steps:
  - join:
      type: lookup
      how: left
      on: {{card: card}}
      table: {{kind: file, path: {}, format: csv, schema: {{card: string, limit: double,
               country: string}}}}
  - map: {{over_limit: "amount > `limit`"}}
  - drop: [right_card]
sinks:
  - {{kind: file, path: {}}}
)",
                                                                     payments, cards, out));
  const CliRun r = run(pipeline + " --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  // The last row of a key wins (c1's limit is 150); rows without a partner keep NULLs.
  EXPECT_EQ(lines_of(out),
            (std::vector<std::string>{
                R"({"card": "c1", "amount": 120, "limit": 150, "country": "FR", "over_limit": false})",
                R"({"card": "c3", "amount": 5, "limit": null, "country": null, "over_limit": null})",
                R"({"card": "c2", "amount": 30, "limit": 20, "country": "DE", "over_limit": true})",
                R"({"card": null, "amount": 1, "limit": null, "country": null, "over_limit": null})"}));
  // A table row that cannot be read stops the pipeline at start, naming its line.
  write_file("cards.csv", "card,limit,country\nc1,lots,FR\n");
  const CliRun bad = run(pipeline + " --quiet");
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("the table's row at " + cards + ":2 cannot be read: field 'limit'"),
            std::string::npos)
      << bad.err;
}

TEST(RunTest, TemporalJoinReadsItsChangelogFromASecondSource) {
  // Card limits as they change, and payments joined with the limit current at their time.
  const std::string cards = write_file(
      "cards.jsonl",
      "{\"card\": \"c1\", \"limit\": 100, \"ts\": 1000}\n{\"card\": \"c2\", \"limit\": 50, \"ts\": "
      "1500}\n{\"card\": \"c1\", \"limit\": 200, \"ts\": 3000}\n");
  const std::string payments = write_file(
      "payments.jsonl",
      "{\"card\": \"c1\", \"amount\": 150, \"ts\": 2000}\n{\"card\": \"c2\", \"amount\": 10, "
      "\"ts\": 2500}\n{\"card\": \"c1\", \"amount\": 150, \"ts\": 3500}\n{\"card\": \"c3\", "
      "\"amount\": 1, \"ts\": 4000}\n");
  const std::string out = (temp_dir() / "temporal.jsonl").string();
  const std::string pipeline = write_file("temporal.yaml", fmt::format(R"(
source: {{kind: file, path: {}, schema: {{card: string, amount: double, ts: bigint}},
          event_time: ts, watermark: {{max_out_of_orderness_ms: 0}}}}
steps:
  - join:
      type: temporal
      how: left
      on: {{card: card}}
      right:
        source: {{kind: file, path: {}, schema: {{card: string, limit: double, ts: bigint}},
                  event_time: ts, watermark: {{max_out_of_orderness_ms: 0}}}}
        steps: [{{select: [card, limit, {{since: ts}}]}}]
  - select: [card, amount, ts, limit, since]
sinks:
  - {{kind: file, path: {}}}
)",
                                                                     payments, cards, out));
  const CliRun r = run(pipeline + " --stats");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(lines_of(out),
            (std::vector<std::string>{
                R"({"card": "c1", "amount": 150, "ts": 2000, "limit": 100, "since": 1000})",
                R"({"card": "c2", "amount": 10, "ts": 2500, "limit": 50, "since": 1500})",
                R"({"card": "c1", "amount": 150, "ts": 3500, "limit": 200, "since": 3000})",
                R"({"card": "c3", "amount": 1, "ts": 4000, "limit": null, "since": null})"}));
  EXPECT_NE(r.err.find("records in 4, out 4, filtered 4, dead letters 0, added 4, right 3"),
            std::string::npos)
      << r.err;
}

struct BadPipeline {
  std::string yaml;
  std::string error;
};

TEST(RunTest, EveryMistakeInAPipelineFileIsOneClearLine) {
  const std::vector<BadPipeline> cases = {
      {"sourse: {kind: stdin}\n",
       "bad.yaml:1:1: unknown key 'sourse' (did you mean 'source'?); valid keys: name, source, "
       "labels, steps, sinks, dead_letters, settings, checkpoint"},
      {"steps: []\n", "bad.yaml:1:1: missing 'source': where the events come from"},
      // Checkpoint settings.
      {"source: {kind: stdin, schema: {a: string}}\ncheckpoint: {interval: 1s}\n",
       "bad.yaml:2:13: checkpoint: missing 'dir': where checkpoints are stored"},
      {"source: {kind: stdin, schema: {a: string}}\ncheckpoint: {dir: c, interval: 10 parsecs}\n",
       "bad.yaml:2:32: checkpoint.interval: expected a duration such as 500ms, 10s, 2min or 1h (a "
       "bare number is milliseconds), got '10 parsecs'"},
      {"source: {kind: stdin, schema: {a: string}}\ncheckpoint: {dir: c, async: maybe}\n",
       "bad.yaml:2:29: checkpoint.async: expected true or false, got 'maybe'"},
      {"source: {kind: stdin, schema: {a: string}}\ncheckpoint: {dir: c, full_every: 0}\n",
       "bad.yaml:2:34: checkpoint.full_every: 0 is out of range [1, 1000000]"},
      // A step's map without its main key (this once threw out of yaml-cpp).
      {"source: {kind: stdin, schema: {a: string}}\nsteps:\n  - {filter: {}}\n",
       "bad.yaml:3:14: steps[0].filter.condition: expected a value, got nothing"},
      {"source: {kind: kafka}\n",
       "bad.yaml:1:16: source.kind: unknown source kind 'kafka'; valid kinds: file, stdin, "
       "socket, generator"},
      {"source: {kind: file, path: /nonexistent/x.jsonl, schema: {a: double}}\n",
       "bad.yaml:1:28: source.path: file source: path '/nonexistent/x.jsonl': No such file or "
       "directory"},
      {"source: {kind: stdin}\n",
       "bad.yaml:1:9: source: missing 'schema': the fields and their types, e.g. schema: "
       "{amount: double, country: string} (generators and text need none)"},
      {"source: {kind: stdin, schema: {a: decimal128}}\n",
       "bad.yaml:1:35: source.schema.a: unknown type 'decimal128'; valid types: string, double, "
       "bigint, boolean (and the SQL aliases varchar, int, long, float, bool)"},
      {"source: {kind: stdin, schema: {amount: double}}\nsteps:\n  - filtr: \"amount > 0\"\n",
       "bad.yaml:3:5: steps[0]: unknown step kind 'filtr' (did you mean 'filter'?); valid "
       "kinds: filter, map, select, drop, key_by, flat_map, validate, dedup, window, over, "
       "top_n, aggregate, join, evaluate, predict, learn"},
      {"source: {kind: stdin, schema: {amount: double}}\nsteps:\n  - filter: \"amout > 0\"\n",
       "bad.yaml: step 'filter': line 3, column 14: unknown field 'amout' (did you mean "
       "'amount'?)"},
      {"source: {kind: stdin, schema: {amount: double}}\nsteps:\n  - evaluate: {model: "
       "linear_model.LogisticRegresion, target: amount}\n",
       ""},
      {"source: {kind: stdin, schema: {amount: double}}\nsettings: {parallelism: 0}\n",
       "bad.yaml:2:25: settings.parallelism: 0 is out of range [1, 256]"},
      {"source: {kind: stdin, schema: {amount: double}}\nsinks:\n  - {kind: console, stream: "
       "metrics}\n",
       "bad.yaml: sink 'console' reads stream 'metrics', which no step produces (streams: "
       "output)"},
      {"source: {kind: stdin, schema: {t: bigint}, event_time: t, watermark: {processing_time: "
       "true}}\n",
       "bad.yaml:1:88: source.watermark.processing_time: processing time is the records' "
       "arrival time: remove 'event_time', or this"},
      {"source: {kind: stdin, schema: {k: bigint}}\nsteps:\n  - key_by: k\n  - join: {type: "
       "regular, on: {k: k}}\nsettings: {parallelism: 2}\n",
       "bad.yaml: step 'join': a join must see both sides of every key, so it runs before any "
       "key_by: move it before the key_by 'key_by' (or run with parallelism 1)"},
      {"source: {kind: stdin, schema: {k: bigint}}\nsteps:\n  - join: {type: inner, on: {k: "
       "k}}\n",
       "bad.yaml:3:18: steps[0].join.type: unknown join type 'inner'; valid kinds: interval, "
       "window, regular, temporal, lookup"},
      {"source: {kind: stdin, schema: {k: bigint}}\nsteps:\n  - join: {type: interval, on: "
       "{k: k}}\n",
       "bad.yaml:3:11: steps[0].join: missing 'between': [lower_ms, upper_ms], the right row's "
       "time relative to the left row's"},
      {"source: {kind: stdin, schema: {k: bigint}}\nsteps:\n  - join: {type: regular, on: "
       "{k: kk}, right: [{key_by: k}]}\n",
       "bad.yaml:3:48: steps[0].join.right[0]: a join's branch takes record steps only, not "
       "'key_by' (put key_by and learner steps before or after the join)"},
      {"source: {kind: stdin, schema: {k: bigint}}\nsteps:\n  - join: {type: regular, on: "
       "{k: kk}}\n",
       "bad.yaml: step 'join': line 3, column 35: join: unknown field 'kk' (did you mean 'k'?)"},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].yaml);
    const std::string path = write_file("bad.yaml", cases[i].yaml);
    const CliRun r = shell(fmt::format("cd {} && {} run bad.yaml --quiet", temp_dir().string(),
                                    RIVULET_BINARY));
    EXPECT_EQ(r.status, 1);
    const auto lines = split_lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    if (!cases[i].error.empty()) {
      EXPECT_EQ(lines[0], "rivulet: " + cases[i].error);
    } else {
      // The model spec's own error, with its did-you-mean.
      EXPECT_NE(lines[0].find("LogisticRegresion"), std::string::npos) << lines[0];
      EXPECT_NE(lines[0].find("did you mean linear_model.LogisticRegression?"), std::string::npos)
          << lines[0];
    }
  }
}

}  // namespace
