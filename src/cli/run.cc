// `rivulet run PIPELINE`: compiles a pipeline file and runs it until its input ends, --limit
// records have been read, or SIGINT/SIGTERM; then flushes the sinks and prints the final counts.
// With `checkpoint:` in the file it resumes from the latest valid checkpoint (unless --fresh),
// and SIGINT/SIGTERM take a savepoint and stop without flushing windows, so that the next run
// goes on exactly where this one stopped.

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.h"
#include "rivulet/pipeline/engine.h"
#include "rivulet/pipeline/pipeline_file.h"

namespace rivulet::cli {
namespace {

// The signal handler only sets the flag; a watcher thread turns it into Engine::cancel().
volatile sig_atomic_t g_run_stop = 0;
void on_run_signal(int) { g_run_stop = 1; }

// The run that owns a checkpoint directory writes its pid to <dir>/RUNNING while it runs, so
// that a second run of the pipeline is refused and `rivulet savepoint DIR` can find it. A
// crash leaves the file behind; a pid that is no longer a live rivulet process does not count.
std::string running_path(const std::string& dir) { return dir + "/RUNNING"; }

bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] != 'Z';
}

// The live rivulet process that owns `dir`, or 0.
pid_t running_pid(const std::string& dir) {
  std::ifstream in(running_path(dir));
  long pid = 0;
  if (!(in >> pid) || pid <= 0 || !alive(static_cast<pid_t>(pid))) return 0;
  std::ifstream cmd("/proc/" + std::to_string(pid) + "/cmdline");
  const std::string line((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
  return line.find("rivulet") == std::string::npos ? 0 : static_cast<pid_t>(pid);
}

// Resumes `engine` from the latest valid checkpoint in the pipeline's store, unless `fresh`.
// Newer checkpoints that fail verification are reported and passed over.
Status resume(pipeline::Engine& engine, const pipeline::CheckpointOptions& options, bool fresh,
              bool quiet) {
  if (fresh) {
    if (!quiet) std::fprintf(stderr, "rivulet: starting afresh (--fresh)\n");
    return Status();
  }
  auto store = checkpoint::CheckpointStore::open({options.dir, options.retain, options.env});
  if (!store.ok()) return store.status().with_context("checkpoint");
  auto latest = (*store)->load_latest();
  if (!latest.ok()) return latest.status().with_context("checkpoint");
  for (const std::string& why : (*store)->skipped()) {
    std::fprintf(stderr, "rivulet: warning: checkpoint passed over: %s\n", why.c_str());
  }
  if (!latest->has_value() && (*store)->damaged() > 0) {
    // Every checkpoint there is damaged (with incremental checkpoints, a chain's snapshot file
    // takes every checkpoint of the chain with it): starting from the beginning would write
    // the output again beside what was committed.
    return Status::data_loss(fmt::format(
        "checkpoint: none of the {} checkpoint(s) in {} verifies (each is named above): "
        "resuming is impossible, and starting from the beginning would repeat what their "
        "runs committed; put back a good checkpoint, or start afresh with --fresh",
        (*store)->damaged(), options.dir));
  }
  if (!latest->has_value()) {
    if (!quiet)
      std::fprintf(stderr, "rivulet: no checkpoint in %s: starting afresh\n", options.dir.c_str());
    return Status();
  }
  const checkpoint::Checkpoint& chk = **latest;
  RIVULET_RETURN_IF_ERROR(engine.restore(chk));
  if (!quiet) {
    const auto it = chk.meta.find("savepoint");
    std::fprintf(stderr, "rivulet: resuming from %s/%s%s\n", options.dir.c_str(),
                 checkpoint::CheckpointStore::dir_name(chk.id).c_str(),
                 it != chk.meta.end() ? " (a savepoint)" : "");
  }
  return Status();
}

}  // namespace

Runner add_run(CLI::App& app) {
  struct Args {
    std::string pipeline;
    std::vector<std::string> set;
    bool stats = false;
    double stats_interval = 1.0;
    uint64_t limit = 0;
    bool check = false;
    bool quiet = false;
    bool fresh = false;
  };
  auto args = std::make_shared<Args>();
  app.add_option("pipeline", args->pipeline, "the pipeline file (YAML; docs/pipelines.md)")
      ->required();
  app.add_option("--set", args->set,
                 "override a field of the file: path.to.field=value, e.g. "
                 "settings.parallelism=4 or steps.2.evaluate.model=tree.HoeffdingTreeClassifier "
                 "(repeatable)");
  app.add_flag("--stats", args->stats,
               "print the counts, per-step throughput, queue depths and "
               "latency to stderr while running");
  app.add_option("--stats-interval", args->stats_interval, "seconds between --stats reports")
      ->check(CLI::PositiveNumber);
  app.add_option("--limit", args->limit,
                 "stop after this many input records (with checkpoints: with a savepoint, so "
                 "that the next run goes on after them)");
  app.add_flag("--check", args->check,
               "validate the pipeline (file, steps against their schemas, sinks) and print its "
               "plan, without running it");
  app.add_flag("-q,--quiet", args->quiet, "no plan at start and no final counts");
  app.add_flag("--fresh", args->fresh,
               "with checkpoints: start from the beginning instead of resuming from the latest "
               "checkpoint (the checkpoints stay; new ones follow them)");
  return [args]() -> int {
    // From the start: a signal while the pipeline is compiled or its checkpoint restored
    // stops the run as soon as it starts (with checkpoints, with a savepoint at once).
    struct sigaction sa {};
    sa.sa_handler = on_run_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
    pipeline::CompileOptions copts;
    copts.overrides = args->set;
    auto compiled = pipeline::load_pipeline(args->pipeline, copts);
    if (!compiled.ok()) return fail(compiled.status().message());
    pipeline::EngineOptions options = std::move(compiled->options);
    if (args->limit > 0) options.limit = args->limit;
    if (args->stats) {
      options.stats_interval =
          std::chrono::milliseconds(static_cast<int64_t>(args->stats_interval * 1000));
      options.on_stats = [](const pipeline::EngineStats& s) {
        std::fprintf(stderr, "%s", s.to_string().c_str());
        std::fflush(stderr);
      };
    }
    const std::string summary = compiled->summary;
    const std::string name = compiled->name;
    const std::optional<pipeline::CheckpointOptions> checkpoints = options.checkpoints;
    // Sources that cannot go back to a recorded position lose, after a crash, what they had
    // delivered since the last checkpoint: say so before anything runs.
    if (checkpoints && !args->check) {
      std::vector<const io::Source*> sources = {compiled->plan.input.source.get()};
      if (compiled->plan.labels) sources.push_back(compiled->plan.labels->source.get());
      for (const io::Source* s : sources) {
        if (s->replayable()) continue;
        std::fprintf(stderr,
                     "rivulet: warning: %s cannot replay: after a crash, the records it delivered "
                     "since the last checkpoint are lost (the output stays exactly-once for the "
                     "rest)\n",
                     s->describe().c_str());
      }
    }
    auto engine = pipeline::Engine::create(std::move(compiled->plan), std::move(options));
    if (!engine.ok()) return fail(args->pipeline + ": " + engine.status().message());
    if (!args->quiet || args->check) {
      std::fprintf(stderr, "rivulet: pipeline '%s'\n%s", name.c_str(), summary.c_str());
    }
    if (args->check) {
      std::fprintf(stderr, "rivulet: the pipeline is valid\n");
      return 0;
    }
    if (checkpoints) {
      if (const pid_t other = running_pid(checkpoints->dir); other != 0 && other != ::getpid()) {
        return fail(fmt::format(
            "{}: another run (pid {}) is using the checkpoints in {}: stop it first, e.g. "
            "with `rivulet savepoint {}`",
            args->pipeline, other, checkpoints->dir, checkpoints->dir));
      }
      if (const Status s = resume(**engine, *checkpoints, args->fresh, args->quiet); !s.ok()) {
        return fail(args->pipeline + ": " + s.message());
      }
      const std::string tmp = running_path(checkpoints->dir) + ".tmp";
      std::ofstream(tmp) << ::getpid() << "\n";
      std::rename(tmp.c_str(), running_path(checkpoints->dir).c_str());
    }
    pipeline::Engine* e = engine->get();
    std::atomic<bool> finished{false};
    std::thread watcher([e, &finished] {
      while (!finished) {
        if (g_run_stop) {
          e->cancel();
          return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    const Status status = e->run();
    if (checkpoints) std::remove(running_path(checkpoints->dir).c_str());
    finished = true;
    watcher.join();
    const pipeline::EngineStats stats = e->stats();
    if (!args->quiet) {
      const std::string how =
          stats.checkpoints.savepoint != 0
              ? fmt::format("stopped with a savepoint ({}; the next run goes on from it); ",
                            checkpoint::CheckpointStore::dir_name(stats.checkpoints.savepoint))
          : g_run_stop ? "stopped; "
                       : "";
      std::fprintf(stderr, "rivulet: %s%s", how.c_str(), stats.to_string().c_str());
      const auto dead = e->kept_dead_letters();
      for (size_t i = 0; i < dead.size() && i < 5; ++i) {
        std::fprintf(stderr, "rivulet: dead letter from %s at %s: %s\n", dead[i].stage.c_str(),
                     dead[i].origin.c_str(), dead[i].reason.c_str());
      }
      if (dead.size() > 5 || (stats.dead_letters > dead.size() && !dead.empty())) {
        std::fprintf(
            stderr,
            "rivulet: %llu dead letters in all; keep them with 'dead_letters: {path: ...}'\n",
            static_cast<unsigned long long>(stats.dead_letters));
      }
    }
    if (!status.ok()) return fail(args->pipeline + ": " + status.message());
    return 0;
  };
}

Runner add_savepoint(CLI::App& app) {
  struct Args {
    std::string dir;
    double timeout = 120;
  };
  auto args = std::make_shared<Args>();
  app.add_option("dir", args->dir, "the checkpoint directory of the running pipeline")->required();
  app.add_option("--timeout", args->timeout, "seconds to wait for the run to stop (120)")
      ->check(CLI::PositiveNumber);
  return [args]() -> int {
    const pid_t pid = running_pid(args->dir);
    if (pid == 0) {
      return fail(fmt::format("no run is using the checkpoints in {} (no live {})", args->dir,
                              running_path(args->dir)));
    }
    // The run takes a savepoint and stops on SIGTERM (rivulet run with checkpoints).
    if (::kill(pid, SIGTERM) != 0) {
      return fail(fmt::format("cannot signal pid {}: {}", pid, std::strerror(errno)));
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(static_cast<int64_t>(args->timeout * 1000));
    while (alive(pid)) {
      if (std::chrono::steady_clock::now() > deadline) {
        return fail(fmt::format("pid {} is still running after {} s", pid, args->timeout));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    auto store = checkpoint::CheckpointStore::open({args->dir, 1000000, nullptr});
    if (!store.ok()) return fail(store.status().message());
    auto latest = (*store)->load_latest();
    if (!latest.ok()) return fail(latest.status().message());
    if (!latest->has_value() || (*latest)->meta.count("savepoint") == 0) {
      return fail(
          fmt::format("pid {} stopped without a savepoint (its input may have ended "
                      "first); `rivulet checkpoint list {}` shows what is there",
                      pid, args->dir));
    }
    std::printf("%s/%s\n", args->dir.c_str(),
                checkpoint::CheckpointStore::dir_name((*latest)->id).c_str());
    std::fprintf(stderr,
                 "rivulet: pid %d stopped with savepoint %s; `rivulet run` of its pipeline goes "
                 "on from it\n",
                 static_cast<int>(pid),
                 checkpoint::CheckpointStore::dir_name((*latest)->id).c_str());
    return 0;
  };
}

}  // namespace rivulet::cli
