// The crash harness: the card-fraud pipeline (examples/fraud.yaml, over a file of payments and
// their chargebacks, into exactly-once file sinks, a checkpoint every 100 ms) is killed with
// SIGKILL at random moments (while it processes, takes a checkpoint, commits its output) and
// restarted each time. The committed output must then equal, byte for byte, that of a run that
// never stopped, and the model in the final checkpoint must be the uninterrupted run's: no
// record lost, none duplicated, and the learner saw each event and label exactly once.

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "support/committed_output.h"

namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The committed parts of file sink `name` in `dir` (name-0.jsonl, name-1.jsonl, ...), in order.
std::string committed(const fs::path& dir, const std::string& name) {
  return rivulet::test_support::committed_output((dir / (name + ".jsonl")).string());
}

// Runs the rivulet binary with `args`, its output to `log`; returns the child's pid.
pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    std::vector<char*> argv = {const_cast<char*>(RIVULET_BINARY)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(RIVULET_BINARY, argv.data());
    ::_exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class CrashHarness {
 public:
  CrashHarness(size_t events)
      : root_(fs::temp_directory_path() / fmt::format("rivulet-crash-{}", ::getpid())) {
    fs::remove_all(root_);
    fs::create_directories(root_);
    // The payments and their chargebacks, about a minute of event time later, as the example's
    // generator makes them; the fraud pattern changes every 5,000 payments.
    const pid_t gen = spawn(
        {"gen", "transactions(inline_label=False, fraud_rate=0.02, drift_every=5000)", "--seed",
         "7", "-n", std::to_string(events), "-o", (root_ / "payments.jsonl").string()},
        (root_ / "gen.log").string());
    EXPECT_EQ(wait_exit(gen), 0) << slurp(root_ / "gen.log");
  }
  ~CrashHarness() { fs::remove_all(root_); }
  // More checkpoint settings for the runs ("incremental: true, ...").
  std::string more_checkpoint;

  // The fraud pipeline writing into `run`'s directory.
  std::string pipeline(const std::string& run) const {
    const fs::path dir = root_ / run;
    fs::create_directories(dir);
    const fs::path file = dir / "fraud.yaml";
    std::ofstream(file) << fmt::format(R"yaml(
name: card-fraud
source:
  kind: file
  path: {0}/payments.jsonl
  schema: {{type: string, event_time: bigint, transaction_id: bigint, card_id: string,
            merchant_category: string, country: string, amount: double, channel: string,
            is_fraud: boolean}}
  event_time: event_time
labels:
  where: "type = 'label'"
steps:
  - filter: "type = 'payment' AND amount > 0"
  - over:
      partition_by: [card_id]
      range_ms: 3600000
      aggregates:
        card_payments_1h: "COUNT(*)"
        card_amount_1h: "SUM(amount)"
        card_countries_1h: "COUNT(DISTINCT country)"
  - evaluate:
      model: "forest.ARFClassifier(n_models=10, seed=42)"
      target: is_fraud
      id: transaction_id
      labels: true
      features: [merchant_category, country, amount, channel,
                 card_payments_1h, card_amount_1h, card_countries_1h]
      metrics: [ROCAUC, "Rolling(ROCAUC, 1000)"]
      metrics_every: 1000
      label_timeout_ms: 600000
  - select: [transaction_id, card_id, amount, prediction, probability]
sinks:
  - {{kind: file, path: {1}/out/predictions.jsonl}}
  - {{kind: file, stream: metrics, path: {1}/out/metrics.jsonl}}
checkpoint: {{dir: {1}/chk, interval: 100ms{2}}}
)yaml",
                                       root_.string(), dir.string(),
                                       more_checkpoint.empty() ? "" : ", " + more_checkpoint);
    return file.string();
  }

  // Runs `run` to its end (resuming from its checkpoints); the exit code.
  int run_to_end(const std::string& run) {
    return wait_exit(spawn({"run", "-q", pipeline(run)}, (root_ / run / "log").string()));
  }

  // run_to_end, timed: the exit code and the wall time it took, in ms.
  std::pair<int, int64_t> timed_run_to_end(const std::string& run) {
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = run_to_end(run);
    return {rc, std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - t0)
                    .count()};
  }

  // Kills `run` with SIGKILL after a random delay in [min_ms, max_ms), `kills` times (or until
  // it finishes first), then runs it to its end. Returns the kills made.
  int crash_loop(const std::string& run, int kills, int64_t min_ms, int64_t max_ms, uint32_t seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<int64_t> delay(min_ms, max_ms - 1);
    int made = 0;
    for (int k = 0; k < kills; ++k) {
      const pid_t pid = spawn({"run", "-q", pipeline(run)}, (root_ / run / "log").string());
      std::this_thread::sleep_for(std::chrono::milliseconds(delay(rng)));
      if (::kill(pid, SIGKILL) == 0 && wait_exit(pid) == 128 + SIGKILL) {
        ++made;
      } else {
        break;  // it finished before the kill
      }
    }
    EXPECT_EQ(run_to_end(run), 0) << slurp(root_ / run / "log");
    return made;
  }

  // Stops `run` with `signal` (SIGINT, SIGTERM) after the delays, each stop taking a
  // savepoint, then runs it to its end. Returns the stops that took a savepoint.
  int stop_loop(const std::string& run, int signal, const std::vector<int64_t>& delays_ms) {
    int stopped = 0;
    for (const int64_t d : delays_ms) {
      const std::string log = (root_ / run / "stop.log").string();
      fs::remove(log);
      const pid_t pid = spawn({"run", pipeline(run)}, log);
      std::this_thread::sleep_for(std::chrono::milliseconds(d));
      ::kill(pid, signal);
      EXPECT_EQ(wait_exit(pid), 0) << slurp(log);
      if (slurp(log).find("stopped with a savepoint") != std::string::npos) ++stopped;
    }
    EXPECT_EQ(run_to_end(run), 0) << slurp(root_ / run / "log");
    return stopped;
  }

  // Starts `run`, and once it owns its checkpoint directory, stops it with `rivulet savepoint`;
  // then runs it to its end. Returns the savepoint command's exit status and output.
  std::pair<int, std::string> savepoint_then_end(const std::string& run) {
    const fs::path chk = root_ / run / "chk";
    const pid_t pid = spawn({"run", "-q", pipeline(run)}, (root_ / run / "log").string());
    for (int i = 0; i < 500 && !fs::exists(chk / "RUNNING"); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    // A second run of the pipeline is refused while the first owns the directory.
    const std::string second = (root_ / run / "second.log").string();
    EXPECT_EQ(wait_exit(spawn({"run", "-q", pipeline(run)}, second)), 1);
    EXPECT_NE(slurp(second).find("another run (pid"), std::string::npos) << slurp(second);
    const std::string out = (root_ / run / "savepoint.log").string();
    const int rc = wait_exit(spawn({"savepoint", chk.string()}, out));
    EXPECT_EQ(wait_exit(pid), 0) << slurp(root_ / run / "log");
    EXPECT_FALSE(fs::exists(chk / "RUNNING"));
    EXPECT_EQ(run_to_end(run), 0) << slurp(root_ / run / "log");
    return {rc, slurp(out)};
  }

  // Runs `run` again from the beginning (--fresh).
  int run_fresh(const std::string& run) {
    return wait_exit(
        spawn({"run", "-q", "--fresh", pipeline(run)}, (root_ / run / "log").string()));
  }

  std::string output(const std::string& run, const std::string& name) const {
    return committed(root_ / run / "out", name);
  }

  // The evaluate step's model in `run`'s latest checkpoint, as a model file's bytes.
  std::string final_model(const std::string& run) {
    const fs::path model = root_ / run / "model.bin";
    const int rc = wait_exit(spawn({"checkpoint", "export-model", (root_ / run / "chk").string(),
                                    "--step", "evaluate", "-o", model.string()},
                                   (root_ / run / "export.log").string()));
    EXPECT_EQ(rc, 0) << slurp(root_ / run / "export.log");
    return slurp(model);
  }

  std::string log(const std::string& run) const { return slurp(root_ / run / "log"); }

 private:
  fs::path root_;
};

// Kills after delays of [1/min_part, 1/max_part] of an uninterrupted run's time, so that the
// kills land at moments spread over the run on any machine. The delays' expected sum is kept
// under the run's time: each restart keeps what its last checkpoint holds, so with cheap
// checkpoints and quick restarts the kills' sum is about how far the run gets.
// `more`: more checkpoint settings for the crashed runs (the reference is the same either way).
void crash_test(size_t events, int kills, int min_part, int max_part,
                const std::string& more = "") {
  CrashHarness h(events);
  const auto [rc, run_ms] = h.timed_run_to_end("reference");
  ASSERT_EQ(rc, 0) << h.log("reference");
  const std::string predictions = h.output("reference", "predictions");
  const std::string metrics = h.output("reference", "metrics");
  const std::string model = h.final_model("reference");
  ASSERT_GT(predictions.size(), 100000u);
  ASSERT_GT(model.size(), 10000u);

  h.more_checkpoint = more;
  const int made = h.crash_loop("crashed", kills, std::max<int64_t>(run_ms / min_part, 5),
                                std::max<int64_t>(run_ms / max_part, 10), 20261122);
  // Each restart loses the work since its last checkpoint, so nearly all kills land before the
  // end (one that comes after it only makes the test weaker).
  EXPECT_GE(made, kills * 3 / 4) << "the run finished before the kills did (a run takes " << run_ms
                                 << " ms)";
  std::printf("crash harness: %d SIGKILLs in a run of %lld ms\n", made,
              static_cast<long long>(run_ms));
  // Byte for byte: equal strings (not EXPECT_EQ: its message would print megabytes).
  EXPECT_TRUE(h.output("crashed", "predictions") == predictions)
      << "predictions differ after " << made
      << " kills: " << h.output("crashed", "predictions").size() << " bytes, expected "
      << predictions.size();
  EXPECT_TRUE(h.output("crashed", "metrics") == metrics)
      << "metrics differ after " << made << " kills";
  EXPECT_TRUE(h.final_model("crashed") == model)
      << "the final model differs after " << made << " kills";
}

TEST(CrashTest, CtrlCStopsWithASavepointAndTheNextRunGoesOnExactly) {
  CrashHarness h(30000);  // long enough that each stop lands before the end
  const auto [rc, run_ms] = h.timed_run_to_end("reference");
  ASSERT_EQ(rc, 0) << h.log("reference");
  const std::string predictions = h.output("reference", "predictions");
  const int stopped = h.stop_loop("stopped", SIGINT, {run_ms / 4, run_ms / 5}) +
                      h.stop_loop("stopped", SIGTERM, {run_ms / 6});
  EXPECT_GE(stopped, 2) << "the stops came after the end (a run takes " << run_ms << " ms)";
  EXPECT_TRUE(h.output("stopped", "predictions") == predictions);
  EXPECT_TRUE(h.final_model("stopped") == h.final_model("reference"));
  // --fresh reads everything again; its parts come after the committed ones.
  ASSERT_EQ(h.run_fresh("stopped"), 0) << h.log("stopped");
  EXPECT_TRUE(h.output("stopped", "predictions") == predictions + predictions);
}

TEST(CrashTest, RivuletSavepointStopsARunningPipelineAndTheNextRunGoesOn) {
  CrashHarness h(30000);
  ASSERT_EQ(h.run_to_end("reference"), 0) << h.log("reference");
  const auto [rc, out] = h.savepoint_then_end("stopped");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("stopped with savepoint chk-"), std::string::npos) << out;
  EXPECT_TRUE(h.output("stopped", "predictions") == h.output("reference", "predictions"));
  EXPECT_TRUE(h.final_model("stopped") == h.final_model("reference"));
}

TEST(CrashTest, SigkillAtRandomMomentsLosesAndDuplicatesNothing) { crash_test(12000, 5, 12, 5); }

TEST(CrashSlowTest, SigkillAtTwentyRandomMomentsLosesAndDuplicatesNothing) {
  crash_test(60000, 20, 60, 15);
}

// With incremental checkpoints: the over step's change sets (the cards that got a payment)
// between its snapshots, a chain of at most 4.
TEST(CrashTest, SigkillWithIncrementalCheckpointsLosesAndDuplicatesNothing) {
  crash_test(12000, 5, 12, 5, "incremental: true, full_every: 4");
}

TEST(CrashSlowTest, SigkillAtTwentyMomentsWithIncrementalCheckpointsLosesAndDuplicatesNothing) {
  crash_test(60000, 20, 60, 15, "incremental: true, full_every: 4");
}

}  // namespace
