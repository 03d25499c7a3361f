// rivulet: real-time machine learning on event streams. Thin subcommands over the library.

#include <malloc.h>

#include <cstdio>
#include <map>

#include "cli/commands.h"

namespace rivulet::cli {

int fail(const std::string& message) {
  std::fprintf(stderr, "rivulet: %s\n", message.c_str());
  return 1;
}

}  // namespace rivulet::cli

int main(int argc, char** argv) {
  using namespace rivulet::cli;  // NOLINT(google-build-using-namespace): main only
  // Large blocks (a checkpoint's serialized state, a model's bytes) from the heap, and freed
  // memory kept for the next ones. By default glibc maps each block over 128 KiB afresh and
  // unmaps it when freed, so every snapshot faults its megabytes in again, page by page.
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  CLI::App app{"rivulet: real-time machine learning on event streams"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rivulet 0.1.0");
  std::map<CLI::App*, Runner> runners;
  auto add = [&](const char* name, const char* help, Runner (*adder)(CLI::App&)) {
    CLI::App* sub = app.add_subcommand(name, help);
    runners[sub] = adder(*sub);
  };
  add("run", "run a pipeline file: sources, steps, learners and sinks, live", &add_run);
  add("eval", "prequential (test-then-train) evaluation of a model on a data file", &add_eval);
  add("predict", "predictions of a saved model on a data file", &add_predict);
  add("inspect", "what a saved model is and has learned", &add_inspect);
  add("models", "every learner, transformer, metric and optimizer, with its parameters", &add_models);
  add("checkpoint", "a pipeline's checkpoints: list them, export a learner's model from one",
      &add_checkpoint);
  add("savepoint", "stop a running pipeline with a savepoint (by its checkpoint directory)",
      &add_savepoint);
  add("gen", "generated events (River's synthetic streams, card payments, sensor readings) as JSON Lines", &add_gen);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, run] : runners) {
    if (sub->parsed()) return run();
  }
  return 1;
}
