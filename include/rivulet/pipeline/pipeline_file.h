#pragma once
/// Pipeline files: YAML that names an input source, optional labels, steps and sinks, compiled
/// into an engine plan (pipeline/engine.h). Field by field in docs/pipelines.md. Everything is
/// checked before anything runs: unknown keys (with did-you-mean and the list of valid keys),
/// wrong types, unknown step kinds, model specs, file paths; errors name the file, the line,
/// the column and the path of the field: `fraud.yaml:14:7: steps[2].evaluate.model: ...`.
/// Expression errors found when the engine opens the steps name the line and column too.
/// ```cpp example
/// auto compiled = rivulet::pipeline::compile_pipeline(R"(
/// source:
///   kind: generator
///   generator: sea
///   count: 100
/// steps:
///   - filter: "x0 > 5"
/// )", "inline.yaml", {});
/// ASSERT_TRUE(compiled.ok()) << compiled.status().to_string();
/// EXPECT_EQ(compiled->plan.steps.size(), 1u);
/// auto bad = rivulet::pipeline::compile_pipeline("sourse: {}\n", "bad.yaml", {});
/// EXPECT_EQ(bad.status().message(),
///           "bad.yaml:1:1: unknown key 'sourse' (did you mean 'source'?); valid keys: name, "
///           "source, labels, steps, sinks, dead_letters, settings, checkpoint");
/// ```

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "rivulet/core/status.h"
#include "rivulet/pipeline/engine.h"

namespace rivulet::pipeline {

struct CompileOptions {
  /// `--set path.to.field=value` overrides, applied to the document before it is read.
  std::vector<std::string> overrides;
  /// Where `console` sinks write (stdout by default; tests pass a file).
  std::FILE* console = stdout;
  /// The descriptor a `stdin` source reads (0; tests pass a pipe).
  int stdin_fd = 0;
  /// The file system of checkpoints and of exactly-once file sinks (tests inject faults and
  /// crashes through it); null: the process's.
  checkpoint::Env* env = nullptr;
};

struct CompiledPipeline {
  std::string name;
  Plan plan;
  EngineOptions options;
  /// One line per part: the input, each step, each sink (`rivulet run` prints it at start).
  std::string summary;
};

/// Compiles YAML text; `file` names it in errors.
Result<CompiledPipeline> compile_pipeline(std::string_view yaml, const std::string& file,
                                          const CompileOptions& options);
/// Reads and compiles a pipeline file.
Result<CompiledPipeline> load_pipeline(const std::string& path, const CompileOptions& options);

}  // namespace rivulet::pipeline
