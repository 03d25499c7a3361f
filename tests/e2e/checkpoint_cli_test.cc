// `rivulet checkpoint list` and `rivulet checkpoint export-model` through the binary, on stores
// written from learner stages as the engine writes them: the exported model file predicts, via
// `rivulet predict`, exactly what the stage's model does.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "rivulet/checkpoint/store.h"
#include "rivulet/ml/model.h"
#include "support/cli_run.h"
#include "support/learner_checkpoints.h"

namespace rivulet {
namespace {

using learner_checkpoints::ScratchDir;
using learner_checkpoints::Stage;

constexpr const char* kScalerLogReg =
    "preprocessing.StandardScaler | linear_model.LogisticRegression";

using rivulet::test_support::CliRun;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("rivulet_checkpoint_cli_test_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

CliRun run(const std::string& args) {
  return rivulet::test_support::run_cli(args, temp_path("stderr"));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Rows for `rivulet predict`: the features, and the target it leaves out.
std::string probe_csv() {
  const std::string path = temp_path("probe.csv");
  std::ofstream out(path);
  out << "x1,x2,y\n";
  for (const auto& row : learner_checkpoints::rows(50, 11)) {
    out << fmt::format("{},{},{}\n", row.x1, row.x2, row.y);
  }
  return path;
}

TEST(CheckpointCliTest, ExportedModelPredictsAsTheStagesModel) {
  Stage stage(learner_checkpoints::options(kScalerLogReg, /*per_key=*/false));
  stage.feed(learner_checkpoints::rows(400, 10));
  const ScratchDir scratch("checkpoint_cli_test_global");
  const std::string& dir = scratch.path;
  auto store = checkpoint::CheckpointStore::open({.dir = dir}).value();
  ASSERT_TRUE(store
                  ->write(learner_checkpoints::pipeline_checkpoint("evaluate", "fraud model",
                                                                   {stage.snapshot()}, false))
                  .ok());

  const std::string exported = temp_path("exported.rvm");
  const CliRun r = run("checkpoint export-model " + dir + " --step 'fraud model' -o " + exported);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("step       3 'fraud model' (evaluate, part step-3)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("learned    400 samples (400 records)"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(exported), stage.op->model()->save_bytes());

  // `rivulet predict` gives the same output for the exported file and the stage's model.
  const std::string reference = temp_path("reference.rvm");
  ASSERT_TRUE(stage.op->model()->save(reference).ok());
  const std::string csv = probe_csv();
  const CliRun a = run("predict --model " + exported + " " + csv);
  const CliRun b = run("predict --model " + reference + " " + csv);
  ASSERT_EQ(a.status, 0) << a.err;
  ASSERT_EQ(b.status, 0) << b.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("\"prediction\""), std::string::npos) << a.out;
  // And `rivulet inspect` reads it.
  const CliRun inspect = run("inspect " + exported);
  ASSERT_EQ(inspect.status, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("learned  400 samples"), std::string::npos) << inspect.out;
  for (const auto& path : {exported, reference, csv}) std::filesystem::remove(path);
}

TEST(CheckpointCliTest, PerKeyExportAndItsErrors) {
  auto options = learner_checkpoints::options(kScalerLogReg, /*per_key=*/true);
  Stage p0(options), p1(options);
  for (const auto& row : learner_checkpoints::rows(300, 12)) {
    (row.device == "d1" || row.device == "d3" ? p1 : p0).feed({row});
  }
  const ScratchDir scratch("checkpoint_cli_test_per_key");
  const std::string& dir = scratch.path;
  auto store = checkpoint::CheckpointStore::open({.dir = dir}).value();
  ASSERT_TRUE(store
                  ->write(learner_checkpoints::pipeline_checkpoint(
                      "evaluate", "per device", {p0.snapshot(), p1.snapshot()}, true))
                  .ok());
  const std::string exported = temp_path("d3.rvm");
  CliRun r = run("checkpoint export-model " + dir + " --step 'per device' --key d3 -o " + exported);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(exported), p1.op->model("d3")->save_bytes());
  EXPECT_NE(r.out.find("key        d3"), std::string::npos) << r.out;
  std::filesystem::remove(exported);

  r = run("checkpoint export-model " + dir + " --step 'per device' --key d7 -o " + exported);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err,
            "rivulet: chk-000001: step 'per device' has no model of key 'd7' (keys: 'd0', 'd1', "
            "'d2', 'd3', 'd4')\n");
  r = run("checkpoint export-model " + dir + " --step 'per device' -o " + exported);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("is per_key (one model per key): give the key"), std::string::npos) << r.err;
  r = run("checkpoint export-model " + dir + " --step 'positive amounts' -o " + exported);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("step 'positive amounts' is a filter step, not a learner"),
            std::string::npos)
      << r.err;
  r = run("checkpoint export-model " + dir + " --step x --id 9 -o " + exported);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "rivulet: " + dir + ": chk-000009: no MANIFEST (never published)\n");
  r = run("checkpoint export-model " + dir + "-missing --step x -o " + exported);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "rivulet: " + dir + "-missing: no such directory\n");
  EXPECT_FALSE(std::filesystem::exists(dir + "-missing"));
  EXPECT_FALSE(std::filesystem::exists(exported));
}

TEST(CheckpointCliTest, ListAndExportPassOverACorruptCheckpoint) {
  Stage stage(learner_checkpoints::options(kScalerLogReg, /*per_key=*/false));
  const ScratchDir scratch("checkpoint_cli_test_corrupt");
  const std::string& dir = scratch.path;
  auto store = checkpoint::CheckpointStore::open({.dir = dir}).value();
  stage.feed(learner_checkpoints::rows(100, 13));
  const std::string first = stage.op->model()->save_bytes();
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(store
                    ->write(learner_checkpoints::pipeline_checkpoint("evaluate", "m",
                                                                     {stage.snapshot()}, false))
                    .ok());
    stage.feed(learner_checkpoints::rows(100, 14));
  }
  // The newest checkpoint's learner part loses its last byte; an unfinished one follows.
  const std::string part = dir + "/chk-000002/step-3.part";
  std::string bytes = read_file(part);
  bytes.pop_back();
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  std::filesystem::create_directories(dir + "/chk-000003");

  CliRun r = run("checkpoint list " + dir);
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string size_error =
      fmt::format("fails verification: step-3.part has {} bytes, the MANIFEST says {}",
                  bytes.size(), bytes.size() + 1);
  EXPECT_NE(r.out.find("export-test"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ok (latest: loaded on resume)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(size_error), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unfinished (no MANIFEST)"), std::string::npos) << r.out;
  // One line per checkpoint, after the header; the created time is UTC ISO-8601.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4) << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(\n1 +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z +\d+ +export-test +ok)")))
      << r.out;

  const std::string exported = temp_path("first.rvm");
  r = run("checkpoint export-model " + dir + " --step m -o " + exported);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("rivulet: passed over chk-000003: no MANIFEST (never published)\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("rivulet: passed over chk-000002: step-3.part has"), std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("checkpoint chk-000001 (pipeline export-test"), std::string::npos) << r.out;
  EXPECT_EQ(read_file(exported), first);
  std::filesystem::remove(exported);

  r = run("checkpoint export-model " + dir + " --step m --id 2 -o " + exported);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("chk-000002: step-3.part has"), std::string::npos) << r.err;

  r = run("checkpoint list " + dir + "-missing");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("no such directory"), std::string::npos) << r.err;
}

// Incremental checkpoints: the list says how many change sets follow a step's snapshot; the
// bytes count the linked files in each directory that holds them.
TEST(CheckpointCliTest, ListSaysHowManyChangeSetsACheckpointHolds) {
  const std::string dir = temp_path("incremental-store");
  std::filesystem::remove_all(dir);
  {
    auto store = checkpoint::CheckpointStore::open({.dir = dir}).value();
    ASSERT_TRUE(store->write({.meta = {{"pipeline", "windows"}},
                              .parts = {{"step-1", std::string(100, 'a')}}})
                    .ok());
    ASSERT_TRUE(store->write({.meta = {{"pipeline", "windows"}},
                              .parts = {{"step-1.delta-1", std::string(10, 'b')}},
                              .links = {{"step-1", 1}}})
                    .ok());
    ASSERT_TRUE(store->write({.meta = {{"pipeline", "windows"}},
                              .parts = {{"step-1.delta-2", std::string(10, 'c')}},
                              .links = {{"step-1", 2}, {"step-1.delta-1", 2}}})
                    .ok());
  }
  CliRun r = run("checkpoint list " + dir);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\n1 .* windows +ok\n)"))) << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(\n2 .* windows +ok, incremental: 1 change set after a snapshot\n)")))
      << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex(R"(\n3 .* windows +ok, incremental: 2 change sets after a snapshot )"
                        R"(\(latest: loaded on resume\)\n)")))
      << r.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace rivulet
